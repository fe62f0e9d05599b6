//! Generates the Node binding's JS shims and TypeScript declarations from the spec:
//! `node/generated/client.js` (one class per namespace, one method per operation,
//! a `…Sync` twin of each, iterators for paginated ones) and
//! `node/generated/index.d.ts` (every model, query and method, typed).
//!
//! The code here computes names (through `naming`) and types into one context;
//! the templates in `templates/node/` lay the files out.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::naming::{self, Lang};
use crate::spec::{Model, ModelKind, Op, Param, PathKind, ResponseKind, Spec, Ty};

/// The templates, by the file each renders.
const TEMPLATES: &[(&str, &str)] = &[
    ("node/client.js", include_str!("../templates/node/client.js.j2")),
    ("node/index.d.ts", include_str!("../templates/node/index.d.ts.j2")),
];

/// Every generated file of the node binding: (path from the repo root, contents).
pub fn files(spec: &Spec) -> Vec<(String, String)> {
    let mut env = crate::code_templates(TEMPLATES);
    // A JS literal of a value (string, boolean, null): its JSON.
    env.add_filter("js", |v: minijinja::Value| serde_json::to_string(&v).unwrap());
    let ctx = context(spec);
    vec![
        ("node/generated/client.js".to_string(), crate::render(&env, "node/client.js", &ctx)),
        ("node/generated/index.d.ts".to_string(), crate::render(&env, "node/index.d.ts", &ctx)),
    ]
}

/// A JS string literal.
fn js_str(s: &str) -> String {
    naming::string_literal(s, Lang::Node)
}

/// A JSDoc block of these paragraphs, each line after `indent`, without the last
/// line's end (the template ends it); empty if there is no text.
fn jsdoc(indent: &str, paragraphs: &[String]) -> String {
    let mut lines: Vec<String> = paragraphs
        .iter()
        .flat_map(|l| {
            if l.is_empty() {
                vec![String::new()]
            } else {
                l.lines().map(|x| x.trim_end().replace("*/", "*\\/")).collect::<Vec<_>>()
            }
        })
        .collect();
    while lines.last().map(|l| l.is_empty()).unwrap_or(false) {
        lines.pop();
    }
    if lines.is_empty() {
        return String::new();
    }
    let mut out = vec![format!("{indent}/**")];
    out.extend(lines.iter().map(|l| if l.is_empty() { format!("{indent} *") } else { format!("{indent} * {l}") }));
    out.push(format!("{indent} */"));
    out.join("\n")
}

/// The paragraphs of an operation's doc: the HTTP call, the summary, whether it waits, whether it is deprecated.
fn op_doc(op: &Op) -> Vec<String> {
    let mut d = vec![format!("`{} {}` ({})", op.method.to_uppercase(), op.path, op.id)];
    if !op.summary.is_empty() {
        d.push(String::new());
        d.push(op.summary.trim().to_string());
    }
    if op.returns_operations {
        d.push(String::new());
        d.push("Waits for the operations it starts unless `{ wait: false }` is given (or the client was made with `waitForOperations: false`).".into());
    }
    if op.deprecated {
        d.push("@deprecated".into());
    }
    d
}

/// A property name for a JSON name: as is if it is an identifier, else a string literal.
fn prop_name(name: &str) -> String {
    let ident = !name.is_empty()
        && name.chars().next().map(|c| c.is_ascii_alphabetic() || c == '_' || c == '$').unwrap_or(false)
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident {
        name.to_string()
    } else {
        js_str(name)
    }
}

fn ts_ty(ty: &Ty) -> String {
    match ty {
        Ty::Str => "string".into(),
        Ty::I32 | Ty::I64 | Ty::U64 | Ty::F64 => "number".into(),
        Ty::Bool => "boolean".into(),
        Ty::Bytes => "Uint8Array | FilePart".into(),
        Ty::Any => "unknown".into(),
        Ty::Array(t) => format!("Array<{}>", ts_ty(t)),
        Ty::Map(t) => format!("Record<string, {}>", ts_ty(t)),
        Ty::Named(n) => n.clone(),
    }
}

fn path_ts(p: &Param) -> String {
    match p.path_kind {
        PathKind::Integer => "string | number".into(),
        _ => "string".into(),
    }
}

/// Whether an operation's query argument is required (it has a required query parameter other than org_id).
fn query_required(op: &Op) -> bool {
    op.query_params.iter().any(|q| q.caller_gives())
}

/// What the templates are rendered from: the names and types of everything
/// the Node binding generates, computed once from the spec.
#[derive(Serialize)]
struct Context {
    header: String,
    /// The d.ts part the vocabulary gives (options, errors).
    vocabulary_dts: String,
    /// Every operation, in the spec's order (the operation table's rows).
    ops: Vec<OpRow>,
    models: Vec<ModelCtx>,
    /// The query parameter interfaces, in the spec's order.
    queries: Vec<QueryTypeCtx>,
    /// The namespaces that have operations, in the order the client lists them.
    namespaces: Vec<NsCtx>,
}

