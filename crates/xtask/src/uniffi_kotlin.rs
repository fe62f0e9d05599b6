//! The typed Kotlin layer over the uniffi binding's JSON-text methods (a module of `uniffi.rs`).
//!
//! - `models/generated/Models.kt`: one class per object schema of the spec (named exactly after
//!   it), with a constructor taking every field (required ones first-class, optional ones `= null`),
//!   `fromJson` (lenient: unknown fields in `extra`, a required field the server left out holds its
//!   type's zero value and is named in `missing`, never an exception), `toJson()`, and a `toString`
//!   that lists values but prints `***` for the `x-sensitive` fields; one open value class per enum
//!   (the known values as constants, any other value kept); `format: date-time` as `OffsetDateTime`.
//! - `generated/Operations.kt`: per operation whose uniffi method is a JSON-text form (`createJson`),
//!   a suspend extension and a `…Blocking` one by the plain name that take and return the models
//!   (optional query parameters by name), a typed pager (`NeonPages<T>`), and the same for the
//!   workflows that take or return a schema.
//!
//! The uniffi surface stays JSON text; everything here is Kotlin over it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::Serialize;
use serde_yaml::Value;

use crate::docs;
use crate::naming::{self, Lang};
use crate::spec::{Field, ModelKind, Op, Param, PathKind, ResponseKind, Spec, Ty, Workflow, WorkflowParam};

// ---------------------------------------------------------------------------
// `format: date-time`: the spec model drops formats, so this reads them from the document again.

#[derive(Default)]
struct DateTimes {
    /// (model, json field) of every date-time property of a model found in the document.
    fields: BTreeSet<(String, String)>,
    /// The models those were looked for in (component schemas and the inline objects under them).
    models: BTreeSet<String>,
    /// Field names that are date-times somewhere and never plain strings (for models not found).
    names: BTreeSet<String>,
    /// (operationId, parameter) of date-time parameters.
    params: BTreeSet<(String, String)>,
}

fn datetimes() -> &'static DateTimes {
    static DT: OnceLock<DateTimes> = OnceLock::new();
    DT.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/neon-openapi-v2.yaml");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
        let root: Value = serde_yaml::from_str(&text).expect("the spec parses");
        let mut dt = DateTimes::default();
        let mut plain = BTreeSet::new();
        if let Some(schemas) = root["components"]["schemas"].as_mapping() {
            for (k, v) in schemas {
                collect(&root, k.as_str().unwrap(), v, &mut dt, &mut plain, 0);
            }
        }
        dt.names = dt.fields.iter().map(|(_, f)| f.clone()).filter(|f| !plain.contains(f)).collect();
        if let Some(paths) = root["paths"].as_mapping() {
            for (_, item) in paths {
                for (_, op) in item.as_mapping().into_iter().flatten() {
                    let Some(id) = op.get("operationId").and_then(|x| x.as_str()) else { continue };
                    for p in op.get("parameters").and_then(|x| x.as_sequence()).into_iter().flatten() {
                        let p = deref(&root, p);
                        if is_datetime(deref(&root, &p["schema"])) {
                            dt.params.insert((id.to_string(), p["name"].as_str().unwrap_or_default().to_string()));
                        }
                    }
                }
            }
        }
        dt
    })
}

fn deref<'a>(root: &'a Value, v: &'a Value) -> &'a Value {
    let mut cur = v;
    while let Some(r) = cur.get("$ref").and_then(|x| x.as_str()) {
        let mut node = root;
        for p in r.trim_start_matches("#/").split('/') {
            node = &node[p];
        }
        cur = node;
    }
    cur
}

fn is_datetime(v: &Value) -> bool {
    v.get("type").and_then(|x| x.as_str()) == Some("string") && v.get("format").and_then(|x| x.as_str()) == Some("date-time")
}

