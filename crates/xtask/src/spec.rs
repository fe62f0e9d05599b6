//! Reads the vendored OpenAPI document into a small model that every generator
//! shares: named types (all component schemas plus the inline objects and enums
//! hoisted out of them) and operations (with their namespace and method name).

use serde_yaml::Value;
use std::collections::{BTreeMap, BTreeSet};

pub use crate::naming::pascal_id;
use crate::naming::{pascal, Naming};

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Str,
    I32,
    I64,
    U64,
    F64,
    Bool,
    /// `format: binary` (multipart file parts)
    Bytes,
    Any,
    Array(Box<Ty>),
    Map(Box<Ty>),
    Named(String),
}

#[derive(Clone, Debug)]
pub struct Field {
    pub json_name: String,
    pub ty: Ty,
    pub required: bool,
    pub nullable: bool,
    pub doc: Option<String>,
    pub deprecated: bool,
    pub sensitive: bool,
    /// A string of `format: date-time` (RFC 3339), or a list of them.
    pub date_time: bool,
}

#[derive(Clone, Debug)]
pub enum ModelKind {
    Struct(Vec<Field>),
    Enum(Vec<String>),
    Alias(Ty),
    /// `oneOf` with a discriminator: the variants' type names.
    OneOf(Vec<String>),
}

