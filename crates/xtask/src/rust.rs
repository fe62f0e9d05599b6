//! Generates the core's models, operation table, query types and resource
//! methods (async and blocking) from the spec, and `docs/operations.md` (every
//! operation's method in each language).
//!
//! The code here computes names (through `naming`) and types into one context;
//! the templates in `templates/rust/` lay the files out.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::naming::{self, Lang};
use crate::spec::{Field, Model, ModelKind, Op, PathKind, ResponseKind, Spec, Ty};

/// The Rust identifier of a JSON field or a parameter (`r#type`).
fn field_ident(json: &str) -> String {
    naming::ident(json, Lang::Rust)
}

/// A spec description as the lines of a doc comment that rustdoc renders as
/// prose: no doctests from indented or fenced blocks (every fence opens a
/// `text` block).
pub fn doc_text(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.trim().lines() {
        let mut l = line.trim_start().to_string();
        if l.starts_with("```") {
            l = "```text".to_string();
            let fences: usize = out.iter().map(|o| o.matches("```").count()).sum();
            if line.trim() == "```" && out.iter().any(|o| o.contains("```text")) && fences % 2 == 1 {
                l = "```".to_string();
            }
        }
        out.push(l);
    }
    out
}

/// [`doc_text`] as `///` lines, each after `indent` (for the uniffi binding's generator).
pub fn doc_lines(text: &str, indent: &str) -> String {
    doc_text(text).iter().map(|l| if l.is_empty() { format!("{indent}///\n") } else { format!("{indent}/// {l}\n") }).collect()
}

/// The Rust type of a spec type.
fn rust_ty(ty: &Ty) -> String {
    match ty {
        Ty::Str => "String".into(),
        Ty::I32 => "i32".into(),
        Ty::I64 => "i64".into(),
        Ty::U64 => "u64".into(),
        Ty::F64 => "f64".into(),
        Ty::Bool => "bool".into(),
        Ty::Bytes => "Vec<u8>".into(),
        Ty::Any => "serde_json::Value".into(),
        Ty::Array(t) => format!("Vec<{}>", rust_ty(t)),
        Ty::Map(t) => format!("std::collections::BTreeMap<String, {}>", rust_ty(t)),
        Ty::Named(n) => n.clone(),
    }
}

fn field_ty(f: &Field) -> String {
    let base = rust_ty(&f.ty);
    if f.required && !f.nullable {
        base
    } else {
        format!("Option<{base}>")
    }
}

/// Structs whose own `Debug` hides something (directly or through a field).
fn redacting_structs(spec: &Spec) -> BTreeSet<String> {
    let mut set: BTreeSet<String> = BTreeSet::new();
    loop {
        let before = set.len();
        for m in &spec.models {
            if let ModelKind::Struct(fields) = &m.kind {
                if fields.iter().any(|f| f.sensitive || f.ty == Ty::Bytes || holds_redacting(&f.ty, &set)) {
                    set.insert(m.name.clone());
                }
            }
        }
        if set.len() == before {
            return set;
        }
    }
}

fn holds_redacting(ty: &Ty, set: &BTreeSet<String>) -> bool {
    match ty {
        Ty::Named(n) => set.contains(n),
        Ty::Array(t) | Ty::Map(t) => holds_redacting(t, set),
        _ => false,
    }
}

/// A value as a Rust literal (the templates' `rs` filter): a string quoted and
/// escaped as Rust's `{:?}` does, `true`/`false`, a number as written.
fn rust_literal(v: minijinja::Value) -> String {
    match v.as_str() {
        Some(s) => naming::string_literal(s, Lang::Rust),
        None if v.kind() == minijinja::value::ValueKind::Bool => v.is_true().to_string(),
        None => v.to_string(),
    }
}

/// The constant of an operation's table entry (`LIST_PROJECTS`).
fn const_name(op: &Op) -> String {
    naming::const_name(&op.id)
}

/// `GetConnectionUriQuery`: Rust's casing of acronyms, whatever the operationId's.
fn query_struct(op: &Op) -> String {
    naming::query_type(&op.id, Lang::Rust)
}

/// The templates, by the file each renders.
const TEMPLATES: &[(&str, &str)] = &[
    ("rust/models.rs", include_str!("../templates/rust/models.rs.j2")),
    ("rust/resources.rs", include_str!("../templates/rust/resources.rs.j2")),
    ("rust/operations.rs", include_str!("../templates/rust/operations.rs.j2")),
    ("rust/operations.md", include_str!("../templates/rust/operations.md.j2")),
    ("rust/workflows.rs", include_str!("../templates/rust/workflows.rs.j2")),
];