/// The properties of the object schema `v` (model `ctx`, named as `spec.rs` names hoisted ones), following `allOf`.
fn collect(root: &Value, ctx: &str, v: &Value, dt: &mut DateTimes, plain: &mut BTreeSet<String>, depth: usize) {
    if depth > 12 {
        return;
    }
    let v = deref(root, v);
    dt.models.insert(ctx.to_string());
    for part in v.get("allOf").and_then(|x| x.as_sequence()).into_iter().flatten() {
        collect(root, ctx, part, dt, plain, depth + 1);
    }
    for (k, pv) in v.get("properties").and_then(|x| x.as_mapping()).into_iter().flatten() {
        let name = k.as_str().unwrap_or_default().to_string();
        let resolved = deref(root, pv);
        if is_datetime(resolved) {
            dt.fields.insert((ctx.to_string(), name.clone()));
        } else if resolved.get("type").and_then(|x| x.as_str()) == Some("string") {
            plain.insert(name.clone());
        }
        if pv.get("$ref").is_none() {
            let inner = format!("{ctx}{}", naming::pascal(&name));
            if pv.get("properties").is_some() || pv.get("allOf").is_some() {
                collect(root, &inner, pv, dt, plain, depth + 1);
            } else if let Some(items) = pv.get("items").filter(|i| i.get("$ref").is_none()) {
                collect(root, &format!("{inner}Item"), items, dt, plain, depth + 1);
            }
        }
    }
}

pub(super) fn field_is_datetime(model: &str, field: &str) -> bool {
    let dt = datetimes();
    if dt.models.contains(model) {
        dt.fields.contains(&(model.to_string(), field.to_string()))
    } else {
        dt.names.contains(field)
    }
}

pub(super) fn param_is_datetime(op: &Op, p: &Param) -> bool {
    datetimes().params.contains(&(op.id.clone(), p.name.clone()))
}

/// Whether a path or query parameter has a typed Kotlin form other than its uniffi one (an open enum, a date-time).
pub fn param_is_typed(spec: &Spec, op: &Op, p: &Param) -> bool {
    param_is_datetime(op, p) || enum_of(spec, &p.ty).is_some()
}