#[derive(Clone, Debug)]
pub struct Model {
    pub name: String,
    pub doc: Option<String>,
    pub deprecated: bool,
    pub kind: ModelKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathKind {
    /// `^[a-z0-9-]{1,60}$`
    Id,
    /// `^[a-z0-9]{1,20}$`
    Slug,
    Uuid,
    Integer,
    /// Free text (names, keys): must be non-empty, percent-encoded.
    Name,
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    pub required: bool,
    pub ty: Ty,
    pub path_kind: PathKind,
    pub doc: Option<String>,
    pub default: Option<Value>,
    /// A string of `format: date-time` (RFC 3339).
    pub date_time: bool,
}

impl Param {
    /// Whether the caller must give it: a required query parameter, except
    /// `org_id`, which the client's default may supply.
    pub fn caller_gives(&self) -> bool {
        self.required && self.name != "org_id"
    }
}

#[derive(Clone, Debug)]
pub struct Body {
    pub ty: String,
    pub required: bool,
    pub multipart: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ResponseKind {
    Json(Ty),
    Empty,
    Bytes,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageShape {
    /// `pagination.cursor` (projects, operations, consumption)
    Cursor,
    /// `pagination.next` (branches, members, functions)
    Next,
    /// top-level `next_cursor` (bucket objects)
    NextCursor,
    /// `cursor` in the request body, `next_cursor` and `is_truncated` in the response (log queries)
    BodyCursor,
}

#[derive(Clone, Debug)]
pub struct Pagination {
    pub shape: PageShape,
    pub items_field: String,
    pub item_ty: Ty,
    pub default_limit: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct Op {
    pub id: String,
    pub method: String,
    pub path: String,
    pub tag: String,
    pub summary: String,
    pub description: Option<String>,
    pub deprecated: bool,
    pub path_params: Vec<Param>,
    pub query_params: Vec<Param>,
    pub body: Option<Body>,
    pub status: u16,
    /// The error statuses the operation declares (400–599; most declare only `default`).
    pub error_statuses: Vec<u16>,
    pub response: ResponseKind,
    pub pagination: Option<Pagination>,
    /// A mutating call whose response lists the operations it started (a
    /// read that lists operations, listProjectOperations, never waits).
    pub returns_operations: bool,
    /// The response's top-level fields (empty unless it is a JSON object).
    pub response_fields: Vec<ResponseField>,
    /// Where the client's `org_id` goes in the body (`["project", "org_id"]`), if the body takes one.
    pub body_org_id: Vec<String>,
    /// Resource namespace, snake_case (`branches`).
    pub ns: String,
    /// Method name words, lower case (`["list", "endpoints"]`).
    pub words: Vec<String>,
}

/// A workflow of `spec/workflows.yaml`: a method that the core implements
/// (`Client::workflow`) and every language exposes under its namespace.
#[derive(Clone, Debug)]
pub struct Workflow {
    /// snake_case (`create_and_connect`).
    pub name: String,
    /// The resource namespace (`branches`), or `client` for the client itself.
    pub ns: String,
    pub summary: String,
    pub description: Option<String>,
    /// Required ones first, in the file's order.
    pub params: Vec<WorkflowParam>,
    /// `None` for a workflow that returns nothing.
    pub returns: Option<Ty>,
}

#[derive(Clone, Debug)]
pub struct WorkflowParam {
    pub name: String,
    pub ty: Ty,
    pub required: bool,
    pub default: Option<Value>,
    pub doc: String,
}

impl Workflow {
    /// The id the core dispatches on (`branches.ensure`, `connection_string`).
    pub fn id(&self) -> String {
        match self.ns.as_str() {
            "client" => self.name.clone(),
            ns => format!("{ns}.{}", self.name),
        }
    }
}

pub struct Spec {
    pub models: Vec<Model>,
    pub ops: Vec<Op>,
    pub workflows: Vec<Workflow>,
}

impl Spec {
    pub fn model(&self, name: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.name == name)
    }
}

struct Loader<'a> {
    root: &'a Value,
    models: Vec<Model>,
    names: BTreeSet<String>,
}

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(|x| x.as_str()).map(|x| x.to_string())
}

/// A string schema of `format: date-time`.
fn is_date_time(v: &Value) -> bool {
    s(v, "format").as_deref() == Some("date-time")
}

fn b(v: &Value, key: &str) -> bool {
    v.get(key).and_then(|x| x.as_bool()).unwrap_or(false)
}

impl<'a> Loader<'a> {
    fn deref(&self, v: &'a Value) -> &'a Value {
        let mut cur = v;
        while let Some(r) = s(cur, "$ref") {
            let parts: Vec<&str> = r.trim_start_matches("#/").split('/').collect();
            let mut node = self.root;
            for p in parts {
                node = &node[p];
            }
            cur = node;
        }
        cur
    }

    fn ref_name(v: &Value) -> Option<String> {
        s(v, "$ref").map(|r| r.rsplit('/').next().unwrap().to_string())
    }

    /// Collects the properties of an object schema, following `allOf`.
    fn collect_fields(&mut self, schema: &'a Value, ctx: &str, out: &mut Vec<Field>) {
        let schema = self.deref(schema);
        if let Some(parts) = schema.get("allOf").and_then(|x| x.as_sequence()) {
            for p in parts {
                self.collect_fields(p, ctx, out);
            }
        }
        let required: BTreeSet<String> = schema
            .get("required")
            .and_then(|r| r.as_sequence())
            .map(|r| r.iter().filter_map(|x| x.as_str().map(String::from)).collect())
            .unwrap_or_default();
        // `x-sensitive` is a schema-level list of the property names that hold secrets.
        let sensitive: BTreeSet<String> = schema
            .get("x-sensitive")
            .and_then(|r| r.as_sequence())
            .map(|r| r.iter().filter_map(|x| x.as_str().map(String::from)).collect())
            .unwrap_or_default();
        if let Some(props) = schema.get("properties").and_then(|p| p.as_mapping()) {
            for (k, pv) in props {
                let name = k.as_str().unwrap().to_string();
                let resolved = self.deref(pv);
                let ty = self.ty_of(pv, &format!("{ctx}{}", pascal(&name)));
                let field = Field {
                    json_name: name.clone(),
                    ty,
                    required: required.contains(&name),
                    nullable: b(pv, "nullable") || b(resolved, "nullable"),
                    doc: s(pv, "description").or_else(|| s(resolved, "description")),
                    deprecated: b(pv, "deprecated"),
                    sensitive: sensitive.contains(&name) || looks_secret(ctx, &name),
                    date_time: is_date_time(resolved) || resolved.get("items").is_some_and(|i| is_date_time(self.deref(i))),
                };
                if let Some(existing) = out.iter_mut().find(|f| f.json_name == name) {
                    existing.required |= field.required;
                } else {
                    out.push(field);
                }
            }
        }
        // `required` may name properties that an earlier allOf part declared.
        for f in out.iter_mut() {
            if required.contains(&f.json_name) {
                f.required = true;
            }
        }
    }

    fn hoist(&mut self, name: &str, schema: &'a Value, kind: ModelKind) -> String {
        let mut unique = name.to_string();
        let mut n = 2;
        while self.names.contains(&unique) {
            unique = format!("{name}{n}");
            n += 1;
        }
        self.names.insert(unique.clone());
        self.models.push(Model { name: unique.clone(), doc: s(schema, "description"), deprecated: b(schema, "deprecated"), kind });
        unique
    }

    /// The type of a schema used in a property, parameter or array item;
    /// inline objects and enums become named models called `ctx`.
    fn ty_of(&mut self, v: &'a Value, ctx: &str) -> Ty {
        if let Some(n) = Self::ref_name(v) {
            return Ty::Named(n);
        }
        if let Some(parts) = v.get("allOf").and_then(|x| x.as_sequence()) {
            if parts.len() == 1 && v.get("properties").is_none() {
                return self.ty_of(&parts[0], ctx);
            }
            let mut fields = Vec::new();
            self.collect_fields(v, ctx, &mut fields);
            return Ty::Named(self.hoist(ctx, v, ModelKind::Struct(fields)));
        }
        if let Some(e) = v.get("enum").and_then(|x| x.as_sequence()) {
            let values: Vec<String> = e.iter().filter_map(|x| x.as_str().map(String::from)).collect();
            if values.len() == e.len() {
                return Ty::Named(self.hoist(ctx, v, ModelKind::Enum(values)));
            }
        }
        match v.get("type").and_then(|t| t.as_str()) {
            Some("string") if s(v, "format").as_deref() == Some("binary") => Ty::Bytes,
            Some("string") => Ty::Str,
            Some("integer") => match s(v, "format").as_deref() {
                Some("int32") => Ty::I32,
                Some("uint64") => Ty::U64,
                _ => Ty::I64,
            },
            Some("number") => Ty::F64,
            Some("boolean") => Ty::Bool,
            Some("array") => {
                let Some(item) = v.get("items") else { return Ty::Array(Box::new(Ty::Any)) };
                Ty::Array(Box::new(self.ty_of(item, &format!("{ctx}Item"))))
            }
            Some("object") | None => {
                if v.get("properties").and_then(|p| p.as_mapping()).map(|m| !m.is_empty()).unwrap_or(false) {
                    let mut fields = Vec::new();
                    self.collect_fields(v, ctx, &mut fields);
                    return Ty::Named(self.hoist(ctx, v, ModelKind::Struct(fields)));
                }
                match v.get("additionalProperties") {
                    Some(Value::Bool(true)) | None => {
                        if v.get("additionalProperties").is_some() {
                            Ty::Map(Box::new(Ty::Any))
                        } else {
                            Ty::Any
                        }
                    }
                    Some(Value::Bool(false)) => Ty::Any,
                    Some(ap) => Ty::Map(Box::new(self.ty_of(ap, &format!("{ctx}Value")))),
                }
            }
            Some(other) => panic!("unsupported schema type {other} at {ctx}"),
        }
    }

    fn component_model(&mut self, name: &str, v: &'a Value) -> Model {
        let doc = s(v, "description");
        let deprecated = b(v, "deprecated");
        let kind = if let Some(variants) = v.get("oneOf").and_then(|x| x.as_sequence()) {
            ModelKind::OneOf(variants.iter().map(|x| Self::ref_name(x).expect("oneOf of refs")).collect())
        } else if let Some(e) = v.get("enum").and_then(|x| x.as_sequence()) {
            ModelKind::Enum(e.iter().map(|x| x.as_str().expect("string enum").to_string()).collect())
        } else if v.get("properties").is_some() || v.get("allOf").is_some() {
            let mut fields = Vec::new();
            self.collect_fields(v, name, &mut fields);
            ModelKind::Struct(fields)
        } else if v.get("type").and_then(|t| t.as_str()) == Some("object") && v.get("additionalProperties").is_none() {
            ModelKind::Struct(Vec::new())
        } else {
            ModelKind::Alias(self.ty_of(v, &format!("{name}Inner")))
        };
        Model { name: name.to_string(), doc, deprecated, kind }
    }
}

/// Fields that hold a secret although the spec's `x-sensitive` forgets them
/// (`ConnectionURIResponse.uri`, `NeonAuthOauthProvider.client_secret`, …):
/// every language hides these as it hides the marked ones.
fn looks_secret(schema: &str, field: &str) -> bool {
    matches!(field, "password" | "connection_uri" | "api_token" | "token" | "secret")
        || field.ends_with("_secret")
        || field.starts_with("secret_")
        || (field.ends_with("_token") && !field.starts_with("token_id"))
        || (field == "uri" && schema.contains("Connection"))
        || (field == "key" && schema.contains("ApiKey"))
        // Presigned and claim URLs are bearer capabilities: whoever has one may use it.
        || (field == "url" && (schema.contains("Presign") || schema.contains("Transfer")))
        || (field == "headers" && schema.contains("Presign"))
}

/// Where a value of this type holds secrets, as paths (`role.password`,
/// `roles[].password`, `connection_uris[].connection_uri`): what a language
/// that cannot redact in its model types hides when a value is printed.
pub fn secret_paths(spec: &Spec, ty: &Ty) -> Vec<String> {
    fn walk(spec: &Spec, ty: &Ty, prefix: &str, depth: usize, out: &mut Vec<String>) {
        if depth > 6 {
            return;
        }
        match ty {
            Ty::Array(t) => walk(spec, t, &format!("{prefix}[]"), depth + 1, out),
            Ty::Named(n) => match spec.model(n).map(|m| &m.kind) {
                Some(ModelKind::Struct(fields)) => {
                    for f in fields {
                        let path = if prefix.is_empty() { f.json_name.clone() } else { format!("{prefix}.{}", f.json_name) };
                        if f.sensitive {
                            out.push(path);
                        } else {
                            walk(spec, &f.ty, &path, depth + 1, out);
                        }
                    }
                }
                Some(ModelKind::Alias(t)) => walk(spec, t, prefix, depth, out),
                _ => {}
            },
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(spec, ty, "", 0, &mut out);
    out
}

/// The JSON kind of a value, for the top-level shape check of responses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonKind {
    Object,
    Array,
    String,
    Number,
    Bool,
    Any,
}

/// A top-level field of an operation's response.
#[derive(Clone, Debug)]
pub struct ResponseField {
    pub name: String,
    pub kind: JsonKind,
    /// A required resource object: a response without it is not the documented shape.
    pub required: bool,
    pub nullable: bool,
}

fn json_kind(ty: &Ty, by_name: &BTreeMap<String, Model>) -> JsonKind {
    match ty {
        Ty::Str | Ty::Bytes => JsonKind::String,
        Ty::I32 | Ty::I64 | Ty::U64 | Ty::F64 => JsonKind::Number,
        Ty::Bool => JsonKind::Bool,
        Ty::Any => JsonKind::Any,
        Ty::Array(_) => JsonKind::Array,
        Ty::Map(_) => JsonKind::Object,
        Ty::Named(n) => match &by_name[n].kind {
            ModelKind::Struct(_) | ModelKind::OneOf(_) => JsonKind::Object,
            ModelKind::Enum(_) => JsonKind::String,
            ModelKind::Alias(t) => json_kind(t, by_name),
        },
    }
}

/// What real responses do that the spec does not say (`spec/real-api.yaml`).
#[derive(serde::Deserialize, Default)]
pub struct RealApi {
    /// `Model.field`: required in the spec, left out by real responses; optional in every language.
    #[serde(default)]
    pub omitted_required: Vec<String>,
}

fn path_kind(name: &str, schema: &Value) -> PathKind {
    if let Some(p) = s(schema, "pattern") {
        return match p.as_str() {
            "^[a-z0-9-]{1,60}$" => PathKind::Id,
            "^[a-z0-9]{1,20}$" => PathKind::Slug,
            other => panic!("path parameter {name}: unknown pattern {other}; teach xtask/src/spec.rs"),
        };
    }
    match (s(schema, "type").as_deref(), s(schema, "format").as_deref()) {
        (Some("integer"), _) => PathKind::Integer,
        (_, Some("uuid")) => PathKind::Uuid,
        _ => PathKind::Name,
    }
}

/// Where `cargo xtask codegen` writes the vendored document with its overlay
/// merged: what every generator, the emulator and schemathesis read.
pub const MERGED_PATH: &str = "spec/generated/neon-openapi.yaml";

/// Merges an overlay (a partial OpenAPI document) into the document: a mapping
/// merges into a mapping key by key, anything else in the overlay (a list, a
/// scalar) replaces what the document has there.
pub fn merge(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (Value::Mapping(b), Value::Mapping(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// The merged document's text (see [`MERGED_PATH`]), under the generated-file header.
pub fn merged_document(base_text: &str, overlay_text: Option<&str>) -> String {
    let mut doc: Value = serde_yaml::from_str(base_text).expect("spec/neon-openapi-v2.yaml parses");
    if let Some(o) = overlay_text {
        let overlay: Value = serde_yaml::from_str(o).expect("spec/neon-openapi-v2.overlay.yaml parses");
        merge(&mut doc, &overlay);
    }
    let body = serde_yaml::to_string(&doc).expect("the merged spec serializes");
    format!("{}{body}", crate::naming::spec_header(crate::naming::Lang::Python))
}

impl Op {
    /// Whether its pager sends the request body (the cursor travels in it).
    pub fn pages_by_body(&self) -> bool {
        self.pagination.as_ref().is_some_and(|p| p.shape == PageShape::BodyCursor)
    }
}

pub fn load(text: &str, naming_text: &str, real_api_text: &str, workflows_text: &str) -> Spec {
    let root: Value = serde_yaml::from_str(text).expect("spec parses");
    let workflows_doc: Value = serde_yaml::from_str(workflows_text).expect("spec/workflows.yaml parses");
    let real_api: RealApi = serde_yaml::from_str(real_api_text).expect("spec/real-api.yaml parses");
    let naming: Naming = Naming::parse(naming_text);
    let mut l = Loader { root: &root, models: Vec::new(), names: BTreeSet::new() };
    let schemas = root["components"]["schemas"].as_mapping().expect("schemas");
    for (k, _) in schemas {
        l.names.insert(k.as_str().unwrap().to_string());
    }
    let workflow_schemas = workflows_doc["schemas"].as_mapping().expect("spec/workflows.yaml: schemas");
    for (k, _) in workflow_schemas {
        let name = k.as_str().unwrap();
        assert!(l.names.insert(name.to_string()), "spec/workflows.yaml: schema {name} is also one of the spec's");
    }
    let mut components = Vec::new();
    for (k, v) in schemas.iter().chain(workflow_schemas) {
        let name = k.as_str().unwrap();
        components.push(l.component_model(name, v));
    }
    let workflows = load_workflows(&mut l, &workflows_doc);

    let mut ops = Vec::new();
    let methods = ["get", "post", "put", "patch", "delete"];
    for (path, item) in root["paths"].as_mapping().expect("paths") {
        let path = path.as_str().unwrap();
        let no_params: &[Value] = &[];
        let common: &[Value] = item.get("parameters").and_then(|p| p.as_sequence()).map(|s| &s[..]).unwrap_or(no_params);
        for m in methods {
            let Some(op) = item.get(m) else { continue };
            let id = s(op, "operationId").expect("operationId");
            let op_pascal = pascal_id(&id);
            let mut path_params = Vec::new();
            let mut query_params = Vec::new();
            let own: &[Value] = op.get("parameters").and_then(|p| p.as_sequence()).map(|s| &s[..]).unwrap_or(no_params);
            for p in common.iter().chain(own.iter()) {
                let p = l.deref(p);
                let name = s(p, "name").unwrap();
                let in_path = s(p, "in").as_deref() == Some("path");
                let schema = &p["schema"];
                let ty = l.ty_of(schema, &format!("{op_pascal}{}", pascal(&name)));
                let resolved = l.deref(schema);
                let param = Param {
                    name: name.clone(),
                    required: in_path || b(p, "required"),
                    ty,
                    path_kind: path_kind(&name, resolved),
                    doc: s(p, "description"),
                    default: resolved.get("default").cloned(),
                    date_time: is_date_time(resolved),
                };
                if in_path {
                    path_params.push(param);
                } else if s(p, "in").as_deref() == Some("query") {
                    query_params.push(param);
                }
            }
            // Path parameters in the order they appear in the path.
            path_params.sort_by_key(|p| path.find(&format!("{{{}}}", p.name)).unwrap_or(usize::MAX));

            let body = op.get("requestBody").map(|rb| {
                let rb = l.deref(rb);
                let content = rb["content"].as_mapping().unwrap();
                let (ct, media) = content.iter().next().unwrap();
                let schema = &media["schema"];
                let ty = match l.ty_of(schema, &format!("{op_pascal}Request")) {
                    Ty::Named(n) => n,
                    other => panic!("{id}: body type {other:?}"),
                };
                Body { ty, required: b(rb, "required"), multipart: ct.as_str() == Some("multipart/form-data") }
            });

            let responses = op["responses"].as_mapping().unwrap();
            let mut success: Option<(u16, &Value)> = None;
            let mut error_statuses = Vec::new();
            for (code, r) in responses {
                let code: u16 = match code {
                    Value::Number(n) => n.as_u64().unwrap() as u16,
                    Value::String(x) => match x.parse() {
                        Ok(c) => c,
                        Err(_) => continue,
                    },
                    _ => continue,
                };
                if (400..600).contains(&code) {
                    error_statuses.push(code);
                }
                if (200..300).contains(&code) && success.map(|(c, _)| code < c).unwrap_or(true) {
                    success = Some((code, r));
                }
            }
            error_statuses.sort_unstable();
            let (status, resp) = success.unwrap_or_else(|| panic!("{id}: no success response"));
            let resp_ctx = match s(resp, "$ref") {
                Some(r) => format!("{}Response", r.rsplit('/').next().unwrap()),
                None => format!("{op_pascal}Response"),
            };
            let resp = l.deref(resp);
            let response = match resp.get("content").and_then(|c| c.as_mapping()) {
                None => ResponseKind::Empty,
                Some(c) if c.contains_key("application/json") => {
                    let schema = &c[&Value::from("application/json")]["schema"];
                    // A component response shared by several operations is one type.
                    match l.models.iter().any(|m| m.name == resp_ctx) {
                        true => ResponseKind::Json(Ty::Named(resp_ctx)),
                        false => ResponseKind::Json(l.ty_of(schema, &resp_ctx)),
                    }
                }
                Some(c) if c.contains_key("application/octet-stream") => ResponseKind::Bytes,
                Some(other) => panic!("{id}: response content {other:?}"),
            };
            let tags: Vec<String> = op
                .get("tags")
                .and_then(|t| t.as_sequence())
                .map(|t| t.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                .unwrap_or_default();
            ops.push(Op {
                id: id.clone(),
                method: m.to_string(),
                path: path.to_string(),
                tag: tags.first().cloned().unwrap_or_default(),
                summary: s(op, "summary").unwrap_or_default(),
                description: s(op, "description"),
                deprecated: b(op, "deprecated"),
                path_params,
                query_params,
                body,
                status,
                error_statuses,
                response,
                pagination: None,
                returns_operations: false,
                response_fields: Vec::new(),
                body_org_id: Vec::new(),
                ns: String::new(),
                words: Vec::new(),
            });
        }
    }

    let mut models = components;
    models.extend(l.models);
    for entry in &real_api.omitted_required {
        let (model, field) = entry.split_once('.').unwrap_or_else(|| panic!("real-api.yaml: {entry:?} is not Model.field"));
        let m = models.iter_mut().find(|m| m.name == model).unwrap_or_else(|| panic!("real-api.yaml: no model {model}"));
        let ModelKind::Struct(fields) = &mut m.kind else { panic!("real-api.yaml: {model} is not an object") };
        let f = fields.iter_mut().find(|f| f.json_name == field).unwrap_or_else(|| panic!("real-api.yaml: {model} has no field {field}"));
        assert!(f.required, "real-api.yaml: {entry} is not required in the spec");
        f.required = false;
    }
    let by_name: BTreeMap<String, Model> = models.iter().map(|m| (m.name.clone(), m.clone())).collect();
    for op in &mut ops {
        // Query parameters are written into the URL by their underlying type.
        for p in op.query_params.iter_mut() {
            if let Ty::Named(n) = &p.ty {
                if let ModelKind::Alias(t) = &by_name[n].kind {
                    p.ty = t.clone();
                }
            }
        }
        if let ResponseKind::Json(Ty::Named(name)) = &op.response {
            let fields = match &by_name[name].kind {
                ModelKind::Struct(f) => f.clone(),
                _ => Vec::new(),
            };
            op.returns_operations = op.method != "get"
                && fields.iter().any(|f| f.json_name == "operations" && f.ty == Ty::Array(Box::new(Ty::Named("Operation".into()))));
            op.response_fields = fields
                .iter()
                .map(|f| ResponseField {
                    name: f.json_name.clone(),
                    kind: json_kind(&f.ty, &by_name),
                    // Only the resources themselves (`project`, `branch`): a real
                    // response may leave out a required list or map.
                    required: f.required
                        && !f.nullable
                        && matches!(&f.ty, Ty::Named(n) if matches!(by_name[n].kind, ModelKind::Struct(_) | ModelKind::OneOf(_))),
                    nullable: f.nullable,
                })
                .collect();
            let query_cursor = op.query_params.iter().any(|p| p.name == "cursor");
            let body_cursor = op.body.as_ref().is_some_and(|b| {
                !b.multipart && matches!(&by_name[&b.ty].kind, ModelKind::Struct(f) if f.iter().any(|f| f.json_name == "cursor"))
            });
            let has_cursor = query_cursor || body_cursor;
            let truncated = fields.iter().any(|f| f.json_name == "is_truncated");
            let shape = fields.iter().find_map(|f| match (&f.json_name[..], &f.ty) {
                ("pagination", Ty::Named(n)) if n == "Pagination" => Some(PageShape::Cursor),
                ("pagination", Ty::Named(n)) if n == "CursorPagination" => Some(PageShape::Next),
                ("next_cursor", _) if body_cursor && truncated => Some(PageShape::BodyCursor),
                ("next_cursor", _) if query_cursor => Some(PageShape::NextCursor),
                _ => None,
            });
            if let (true, Some(shape)) = (has_cursor, shape) {
                // The items are the list of objects (bucket listings also carry a list of folder names).
                let items = fields
                    .iter()
                    .find(|f| matches!(&f.ty, Ty::Array(t) if matches!(**t, Ty::Named(_))))
                    .or_else(|| fields.iter().find(|f| matches!(f.ty, Ty::Array(_))))
                    .unwrap_or_else(|| panic!("{}: paginated without an array field", op.id));
                let Ty::Array(item_ty) = &items.ty else { unreachable!() };
                let default_limit =
                    op.query_params.iter().find(|p| p.name == "limit").and_then(|p| p.default.as_ref()).and_then(|d| d.as_i64());
                op.pagination =
                    Some(Pagination { shape, items_field: items.json_name.clone(), item_ty: (**item_ty).clone(), default_limit });
            }
        }
        if let Some(body) = op.body.as_ref().filter(|b| !b.multipart) {
            let fields_of = |name: &str| match &by_name[name].kind {
                ModelKind::Struct(f) => f.clone(),
                _ => Vec::new(),
            };
            // Only an org_id of the resource being made (`project.org_id`): a
            // top-level one names a target (acceptProjectTransferRequest's
            // destination), which a client default must not choose.
            let top = fields_of(&body.ty);
            if let Some((outer, _)) = top.iter().find_map(|f| match &f.ty {
                Ty::Named(n) if fields_of(n).iter().any(|g| g.json_name == "org_id") => Some((f.json_name.clone(), n)),
                _ => None,
            }) {
                op.body_org_id = vec![outer, "org_id".into()];
            }
        }
        let (ns, words) = naming.name(op);
        op.ns = ns;
        op.words = words;
    }
    naming.check_unique(&ops);
    for w in &workflows {
        let clash = ops.iter().find(|o| o.ns == w.ns && o.words.join("_") == w.name);
        assert!(clash.is_none(), "spec/workflows.yaml: {} is also the method of {}", w.id(), clash.unwrap().id);
        if let Some(Ty::Named(n)) = &w.returns {
            assert!(models.iter().any(|m| &m.name == n), "spec/workflows.yaml: {} returns {n}, which no schema defines", w.id());
        }
    }
    Spec { models, ops, workflows }
}

fn load_workflows<'a>(l: &mut Loader<'a>, doc: &'a Value) -> Vec<Workflow> {
    let ty = |l: &mut Loader<'a>, name: &str, ctx: &str| match name {
        "string" => Ty::Str,
        "boolean" => Ty::Bool,
        schema => {
            assert!(l.names.contains(schema), "spec/workflows.yaml: {ctx}: no schema {schema}");
            Ty::Named(schema.to_string())
        }
    };
    let mut out = Vec::new();
    for w in doc["workflows"].as_sequence().expect("spec/workflows.yaml: workflows") {
        let name = s(w, "name").expect("workflow name");
        let ns = s(w, "namespace").expect("workflow namespace");
        let ctx = format!("{ns}.{name}");
        let mut params = Vec::new();
        for p in w["params"].as_sequence().map(|s| &s[..]).unwrap_or(&[]) {
            let pname = s(p, "name").expect("param name");
            params.push(WorkflowParam {
                ty: ty(l, &s(p, "type").expect("param type"), &ctx),
                required: b(p, "required"),
                default: p.get("default").cloned(),
                doc: s(p, "doc").unwrap_or_else(|| panic!("spec/workflows.yaml: {ctx}.{pname} has no doc")),
                name: pname,
            });
        }
        // Positional first, in order: what every language's signature needs.
        params.sort_by_key(|p| !p.required);
        let returns = s(w, "returns").map(|r| ty(l, &r, &ctx));
        out.push(Workflow {
            summary: s(w, "summary").unwrap_or_else(|| panic!("spec/workflows.yaml: {ctx} has no summary")),
            description: s(w, "description"),
            name,
            ns,
            params,
            returns,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_merges_mappings_and_replaces_the_rest() {
        let mut base: Value = serde_yaml::from_str("a: {x: 1, list: [1, 2]}\nb: keep\n").unwrap();
        let overlay: Value = serde_yaml::from_str("a: {y: 2, list: [3]}\nc: new\n").unwrap();
        merge(&mut base, &overlay);
        let want: Value = serde_yaml::from_str("a: {x: 1, list: [3], y: 2}\nb: keep\nc: new\n").unwrap();
        assert_eq!(base, want);
    }
}