/// A row of the operation table in client.js.
#[derive(Serialize)]
struct OpRow {
    id: String,
    ns: String,
    method: String,
    iter: Option<String>,
    /// (name, integer) of each path parameter, (name, array) of each query parameter.
    path: Vec<(String, bool)>,
    query: Vec<(String, bool)>,
    /// `json`, `multipart`, or none.
    body: Option<&'static str>,
    /// `json`, `empty` or `bytes`.
    response: &'static str,
    returns_operations: bool,
    /// The response's secret fields (hidden when a result is inspected).
    secrets: Vec<String>,
}

#[derive(Serialize)]
struct ModelCtx {
    name: String,
    /// Its JSDoc block, or empty.
    doc: String,
    /// `record` (a struct without fields), `interface`, `enum`, `alias` or `one_of`.
    kind: &'static str,
    fields: Vec<PropCtx>,
    /// An enum's values, a oneOf's variants, an alias's type (alone).
    types: Vec<String>,
}

/// A property of an interface (a model field or a query parameter).
#[derive(Serialize)]
struct PropCtx {
    name: String,
    doc: String,
    optional: bool,
    ty: String,
}

#[derive(Serialize)]
struct QueryTypeCtx {
    id: String,
    name: String,
    fields: Vec<PropCtx>,
}

#[derive(Serialize)]
struct NsCtx {
    name: String,
    /// The client's property (`apiKeys`) and the class (`ApiKeysApi`).
    accessor: String,
    class: String,
    methods: Vec<MethodCtx>,
}

/// An operation's methods in a namespace class.
#[derive(Serialize)]
struct MethodCtx {
    id: String,
    /// Its row in the operation table.
    index: usize,
    name: String,
    iter: Option<String>,
    /// Its JSDoc block, and the blocking twin's.
    doc: String,
    sync_doc: String,
    /// The JS parameters: the path parameters, and whether a body and a query follow them.
    path: Vec<String>,
    body: bool,
    /// Whether the iterator takes the body (the cursor travels in it).
    iter_body: bool,
    query: bool,
    /// The d.ts result type, and a paginated operation's item type and items field.
    ret: String,
    item: String,
    items_field: String,
    /// The d.ts signatures: `call`, `sync`, and `iter`, `iter_sync` for a paginated operation.
    forms: Vec<FormCtx>,
}

#[derive(Serialize)]
struct FormCtx {
    kind: &'static str,
    params: Vec<TsParam>,
}

#[derive(Serialize)]
struct TsParam {
    name: String,
    ty: String,
    optional: bool,
}

/// The d.ts parameters of a call: path parameters, body, query, options, with
/// optional parameters that precede a required one made required-but-undefinable.
fn signature(op: &Op, sync: bool) -> Vec<TsParam> {
    ts_params(op, sync, op.body.as_ref())
}

/// The d.ts parameters of an iterator: path parameters, the body when the
/// cursor travels in it, query, options.
fn iter_signature(op: &Op, sync: bool) -> Vec<TsParam> {
    ts_params(op, sync, op.body.as_ref().filter(|_| op.pages_by_body()))
}

fn ts_params(op: &Op, sync: bool, body: Option<&crate::spec::Body>) -> Vec<TsParam> {
    let mut v: Vec<TsParam> =
        op.path_params.iter().map(|p| TsParam { name: naming::ident(&p.name, Lang::Node), ty: path_ts(p), optional: false }).collect();
    if let Some(b) = body {
        v.push(TsParam { name: "body".into(), ty: b.ty.clone(), optional: !b.required });
    }
    if !op.query_params.is_empty() {
        v.push(TsParam { name: "query".into(), ty: naming::query_type(&op.id, Lang::Node), optional: !query_required(op) });
    }
    v.push(TsParam { name: "options".into(), ty: if sync { "SyncCallOptions" } else { "CallOptions" }.into(), optional: true });
    let mut seen_required = false;
    for p in v.iter_mut().rev() {
        if !p.optional {
            seen_required = true;
        } else if seen_required {
            p.optional = false;
            p.ty = format!("{} | undefined", p.ty);
        }
    }
    v
}

/// The iterator method of a paginated operation.
fn iter_name(op: &Op) -> Option<String> {
    op.pagination.as_ref()?;
    Some(naming::iter_name(&naming::method_name(&op.words, Lang::Node), Lang::Node))
}

fn op_row(spec: &Spec, op: &Op) -> OpRow {
    OpRow {
        id: op.id.clone(),
        ns: naming::ns_accessor(&op.ns, Lang::Node),
        method: naming::method_name(&op.words, Lang::Node),
        iter: iter_name(op),
        path: op.path_params.iter().map(|p| (p.name.clone(), p.path_kind == PathKind::Integer)).collect(),
        query: op.query_params.iter().map(|q| (q.name.clone(), matches!(q.ty, Ty::Array(_)))).collect(),
        body: op.body.as_ref().map(|b| if b.multipart { "multipart" } else { "json" }),
        response: match op.response {
            ResponseKind::Json(_) => "json",
            ResponseKind::Empty => "empty",
            ResponseKind::Bytes => "bytes",
        },
        returns_operations: op.returns_operations,
        secrets: match &op.response {
            ResponseKind::Json(t) => crate::spec::secret_paths(spec, t),
            _ => Vec::new(),
        },
    }
}