/// The enum model a type is (or is a list of).
pub(super) fn enum_of(spec: &Spec, ty: &Ty) -> Option<String> {
    match ty {
        Ty::Array(t) => enum_of(spec, t),
        Ty::Named(n) => match spec.model(n).map(|m| &m.kind) {
            Some(ModelKind::Enum(_)) => Some(n.clone()),
            Some(ModelKind::Alias(t)) => enum_of(spec, t),
            _ => None,
        },
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Kotlin types and the expressions that read, write and show them

#[derive(Clone, Debug)]
pub(super) enum KTy {
    Str,
    DateTime,
    Int,
    Long,
    Double,
    Bool,
    Json,
    Enum(String),
    Model(String),
    List(Box<KTy>),
    Map(Box<KTy>),
}

pub(super) fn kty(spec: &Spec, ty: &Ty, datetime: bool, depth: usize) -> KTy {
    match ty {
        Ty::Str | Ty::Bytes if datetime => KTy::DateTime,
        Ty::Str | Ty::Bytes => KTy::Str,
        Ty::I32 => KTy::Int,
        Ty::I64 | Ty::U64 => KTy::Long,
        Ty::F64 => KTy::Double,
        Ty::Bool => KTy::Bool,
        Ty::Any => KTy::Json,
        Ty::Array(t) => KTy::List(Box::new(kty(spec, t, false, depth))),
        Ty::Map(t) => KTy::Map(Box::new(kty(spec, t, false, depth))),
        Ty::Named(n) => match spec.model(n).map(|m| &m.kind) {
            Some(ModelKind::Struct(_)) | Some(ModelKind::OneOf(_)) => KTy::Model(n.clone()),
            Some(ModelKind::Enum(_)) => KTy::Enum(n.clone()),
            Some(ModelKind::Alias(t)) if depth < 8 => kty(spec, t, datetime, depth + 1),
            _ => KTy::Json,
        },
    }
}

fn kt(t: &KTy) -> String {
    match t {
        KTy::Str => "kotlin.String".into(),
        KTy::DateTime => "java.time.OffsetDateTime".into(),
        KTy::Int => "kotlin.Int".into(),
        KTy::Long => "kotlin.Long".into(),
        KTy::Double => "kotlin.Double".into(),
        KTy::Bool => "kotlin.Boolean".into(),
        KTy::Json => "JsonElement".into(),
        KTy::Enum(n) | KTy::Model(n) => format!("dev.neonkit.models.{n}"),
        KTy::List(e) => format!("kotlin.collections.List<{}>", kt(e)),
        KTy::Map(e) => format!("kotlin.collections.Map<kotlin.String, {}>", kt(e)),
    }
}

/// An expression of type `T?` reading the JsonElement `v`.
fn read(t: &KTy, v: &str, depth: usize) -> String {
    let e = format!("e{depth}");
    match t {
        KTy::Str => format!("asString({v})"),
        KTy::DateTime => format!("asDateTime({v})"),
        KTy::Int => format!("asInt({v})"),
        KTy::Long => format!("asLong({v})"),
        KTy::Double => format!("asDouble({v})"),
        KTy::Bool => format!("asBool({v})"),
        KTy::Json => v.to_string(),
        KTy::Enum(n) => format!("asString({v})?.let {{ dev.neonkit.models.{n}(it) }}"),
        KTy::Model(n) => format!("asObject({v})?.let {{ dev.neonkit.models.{n}.fromJson(it) }}"),
        KTy::List(inner) => format!("asArray({v})?.mapNotNull {{ {e} -> {} }}", read(inner, &e, depth + 1)),
        KTy::Map(inner) => {
            format!("asObject({v})?.entries?.mapNotNull {{ ({e}k, {e}) -> {}?.let {{ {e}k to it }} }}?.toMap()", read(inner, &e, depth + 1))
        }
    }
}

/// An expression of type JsonElement writing the value `x` (not null).
fn write(t: &KTy, x: &str, depth: usize) -> String {
    let e = format!("e{depth}");
    match t {
        KTy::Str | KTy::Int | KTy::Long | KTy::Double | KTy::Bool => format!("JsonPrimitive({x})"),
        KTy::DateTime => format!("JsonPrimitive(formatDateTime({x}))"),
        KTy::Json => x.to_string(),
        KTy::Enum(_) => format!("JsonPrimitive({x}.value)"),
        KTy::Model(_) => format!("{x}.toJsonObject()"),
        KTy::List(inner) => format!("JsonArray({x}.map {{ {e} -> {} }})", write(inner, &e, depth + 1)),
        KTy::Map(inner) => format!("JsonObject({x}.mapValues {{ ({e}k, {e}) -> {} }})", write(inner, &e, depth + 1)),
    }
}

/// The value a required field holds when the server left it out.
fn zero(t: &KTy) -> String {
    match t {
        KTy::Str => "\"\"".into(),
        KTy::DateTime => "NEON_EPOCH".into(),
        KTy::Int => "0".into(),
        KTy::Long => "0L".into(),
        KTy::Double => "0.0".into(),
        KTy::Bool => "false".into(),
        KTy::Json => "JsonNull".into(),
        KTy::Enum(n) => format!("dev.neonkit.models.{n}(\"\")"),
        KTy::Model(n) => format!("dev.neonkit.models.{n}.fromJson(JsonObject(emptyMap()))"),
        KTy::List(_) => "emptyList()".into(),
        KTy::Map(_) => "emptyMap()".into(),
    }
}

/// Kotlin property names: camelCase, with the names of `NeonModel`'s own members taken aside.
fn props(fields: &[Field]) -> Vec<String> {
    let mut taken = BTreeSet::new();
    fields
        .iter()
        .map(|f| {
            let mut n = naming::camel(&naming::split_words(&f.json_name));
            if n.is_empty() || n.chars().next().unwrap().is_ascii_digit() {
                n = format!("f{n}");
            }
            if matches!(n.as_str(), "json" | "extra" | "missing" | "toJson" | "toJsonObject" | "copy") {
                n.push_str("Field");
            }
            while !taken.insert(n.clone()) {
                n.push('_');
            }
            n
        })
        .collect()
}

/// A KDoc block of these paragraphs (one line when short), each line after `indent`; empty for no text.
fn kdoc(paragraphs: &[&str], indent: &str) -> String {
    let text: Vec<&str> = paragraphs.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect();
    let safe = naming::doc_safe(&text.join("\n\n"), Lang::Kotlin);
    let lines: Vec<&str> = safe.lines().map(str::trim_end).collect();
    match lines.as_slice() {
        [] => String::new(),
        [one] => format!("{indent}/** {one} */"),
        _ => {
            let mut out = vec![format!("{indent}/**")];
            out.extend(lines.iter().map(|l| if l.is_empty() { format!("{indent} *") } else { format!("{indent} * {l}") }));
            out.push(format!("{indent} */"));
            out.join("\n")
        }
    }
}

// ---------------------------------------------------------------------------
// Models.kt

#[derive(Serialize)]
pub struct ModelsFile {
    header: String,
    models: Vec<ModelCtx>,
}

#[derive(Serialize)]
struct ModelCtx {
    name: String,
    /// `struct`, `enum` or `oneof`.
    kind: &'static str,
    doc: String,
    fields: Vec<FieldCtx>,
    members: Vec<MemberCtx>,
    /// A oneOf's variants (models).
    variants: Vec<String>,
    /// The json names of the fields, as Kotlin string literals joined.
    known: String,
}

#[derive(Serialize)]
struct FieldCtx {
    json: String,
    prop: String,
    doc: String,
    /// `required` (T, decoded with a zero fallback), `nullable` (required but T?, no default) or `optional` (T? = null).
    mode: &'static str,
    ty: String,
    read: String,
    write: String,
    zero: String,
    secret: bool,
}

#[derive(Serialize)]
struct MemberCtx {
    name: String,
    value: String,
}

/// The required model-typed fields that would make decoding `{}` recurse (a cycle of required
/// objects): those become nullable.
pub(super) fn cyclic_fields(spec: &Spec) -> BTreeSet<(String, String)> {
    let mut edges: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for m in &spec.models {
        if let ModelKind::Struct(fields) = &m.kind {
            for f in fields.iter().filter(|f| f.required && !f.nullable) {
                if let KTy::Model(n) = kty(spec, &f.ty, false, 0) {
                    edges.entry(m.name.clone()).or_default().push((f.json_name.clone(), n));
                }
            }
        }
    }
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n.clone()) {
                stack.extend(edges.get(&n).into_iter().flatten().map(|(_, t)| t.clone()));
            }
        }
        false
    };
    let mut out = BTreeSet::new();
    for (m, es) in &edges {
        for (f, t) in es {
            if reaches(t, m) {
                out.insert((m.clone(), f.clone()));
            }
        }
    }
    out
}