/// What the templates are rendered from: the names and types of everything
/// the core generates, computed once from the spec.
#[derive(Serialize)]
struct Context {
    /// The workflows of `spec/workflows.yaml`, in its order.
    workflows: Vec<WorkflowCtx>,
    header: String,
    markdown_header: String,
    /// Every model, in the spec's order (hoisted ones after the components).
    models: Vec<ModelCtx>,
    /// Every operation, in the spec's order.
    ops: Vec<OpCtx>,
    /// The resource namespaces, in the order the client lists them.
    namespaces: Vec<NsCtx>,
}

#[derive(Serialize)]
struct NsCtx {
    name: String,
    /// Its struct (`ApiKeys`).
    ty: String,
    /// Its name as words (`api keys`).
    words: String,
}

#[derive(Serialize)]
struct ModelCtx {
    name: String,
    doc: Vec<String>,
    deprecated: bool,
    /// `alias`, `enum`, `one_of` or `struct`.
    kind: &'static str,
    /// An alias's type.
    alias: String,
    members: Vec<MemberCtx>,
    /// A oneOf's variants (each a type of the same name).
    variants: Vec<String>,
    fields: Vec<FieldCtx>,
    /// Whether the struct's `Debug` is its own, which hides secrets (else derived).
    redacts: bool,
    /// Whether it is a multipart request body.
    multipart: bool,
}

#[derive(Serialize)]
struct MemberCtx {
    name: String,
    value: String,
}

#[derive(Serialize)]
struct FieldCtx {
    json: String,
    ident: String,
    /// `ident` without `r#`.
    plain: String,
    ty: String,
    doc: Vec<String>,
    sensitive: bool,
    deprecated: bool,
    /// Whether serde renames it (`ident` is not the JSON name).
    rename: bool,
    /// Never serialized (binary: multipart only).
    skip: bool,
    /// Optional and not nullable: left out when `None`.
    omit_none: bool,
    /// Whether its type is an `Option`.
    optional: bool,
    /// Whether `Debug` hides it.
    hide: bool,
    /// How a multipart body sends it: `file`, `text` (a string), `display` (an enum) or `json`.
    part: &'static str,
}

#[derive(Serialize)]
struct OpCtx {
    id: String,
    /// The table entry's constant (`LIST_PROJECTS`).
    constant: String,
    /// `GET`, and its `HttpMethod` variant `Get`.
    http_method: String,
    http_variant: String,
    path: String,
    ns: String,
    words: Vec<String>,
    path_params: Vec<PathParamCtx>,
    query_params: Vec<QueryParamCtx>,
    /// The query struct, if the operation has query parameters.
    query_type: Option<String>,
    body: Option<BodyCtx>,
    /// The `ResponseKind` variant: `Json`, `Empty` or `Bytes`.
    response: &'static str,
    status: u16,
    pagination: Option<PageCtx>,
    returns_operations: bool,
    response_fields: Vec<ResponseFieldCtx>,
    body_org_id: Vec<String>,
    deprecated: bool,
    /// The resource method, and its iterator if the operation is paginated.
    name: String,
    iter: Option<String>,
    /// The iterator's parameters after `&self` (path parameters as `&str`, the
    /// body of a body-cursor walk, the query struct), and the names it passes on.
    iter_params: String,
    iter_args: String,
    /// The method's parameters after `&self`: path parameters, body, query struct.
    params: Vec<ParamCtx>,
    /// The method's result type.
    ret: String,
    /// The doc comment's text: the summary and the description, if any.
    summary: Vec<String>,
    description: Option<Vec<String>>,
    /// The method's name in each language, as a user writes it.
    names: naming::LangNames,
}

#[derive(Serialize)]
struct ParamCtx {
    name: String,
    ty: String,
}

#[derive(Serialize)]
struct PathParamCtx {
    name: String,
    ident: String,
    /// The `PathKind` variant.
    kind: String,
    integer: bool,
}

#[derive(Serialize)]
struct QueryParamCtx {
    name: String,
    ident: String,
    /// The query struct field's type.
    ty: String,
    doc: Vec<String>,
    required: bool,
    array: bool,
    /// How a value (an array's: each item) becomes text: `clone()` (a string) or `to_string()`.
    text: &'static str,
}

#[derive(Serialize)]
struct BodyCtx {
    ty: String,
    required: bool,
    multipart: bool,
}

#[derive(Serialize)]
struct PageCtx {
    /// The `PageShape` variant.
    shape: String,
    items_field: String,
    default_limit: Option<i64>,
    /// The item type.
    item: String,
}

#[derive(Serialize)]
struct ResponseFieldCtx {
    name: String,
    /// The `JsonKind` variant.
    kind: String,
    required: bool,
    nullable: bool,
}