fn method(index: usize, op: &Op) -> MethodCtx {
    let name = naming::method_name(&op.words, Lang::Node);
    let iter = iter_name(op);
    let mut sync_doc = op_doc(op);
    sync_doc.insert(1, format!("Blocking form of `{name}` (blocks the event loop: for scripts)."));
    let mut forms = vec![FormCtx { kind: "call", params: signature(op, false) }, FormCtx { kind: "sync", params: signature(op, true) }];
    if iter.is_some() {
        forms.push(FormCtx { kind: "iter", params: iter_signature(op, false) });
        forms.push(FormCtx { kind: "iter_sync", params: iter_signature(op, true) });
    }
    MethodCtx {
        id: op.id.clone(),
        index,
        doc: jsdoc("  ", &op_doc(op)),
        sync_doc: jsdoc("  ", &sync_doc),
        path: op.path_params.iter().map(|p| naming::ident(&p.name, Lang::Node)).collect(),
        body: op.body.is_some(),
        iter_body: op.pages_by_body(),
        query: !op.query_params.is_empty(),
        ret: match &op.response {
            ResponseKind::Json(t) => ts_ty(t),
            ResponseKind::Empty => "void".into(),
            ResponseKind::Bytes => "Buffer".into(),
        },
        item: op.pagination.as_ref().map(|p| ts_ty(&p.item_ty)).unwrap_or_default(),
        items_field: op.pagination.as_ref().map(|p| p.items_field.clone()).unwrap_or_default(),
        forms,
        name,
        iter,
    }
}

fn model(m: &Model) -> ModelCtx {
    let mut doc = Vec::new();
    if let Some(d) = &m.doc {
        doc.push(d.clone());
    }
    if m.deprecated {
        doc.push("@deprecated".into());
    }
    let mut ctx = ModelCtx { name: m.name.clone(), doc: jsdoc("", &doc), kind: "", fields: Vec::new(), types: Vec::new() };
    match &m.kind {
        ModelKind::Struct(fields) if fields.is_empty() => ctx.kind = "record",
        ModelKind::Struct(fields) => {
            ctx.kind = "interface";
            ctx.fields = fields
                .iter()
                .map(|f| {
                    let mut d = Vec::new();
                    if let Some(x) = &f.doc {
                        d.push(x.clone());
                    }
                    if f.sensitive {
                        d.push("Sensitive: never logged by neonkit.".into());
                    }
                    if f.deprecated {
                        d.push("@deprecated".into());
                    }
                    PropCtx {
                        name: prop_name(&f.json_name),
                        doc: jsdoc("  ", &d),
                        optional: !f.required,
                        ty: format!("{}{}", ts_ty(&f.ty), if f.nullable { " | null" } else { "" }),
                    }
                })
                .collect();
        }
        ModelKind::Enum(values) => {
            ctx.kind = "enum";
            ctx.types = values.iter().map(|v| js_str(v)).collect();
        }
        ModelKind::Alias(t) => {
            ctx.kind = "alias";
            ctx.types = vec![ts_ty(t)];
        }
        ModelKind::OneOf(vs) => {
            ctx.kind = "one_of";
            ctx.types = vs.clone();
        }
    }
    ctx
}

fn query_interface(op: &Op, models: &BTreeSet<&str>) -> QueryTypeCtx {
    let name = naming::query_type(&op.id, Lang::Node);
    assert!(!models.contains(name.as_str()), "query type {name} collides with a model");
    QueryTypeCtx {
        id: op.id.clone(),
        name,
        fields: op
            .query_params
            .iter()
            .map(|q| {
                let mut d = Vec::new();
                if let Some(x) = &q.doc {
                    d.push(x.clone());
                }
                if q.name == "org_id" {
                    d.push("Defaults to the client's `orgId`.".into());
                }
                PropCtx { name: prop_name(&q.name), doc: jsdoc("  ", &d), optional: !(q.caller_gives()), ty: ts_ty(&q.ty) }
            })
            .collect(),
    }
}

fn context(spec: &Spec) -> Context {
    let model_names: BTreeSet<&str> = spec.models.iter().map(|m| m.name.as_str()).collect();
    Context {
        header: naming::spec_header(Lang::Node),
        vocabulary_dts: crate::vocabulary::node_dts(&crate::load_vocabulary()),
        ops: spec.ops.iter().map(|op| op_row(spec, op)).collect(),
        models: spec.models.iter().map(model).collect(),
        queries: spec.ops.iter().filter(|op| !op.query_params.is_empty()).map(|op| query_interface(op, &model_names)).collect(),
        namespaces: naming::namespaces()
            .into_iter()
            .filter(|ns| spec.ops.iter().any(|o| &o.ns == ns))
            .map(|ns| NsCtx {
                name: ns.to_string(),
                accessor: naming::ns_accessor(ns, Lang::Node),
                class: naming::ns_type(ns, Lang::Node),
                methods: spec.ops.iter().enumerate().filter(|(_, o)| o.ns == ns).map(|(i, op)| method(i, op)).collect(),
            })
            .collect(),
    }
}