pub fn models_context(spec: &Spec) -> ModelsFile {
    let cyclic = cyclic_fields(spec);
    let models = spec
        .models
        .iter()
        .filter_map(|m| {
            let doc_text = docs::text(m.doc.as_deref());
            match &m.kind {
                ModelKind::Struct(fields) => {
                    let fields: Vec<FieldCtx> = fields
                        .iter()
                        .zip(props(fields))
                        .map(|(f, prop)| {
                            let t = kty(spec, &f.ty, field_is_datetime(&m.name, &f.json_name), 0);
                            let cyc = cyclic.contains(&(m.name.clone(), f.json_name.clone()));
                            let mode = match (f.required, f.nullable || cyc) {
                                (true, false) => "required",
                                (true, true) => "nullable",
                                _ => "optional",
                            };
                            let mut notes = Vec::new();
                            if mode == "required" {
                                notes.push(format!(
                                    "Required by the spec: a response without it holds `{}` here and names `{}` in `missing`.",
                                    zero(&t).replace("NEON_EPOCH", "1970-01-01T00:00Z").replace("dev.neonkit.models.", ""),
                                    f.json_name
                                ));
                            }
                            if f.sensitive {
                                notes.push("A secret: `toString` prints `***`.".into());
                            }
                            let doc = kdoc(&[&docs::text(f.doc.as_deref()), &notes.join(" ")], "    ");
                            FieldCtx {
                                json: f.json_name.clone(),
                                prop,
                                doc,
                                mode,
                                ty: kt(&t),
                                read: read(&t, "it", 1),
                                write: write(&t, "it", 1),
                                zero: zero(&t),
                                secret: f.sensitive,
                            }
                        })
                        .collect();
                    let known = fields.iter().map(|f| naming::string_literal(&f.json, Lang::Kotlin)).collect::<Vec<_>>().join(", ");
                    Some(ModelCtx {
                        name: m.name.clone(),
                        kind: "struct",
                        doc: kdoc(&[&doc_text], ""),
                        fields,
                        members: Vec::new(),
                        variants: Vec::new(),
                        known,
                    })
                }
                ModelKind::Enum(values) => Some(ModelCtx {
                    name: m.name.clone(),
                    kind: "enum",
                    doc: kdoc(
                        &[
                            &doc_text,
                            &format!("An open set: the known values are constants (`{}.values`), and a value the spec does not list is kept as it came (`isKnown` is false).", m.name),
                        ],
                        "",
                    ),
                    fields: Vec::new(),
                    members: values
                        .iter()
                        .zip(naming::enum_members(values, Lang::Kotlin))
                        .map(|(value, name)| MemberCtx { name, value: naming::string_literal(value, Lang::Kotlin) })
                        .collect(),
                    variants: Vec::new(),
                    known: String::new(),
                }),
                ModelKind::OneOf(variants) => Some(ModelCtx {
                    name: m.name.clone(),
                    kind: "oneof",
                    doc: kdoc(&[&doc_text, &format!("One of: {}. Read it as one with `as…()`, build it with `of(…)`.", variants.join(", "))], ""),
                    fields: Vec::new(),
                    members: Vec::new(),
                    variants: variants.iter().filter(|v| matches!(spec.model(v).map(|m| &m.kind), Some(ModelKind::Struct(_)))).cloned().collect(),
                    known: String::new(),
                }),
                ModelKind::Alias(_) => None,
            }
        })
        .collect();
    ModelsFile { header: naming::spec_header(Lang::Kotlin), models }
}