/// A resource method's parameters after `&self`: path parameters (`i64` for
/// integer ids), the body, the query struct.
fn params(op: &Op) -> Vec<ParamCtx> {
    let mut params: Vec<ParamCtx> = op
        .path_params
        .iter()
        .map(|p| ParamCtx { name: field_ident(&p.name), ty: if p.path_kind == PathKind::Integer { "i64" } else { "&str" }.into() })
        .collect();
    if let Some(b) = &op.body {
        let ty = if b.required { format!("&{}", b.ty) } else { format!("Option<&{}>", b.ty) };
        params.push(ParamCtx { name: "body".into(), ty });
    }
    if !op.query_params.is_empty() {
        params.push(ParamCtx { name: "query".into(), ty: format!("&{}", query_struct(op)) });
    }
    params
}

/// An iterator's parameters: [`params`] with every path parameter as `&str`.
fn iter_params(op: &Op) -> Vec<ParamCtx> {
    let mut ps = params(op);
    for p in ps.iter_mut().take(op.path_params.len()) {
        p.ty = "&str".into();
    }
    ps
}

fn op_context(op: &Op) -> OpCtx {
    let name = naming::method_name(&op.words, Lang::Rust);
    OpCtx {
        id: op.id.clone(),
        constant: const_name(op),
        http_method: op.method.to_uppercase(),
        http_variant: naming::pascal_words(std::slice::from_ref(&op.method)),
        path: op.path.clone(),
        ns: op.ns.clone(),
        words: op.words.clone(),
        path_params: op
            .path_params
            .iter()
            .map(|p| PathParamCtx {
                name: p.name.clone(),
                ident: field_ident(&p.name),
                kind: format!("{:?}", p.path_kind),
                integer: p.path_kind == PathKind::Integer,
            })
            .collect(),
        query_params: op
            .query_params
            .iter()
            .map(|p| {
                let ty = rust_ty(&p.ty);
                let item = match &p.ty {
                    Ty::Array(inner) => inner,
                    t => t,
                };
                QueryParamCtx {
                    name: p.name.clone(),
                    ident: field_ident(&p.name),
                    ty: if p.required { ty } else { format!("Option<{ty}>") },
                    doc: p.doc.as_deref().map(doc_text).unwrap_or_default(),
                    required: p.required,
                    array: matches!(p.ty, Ty::Array(_)),
                    text: if *item == Ty::Str { "clone()" } else { "to_string()" },
                }
            })
            .collect(),
        query_type: (!op.query_params.is_empty()).then(|| query_struct(op)),
        body: op.body.as_ref().map(|b| BodyCtx { ty: b.ty.clone(), required: b.required, multipart: b.multipart }),
        response: match op.response {
            ResponseKind::Json(_) => "Json",
            ResponseKind::Empty => "Empty",
            ResponseKind::Bytes => "Bytes",
        },
        status: op.status,
        pagination: op.pagination.as_ref().map(|p| PageCtx {
            shape: format!("{:?}", p.shape),
            items_field: p.items_field.clone(),
            default_limit: p.default_limit,
            item: rust_ty(&p.item_ty),
        }),
        returns_operations: op.returns_operations,
        response_fields: op
            .response_fields
            .iter()
            .map(|f| ResponseFieldCtx { name: f.name.clone(), kind: format!("{:?}", f.kind), required: f.required, nullable: f.nullable })
            .collect(),
        body_org_id: op.body_org_id.clone(),
        deprecated: op.deprecated,
        iter: op.pagination.as_ref().map(|_| naming::iter_name(&name, Lang::Rust)),
        iter_params: iter_params(op).iter().map(|p| format!(", {}: {}", p.name, p.ty)).collect(),
        iter_args: iter_params(op).iter().map(|p| p.name.clone()).collect::<Vec<_>>().join(", "),
        name,
        params: params(op),
        ret: match &op.response {
            ResponseKind::Json(t) => rust_ty(t),
            ResponseKind::Empty => "()".into(),
            ResponseKind::Bytes => "bytes::Bytes".into(),
        },
        summary: doc_text(&op.summary),
        description: op.description.as_deref().map(doc_text),
        names: naming::lang_names(op),
    }
}