// ---------------------------------------------------------------------------
// Operations.kt

#[derive(Serialize)]
pub struct OpsFile {
    header: String,
    fns: Vec<FnCtx>,
}

/// One typed extension function.
#[derive(Serialize)]
struct FnCtx {
    doc: String,
    suspend: bool,
    /// The receiver (`ProjectsApi`), the name, the parameters (`name: Type = default` each), the return type.
    receiver: String,
    name: String,
    params: Vec<String>,
    ret: String,
    /// The expression of the body.
    body: String,
}

struct TypedParam {
    decl: String,
    /// What the uniffi method is given for it (`name = expr`).
    arg: String,
}

fn lit(s: &str) -> String {
    naming::string_literal(s, Lang::Kotlin)
}

/// The typed form of a path or query parameter and what it hands the uniffi method (`v` is its name).
fn typed_param(spec: &Spec, op: &Op, p: &Param, optional: bool) -> (String, String) {
    let name = naming::ident(&p.name, Lang::Kotlin);
    let q = if optional { "?" } else { "" };
    let v = format!("`{name}`");
    if param_is_datetime(op, p) {
        return ("java.time.OffsetDateTime".into(), format!("{v}{q}.let {{ formatDateTime(it) }}"));
    }
    if let Some(e) = enum_of(spec, &p.ty) {
        return match &p.ty {
            Ty::Array(_) => (format!("kotlin.collections.List<dev.neonkit.models.{e}>"), format!("{v}{q}.map {{ it.value }}")),
            _ => (format!("dev.neonkit.models.{e}"), format!("{v}{q}.value")),
        };
    }
    let ty = match (&p.ty, p.path_kind) {
        (_, PathKind::Integer) if op.path_params.iter().any(|x| x.name == p.name) => "kotlin.Long".to_string(),
        (Ty::I32 | Ty::I64 | Ty::U64, _) => "kotlin.Long".into(),
        (Ty::F64, _) => "kotlin.Double".into(),
        (Ty::Bool, _) => "kotlin.Boolean".into(),
        (Ty::Array(t), _) if matches!(t.as_ref(), Ty::I32 | Ty::I64 | Ty::U64) => "kotlin.collections.List<kotlin.Long>".into(),
        (Ty::Array(_), _) => "kotlin.collections.List<kotlin.String>".into(),
        _ => "kotlin.String".into(),
    };
    (ty, v)
}

/// How a typed response (`text` is the JSON) becomes the Kotlin result: (type, expression).
fn result_of(spec: &Spec, ty: &Ty, text: &str) -> (String, String) {
    let t = kty(spec, ty, false, 0);
    match &t {
        KTy::Model(n) => (kt(&t), format!("dev.neonkit.models.{n}.fromJson({text})")),
        _ => (kt(&t), format!("readJson({text}) {{ {} }} ?: {}", read(&t, "it", 1), zero(&t))),
    }
}

/// The typed item of a pager and how one item's JSON text becomes it.
fn item_of(spec: &Spec, ty: &Ty) -> (String, String) {
    result_of(spec, ty, "it")
}

/// The typed extensions of one operation: suspend, blocking, and the pager.
fn op_fns(spec: &Spec, op: &Op) -> Vec<FnCtx> {
    if !super::json_form(spec, op) {
        return Vec::new();
    }
    let ns_ty = naming::ns_type(&op.ns, Lang::Kotlin);
    let method = naming::method_name(&op.words, Lang::Kotlin);
    let build = |for_pager: bool| -> Vec<TypedParam> {
        let mut ps = Vec::new();
        for p in &op.path_params {
            let (ty, arg) = typed_param(spec, op, p, false);
            ps.push(TypedParam {
                decl: format!("`{}`: {ty}", naming::ident(&p.name, Lang::Kotlin)),
                arg: format!("`{}` = {arg}", naming::ident(&p.name, Lang::Kotlin)),
            });
        }
        for p in super::positional_query(op) {
            let (ty, arg) = typed_param(spec, op, p, false);
            ps.push(TypedParam {
                decl: format!("`{}`: {ty}", naming::ident(&p.name, Lang::Kotlin)),
                arg: format!("`{}` = {arg}", naming::ident(&p.name, Lang::Kotlin)),
            });
        }
        let body = op.body.as_ref().filter(|_| !for_pager || op.pages_by_body());
        let body_ty = body.map(|b| {
            if b.multipart {
                ("kotlin.collections.List<MultipartPart>".to_string(), "`body`".to_string(), "`body`".to_string())
            } else {
                let t = kty(spec, &Ty::Named(b.ty.clone()), false, 0);
                let conv = |o: &str| match &t {
                    KTy::Model(_) => format!("`body`{o}.toJson()"),
                    _ => format!("`body`{o}.let {{ {}.toString() }}", write(&t, "it", 1)),
                };
                (kt(&t), conv(""), conv("?"))
            }
        });
        if let (Some(b), Some((ty, conv, _))) = (body, &body_ty) {
            if b.required {
                ps.push(TypedParam { decl: format!("`body`: {ty}"), arg: format!("`body` = {conv}") });
            }
        }
        let rq = super::record_query(op);
        if !rq.is_empty() {
            let mut fields = Vec::new();
            for p in rq {
                let (ty, arg) = typed_param(spec, op, p, true);
                let name = naming::ident(&p.name, Lang::Kotlin);
                ps.push(TypedParam { decl: format!("`{name}`: {ty}? = null"), arg: String::new() });
                fields.push(format!("`{name}` = {arg}"));
            }
            ps.push(TypedParam {
                decl: String::new(),
                arg: format!("`query` = {}({})", naming::query_type(&op.id, Lang::Kotlin), fields.join(", ")),
            });
        }
        if let (Some(b), Some((ty, _, conv))) = (body, &body_ty) {
            if !b.required {
                ps.push(TypedParam { decl: format!("`body`: {ty}? = null"), arg: format!("`body` = {conv}") });
            }
        }
        let names: Vec<&str> = ps.iter().map(|p| p.decl.as_str()).filter(|d| !d.is_empty()).map(|d| d.split(':').next().unwrap()).collect();
        let unique: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len(), "{}: typed parameters collide: {names:?}", op.id);
        ps
    };
    let (ret, conv) = match &op.response {
        ResponseKind::Json(t) => result_of(spec, t, "raw"),
        ResponseKind::Empty => ("kotlin.Unit".into(), "raw".into()),
        ResponseKind::Bytes => ("kotlin.ByteArray".into(), "raw".into()),
    };
    let ret_doc = match &op.response {
        ResponseKind::Json(Ty::Named(n)) => format!("Returns a `{n}`: {}", docs::returns(spec, n)),
        _ => String::new(),
    };
    let call_doc = format!("`{} {}` (operationId `{}`).", op.method.to_uppercase(), op.path, op.id);
    let waits =
        if op.returns_operations { "Waits for the operations it starts unless the client (`withWait(false)`) says otherwise." } else { "" };
    let deprecated = if op.deprecated { "Deprecated by the API." } else { "" };
    let mut out = Vec::new();
    let ps = build(false);
    let decls: Vec<String> = ps.iter().map(|p| p.decl.clone()).filter(|d| !d.is_empty()).collect();
    let args: Vec<String> = ps.iter().map(|p| p.arg.clone()).filter(|a| !a.is_empty()).collect();
    for blocking in [false, true] {
        let json_name = format!("{method}Json{}", if blocking { "Blocking" } else { "" });
        let lead = if blocking { format!("The blocking form of `{method}`.") } else { String::new() };
        let raw_doc = format!("The JSON-text form: `{json_name}`.");
        out.push(FnCtx {
            doc: kdoc(&[&lead, &docs::prose(op), &ret_doc, &format!("{call_doc} {waits} {deprecated}"), &raw_doc], ""),
            suspend: !blocking,
            receiver: ns_ty.clone(),
            name: format!("{method}{}", if blocking { "Blocking" } else { "" }),
            params: decls.clone(),
            ret: ret.clone(),
            body: format!("{json_name}({}).let {{ raw -> {conv} }}", args.join(", ")),
        });
    }
    if let Some(pg) = &op.pagination {
        let iter = naming::iter_name(&method, Lang::Kotlin);
        let ps = build(true);
        let (item_ty, item_conv) = item_of(spec, &pg.item_ty);
        out.push(FnCtx {
            doc: kdoc(
                &[
                    &docs::walks(op, &method),
                    &format!(
                        "The pager's items are `{}`: `asFlow()` (suspend), `asSequence()` (blocking), or page by page.",
                        item_ty.trim_start_matches("dev.neonkit.models.")
                    ),
                    &call_doc,
                    &format!("The JSON-text form: `{iter}Json`."),
                ],
                "",
            ),
            suspend: false,
            receiver: ns_ty.clone(),
            name: iter.clone(),
            params: ps.iter().map(|p| p.decl.clone()).filter(|d| !d.is_empty()).collect(),
            ret: format!("NeonPages<{item_ty}>"),
            body: format!(
                "NeonPages({iter}Json({})) {{ {item_conv} }}",
                ps.iter().map(|p| p.arg.clone()).filter(|a| !a.is_empty()).collect::<Vec<_>>().join(", ")
            ),
        });
    }
    out
}