fn model_context(m: &Model, redacting: &BTreeSet<String>, multipart: &BTreeSet<&str>) -> ModelCtx {
    let mut ctx = ModelCtx {
        name: m.name.clone(),
        doc: m.doc.as_deref().map(doc_text).unwrap_or_default(),
        deprecated: m.deprecated,
        kind: "",
        alias: String::new(),
        members: Vec::new(),
        variants: Vec::new(),
        fields: Vec::new(),
        redacts: redacting.contains(&m.name),
        multipart: multipart.contains(m.name.as_str()),
    };
    match &m.kind {
        ModelKind::Alias(t) => {
            ctx.kind = "alias";
            ctx.alias = rust_ty(t);
        }
        ModelKind::Enum(values) => {
            ctx.kind = "enum";
            ctx.members = values
                .iter()
                .zip(naming::enum_members(values, Lang::Rust))
                .map(|(value, name)| MemberCtx { name, value: value.clone() })
                .collect();
        }
        ModelKind::OneOf(variants) => {
            ctx.kind = "one_of";
            ctx.variants = variants.clone();
        }
        ModelKind::Struct(fields) => {
            ctx.kind = "struct";
            ctx.fields = fields
                .iter()
                .map(|f| {
                    let ident = field_ident(&f.json_name);
                    let plain = ident.trim_start_matches("r#").to_string();
                    FieldCtx {
                        json: f.json_name.clone(),
                        rename: plain != f.json_name,
                        plain,
                        ident,
                        ty: field_ty(f),
                        doc: f.doc.as_deref().map(doc_text).unwrap_or_default(),
                        sensitive: f.sensitive,
                        deprecated: f.deprecated,
                        skip: f.ty == Ty::Bytes,
                        omit_none: !f.required && !f.nullable,
                        optional: !f.required || f.nullable,
                        // A field whose type redacts its own secrets is shown; any other secret is hidden whole.
                        hide: (f.sensitive && !holds_redacting(&f.ty, redacting)) || f.ty == Ty::Bytes,
                        part: match &f.ty {
                            Ty::Bytes => "file",
                            Ty::Str => "text",
                            Ty::Named(_) => "display",
                            _ => "json",
                        },
                    }
                })
                .collect();
        }
    }
    ctx
}

fn context(spec: &Spec) -> Context {
    let redacting = redacting_structs(spec);
    let multipart: BTreeSet<&str> =
        spec.ops.iter().filter_map(|o| o.body.as_ref()).filter(|b| b.multipart).map(|b| b.ty.as_str()).collect();
    Context {
        workflows: spec.workflows.iter().map(workflow_context).collect(),
        header: naming::spec_header(Lang::Rust),
        markdown_header: naming::markdown_header(naming::SPEC_SOURCE),
        models: spec.models.iter().map(|m| model_context(m, &redacting, &multipart)).collect(),
        ops: spec.ops.iter().map(op_context).collect(),
        namespaces: naming::namespaces()
            .into_iter()
            .map(|ns| NsCtx { name: ns.to_string(), ty: naming::ns_type(ns, Lang::Rust), words: naming::ns_words(ns).join(" ") })
            .collect(),
    }
}

#[derive(Serialize)]
struct WorkflowCtx {
    /// `branches.ensure`; `connection_string` for a method of the client.
    id: String,
    /// `branches`, or `client`.
    ns: String,
    /// snake_case: the Rust method.
    name: String,
    summary: String,
    params: Vec<WorkflowParamCtx>,
}

#[derive(Serialize)]
struct WorkflowParamCtx {
    name: String,
    /// The core's `ArgKind` variant: `Str`, `Bool` or `Object`.
    kind: &'static str,
    required: bool,
}

fn workflow_context(w: &crate::spec::Workflow) -> WorkflowCtx {
    WorkflowCtx {
        id: w.id(),
        ns: w.ns.clone(),
        name: w.name.clone(),
        summary: w.summary.clone(),
        params: w
            .params
            .iter()
            .map(|p| WorkflowParamCtx {
                name: p.name.clone(),
                kind: match p.ty {
                    Ty::Str => "Str",
                    Ty::Bool => "Bool",
                    _ => "Object",
                },
                required: p.required,
            })
            .collect(),
    }
}

/// Every file this generator writes: (path from the repo root, contents).
pub fn files(spec: &Spec) -> Vec<(String, String)> {
    let mut env = crate::code_templates(TEMPLATES);
    env.add_filter("rs", rust_literal);
    let ctx = context(spec);
    vec![
        ("crates/neonkit/src/generated/models.rs".to_string(), crate::render(&env, "rust/models.rs", &ctx)),
        ("crates/neonkit/src/generated/operations.rs".to_string(), crate::render(&env, "rust/operations.rs", &ctx)),
        ("crates/neonkit/src/generated/resources.rs".to_string(), crate::render(&env, "rust/resources.rs", &ctx)),
        ("docs/operations.md".to_string(), crate::render(&env, "rust/operations.md", &ctx)),
        ("crates/neonkit/src/generated/workflows.rs".to_string(), crate::render(&env, "rust/workflows.rs", &ctx)),
    ]
}