fn wf_typed(p: &WorkflowParam, spec: &Spec) -> (String, String, String) {
    let name = naming::ident(&p.name, Lang::Kotlin);
    let default = p.default.as_ref().filter(|_| !p.required);
    match &p.ty {
        Ty::Named(n) => {
            let t = kty(spec, &Ty::Named(n.clone()), false, 0);
            if p.required {
                (format!("`{name}`: {}", kt(&t)), format!("`{name}` = `{name}`.toJson()"), name)
            } else {
                (format!("`{name}`: {}? = null", kt(&t)), format!("`{name}` = `{name}`?.toJson()"), name)
            }
        }
        t => {
            let ty = if matches!(t, Ty::Bool) { "kotlin.Boolean" } else { "kotlin.String" };
            let decl = match (p.required, default) {
                (true, _) => format!("`{name}`: {ty}"),
                (false, Some(Value::Bool(b))) => format!("`{name}`: {ty} = {b}"),
                (false, Some(Value::String(s))) => format!("`{name}`: {ty} = {}", lit(s)),
                (false, _) => format!("`{name}`: {ty}? = null"),
            };
            (decl, format!("`{name}` = `{name}`"), name)
        }
    }
}

fn wf_fns(spec: &Spec, w: &Workflow) -> Vec<FnCtx> {
    if !super::wf_json_form(w) {
        return Vec::new();
    }
    let method = naming::method_name(&w.name.split('_').map(String::from).collect::<Vec<_>>(), Lang::Kotlin);
    let receiver = if w.ns == "client" { "NeonClient".to_string() } else { naming::ns_type(&w.ns, Lang::Kotlin) };
    let typed: Vec<(String, String, String)> = w.params.iter().map(|p| wf_typed(p, spec)).collect();
    let (ret, conv) = match &w.returns {
        Some(t @ Ty::Named(_)) => result_of(spec, t, "raw"),
        Some(Ty::Bool) => ("kotlin.Boolean".into(), "raw".into()),
        Some(_) => ("kotlin.String".into(), "raw".into()),
        None => ("kotlin.Unit".into(), "raw".into()),
    };
    let params_doc: Vec<String> =
        w.params.iter().map(|p| format!("- `{}`: {}", naming::ident(&p.name, Lang::Kotlin), p.doc.trim())).collect();
    [false, true]
        .into_iter()
        .map(|blocking| {
            let json_name = format!("{method}Json{}", if blocking { "Blocking" } else { "" });
            let lead = if blocking { format!("The blocking form of `{method}`.") } else { String::new() };
            FnCtx {
                doc: kdoc(
                    &[
                        &lead,
                        w.summary.trim(),
                        w.description.as_deref().unwrap_or("").trim(),
                        &params_doc.join("\n"),
                        &format!("The workflow `{}` of spec/workflows.yaml. The JSON-text form: `{json_name}`.", w.id()),
                    ],
                    "",
                ),
                suspend: !blocking,
                receiver: receiver.clone(),
                name: format!("{method}{}", if blocking { "Blocking" } else { "" }),
                params: typed.iter().map(|t| t.0.clone()).collect(),
                ret: ret.clone(),
                body: format!("{json_name}({}).let {{ raw -> {conv} }}", typed.iter().map(|t| t.1.clone()).collect::<Vec<_>>().join(", ")),
            }
        })
        .collect()
}

pub fn ops_context(spec: &Spec) -> OpsFile {
    let mut fns = Vec::new();
    for ns in naming::namespaces() {
        for op in spec.ops.iter().filter(|o| o.ns == ns) {
            fns.extend(op_fns(spec, op));
        }
    }
    for w in &spec.workflows {
        fns.extend(wf_fns(spec, w));
    }
    OpsFile { header: naming::spec_header(Lang::Kotlin), fns }
}
