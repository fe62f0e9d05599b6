//! Generates the Node binding's JS shims and TypeScript declarations from the spec:
//! `node/generated/client.js` (one class per namespace, one method per operation,
//! a `…Sync` twin of each, iterators for paginated ones) and
//! `node/generated/index.d.ts` (every model, query and method, typed).
//!
//! The code here computes names (through `naming`) and types into one context;
//! the templates in `templates/node/` lay the files out.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::docs;
use crate::naming::{self, Lang};
use crate::spec::{Model, ModelKind, Op, Param, PathKind, ResponseKind, Spec, Ty, Workflow};

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

/// A JSDoc block of these paragraphs (text, made safe here) and tags (see
/// [`tag`]), each line after `indent`, without the last line's end (the
/// template ends it); empty if there is no text.
fn jsdoc(indent: &str, paragraphs: &[String], tags: &[String]) -> String {
    let mut lines: Vec<String> = Vec::new();
    for p in paragraphs.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(naming::doc_safe(p, Lang::Node).lines().map(|l| l.trim_end().to_string()));
    }
    if !lines.is_empty() && !tags.is_empty() {
        lines.push(String::new());
    }
    lines.extend(tags.iter().flat_map(|t| t.lines().map(|l| l.trim_end().to_string())));
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

/// A JSDoc tag (`@param projectId -`, `@returns`) and its text, made safe.
fn tag(head: &str, text: &str) -> String {
    format!("{head} {}", naming::doc_safe(text.trim(), Lang::Node))
}

/// The HTTP call of an operation, as its docs name it.
fn http_call(op: &Op) -> String {
    format!("`{} {}` ({})", op.method.to_uppercase(), op.path, op.id)
}

const WAITS: &str =
    "Waits for the operations it starts unless `{ wait: false }` is given (or the client was made with `waitForOperations: false`).";

/// client.js's comment of a method: the HTTP call, the summary, whether it waits, whether it is deprecated
/// (the full docs are index.d.ts's).
fn js_doc(op: &Op) -> String {
    let waits = if op.returns_operations { WAITS } else { "" };
    let deprecated = if op.deprecated { vec!["@deprecated".to_string()] } else { Vec::new() };
    jsdoc("  ", &[http_call(op), op.summary.clone(), waits.into()], &deprecated)
}

/// The d.ts JSDoc of one form of an operation's methods: the prose, the HTTP
/// call, whether it waits, `@param` for each parameter, `@returns`.
fn form_doc(spec: &Spec, op: &Op, kind: &str, name: &str, params: &[TsParam]) -> String {
    let sync = kind.ends_with("sync");
    let iter = kind.starts_with("iter");
    let mut prose = Vec::new();
    if iter {
        prose.push(docs::walks(op, name));
    }
    if sync {
        let of = if iter { naming::iter_name(name, Lang::Node) } else { name.to_string() };
        prose.push(format!("Blocking form of `{of}` (blocks the event loop: for scripts)."));
    }
    prose.push(docs::prose(op));
    prose.push(http_call(op));
    if op.returns_operations && !iter {
        prose.push(WAITS.into());
    }
    let mut tags: Vec<String> = params.iter().map(|p| tag(&format!("@param {} -", p.name), &param_doc(spec, op, p, sync, iter))).collect();
    tags.push(tag("@returns", &returns_doc(spec, op, sync, iter)));
    if op.deprecated {
        tags.push("@deprecated".into());
    }
    jsdoc("  ", &prose, &tags)
}

/// A d.ts parameter's `@param` text.
fn param_doc(spec: &Spec, op: &Op, p: &TsParam, sync: bool, iter: bool) -> String {
    match p.name.as_str() {
        "body" => {
            let b = op.body.as_ref().expect("a body parameter has a body");
            docs::body_details(spec, op, format!("The request: a `{}`{}.", b.ty, if p.optional { " (optional)" } else { "" }))
        }
        "query" => {
            let names: Vec<String> = op.query_params.iter().map(|q| format!("`{}`", q.name)).collect();
            let org = if op.query_params.iter().any(|q| q.name == "org_id") { " (`org_id`: the client's `orgId` by default)" } else { "" };
            format!("The query parameters (`{}`): {}{org}.", naming::query_type(&op.id, Lang::Node), names.join(", "))
        }
        "options" => match (op.returns_operations && !iter, sync) {
            (true, false) => "Per-call options: `wait: false` returns at once with the operations it started; `signal` cancels the call.",
            (true, true) => "Per-call options: `wait: false` returns at once with the operations it started.",
            (false, false) => "Per-call options: `signal` cancels the call.",
            (false, true) => "Per-call options.",
        }
        .into(),
        _ => {
            let path = op.path_params.iter().find(|q| naming::ident(&q.name, Lang::Node) == p.name).expect("a path parameter");
            docs::param(path)
        }
    }
}

/// The `@returns` text of a form.
fn returns_doc(spec: &Spec, op: &Op, sync: bool, iter: bool) -> String {
    if iter {
        let item = op.pagination.as_ref().map(|p| ts_ty(&p.item_ty)).unwrap_or_default();
        return format!("An {}iterator of every `{item}`.", if sync { "" } else { "async " });
    }
    let what = match &op.response {
        ResponseKind::Json(Ty::Named(n)) => format!("the `{n}`: {}", docs::returns(spec, n)),
        ResponseKind::Json(t) => format!("the response (`{}`).", ts_ty(t)),
        ResponseKind::Empty => "nothing (the response has no body).".into(),
        ResponseKind::Bytes => "the response body, as a Buffer.".into(),
    };
    match sync {
        true => format!("{}{}", what[..1].to_uppercase(), &what[1..]),
        false => format!("A Promise of {what}"),
    }
}

/// The tags of something deprecated, or none.
fn deprecated(yes: bool) -> Vec<String> {
    if yes {
        vec!["@deprecated".into()]
    } else {
        Vec::new()
    }
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
    /// Every workflow, in the file's order (the workflow table's rows), and those of the client itself.
    workflows: Vec<WorkflowCtx>,
    client_workflows: Vec<WorkflowCtx>,
}

/// A workflow's methods (a namespace's, or the client's for `client`): the promise one and its `…Sync` twin.
#[derive(Serialize)]
struct WorkflowCtx {
    /// The core's id (`branches.ensure`).
    id: String,
    /// Its row in the workflow table.
    index: usize,
    /// The namespace's accessor (`branches`), or `client`.
    ns: String,
    name: String,
    /// The JS parameters before the options (the required ones, camelCase).
    positional: Vec<String>,
    /// The names the core takes the required and the optional arguments by (snake_case).
    params: Vec<String>,
    options: Vec<String>,
    /// The kind of each argument, required and optional, by its name (see [`arg_kind`]).
    kinds: BTreeMap<String, &'static str>,
    /// The result's secret fields (hidden when it is inspected).
    secrets: Vec<String>,
    /// Its comment in client.js.
    doc: String,
    /// The options interface (`BranchesEnsureOptions`), its fields (the optional
    /// parameters), and the d.ts result type.
    options_type: String,
    option_fields: Vec<PropCtx>,
    ret: String,
    /// The d.ts signatures: `call`, `sync`.
    forms: Vec<FormCtx>,
}

/// A row of the operation table in client.js.
#[derive(Serialize)]
struct OpRow {
    id: String,
    ns: String,
    method: String,
    iter: Option<String>,
    /// (name, integer) of each path parameter, (name, kind) of each query parameter (see [`arg_kind`]).
    path: Vec<(String, bool)>,
    query: Vec<(String, &'static str)>,
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
    workflows: Vec<WorkflowCtx>,
}

/// An operation's methods in a namespace class.
#[derive(Serialize)]
struct MethodCtx {
    id: String,
    /// Its row in the operation table.
    index: usize,
    name: String,
    iter: Option<String>,
    /// Its comment in client.js.
    doc: String,
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
    /// Its JSDoc block.
    doc: String,
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

/// What lib/core.js checks an argument's JS type against before any request (an array's: each item's):
/// `s` a string (also an enum's value), `d` a string or a Date (`format: date-time`), `i` an integer
/// (a number or a bigint), `n` a number, `b` a boolean, `x` anything (the core checks it).
fn arg_kind(spec: &Spec, ty: &Ty, date_time: bool) -> &'static str {
    match ty {
        Ty::Str if date_time => "d",
        Ty::Str => "s",
        Ty::I32 | Ty::I64 | Ty::U64 => "i",
        Ty::F64 => "n",
        Ty::Bool => "b",
        Ty::Array(t) => arg_kind(spec, t, date_time),
        Ty::Named(n) => match spec.model(n).map(|m| &m.kind) {
            Some(ModelKind::Enum(_)) => "s",
            Some(ModelKind::Alias(t)) => arg_kind(spec, t, date_time),
            _ => "x",
        },
        Ty::Bytes | Ty::Any | Ty::Map(_) => "x",
    }
}

fn op_row(spec: &Spec, op: &Op) -> OpRow {
    OpRow {
        id: op.id.clone(),
        ns: naming::ns_accessor(&op.ns, Lang::Node),
        method: naming::method_name(&op.words, Lang::Node),
        iter: iter_name(op),
        path: op.path_params.iter().map(|p| (p.name.clone(), p.path_kind == PathKind::Integer)).collect(),
        query: op.query_params.iter().map(|q| (q.name.clone(), arg_kind(spec, &q.ty, q.date_time))).collect(),
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

fn method(spec: &Spec, index: usize, op: &Op) -> MethodCtx {
    let name = naming::method_name(&op.words, Lang::Node);
    let iter = iter_name(op);
    let mut forms = vec![("call", signature(op, false)), ("sync", signature(op, true))];
    if iter.is_some() {
        forms.push(("iter", iter_signature(op, false)));
        forms.push(("iter_sync", iter_signature(op, true)));
    }
    let forms = forms.into_iter().map(|(kind, params)| FormCtx { kind, doc: form_doc(spec, op, kind, &name, &params), params }).collect();
    MethodCtx {
        id: op.id.clone(),
        index,
        doc: js_doc(op),
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
    let doc = jsdoc("", &[docs::text(m.doc.as_deref())], &deprecated(m.deprecated));
    let mut ctx = ModelCtx { name: m.name.clone(), doc, kind: "", fields: Vec::new(), types: Vec::new() };
    match &m.kind {
        ModelKind::Struct(fields) if fields.is_empty() => ctx.kind = "record",
        ModelKind::Struct(fields) => {
            ctx.kind = "interface";
            ctx.fields = fields
                .iter()
                .map(|f| {
                    let secret = if f.sensitive { "Sensitive: never logged by neonkit." } else { "" };
                    PropCtx {
                        name: prop_name(&f.json_name),
                        doc: jsdoc("  ", &[docs::text(f.doc.as_deref()), secret.into()], &deprecated(f.deprecated)),
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
                let org = if q.name == "org_id" { "Defaults to the client's `orgId`." } else { "" };
                let doc = jsdoc("  ", &[docs::text(q.doc.as_deref()), org.into()], &[]);
                // A timestamp may be a Date (sent as its ISO text).
                let ty = match (&q.ty, q.date_time) {
                    (Ty::Str, true) => "string | Date".to_string(),
                    (t, _) => ts_ty(t),
                };
                PropCtx { name: prop_name(&q.name), doc, optional: !(q.caller_gives()), ty }
            })
            .collect(),
    }
}

/// A workflow's methods: `(required…, options)`, the optional arguments in the options
/// object by their snake_case names (as query parameters and fields are), with `signal`.
fn workflow(spec: &Spec, index: usize, w: &Workflow, models: &BTreeSet<&str>) -> WorkflowCtx {
    let name = docs::workflow_method(w, Lang::Node);
    let ns = if w.ns == "client" { "client".to_string() } else { naming::ns_accessor(&w.ns, Lang::Node) };
    let options_type =
        format!("{}{}Options", if w.ns == "client" { String::new() } else { naming::pascal(&w.ns) }, naming::pascal(&w.name));
    assert!(!models.contains(options_type.as_str()), "workflow options type {options_type} collides with a model");
    let required: Vec<_> = w.params.iter().filter(|p| p.required).collect();
    let optional: Vec<_> = w.params.iter().filter(|p| !p.required).collect();
    for p in &optional {
        assert!(p.name != "signal", "spec/workflows.yaml: {}: `signal` is the Node options' own", w.id());
    }
    let literal = |v: &serde_yaml::Value| serde_json::to_string(v).unwrap_or_default();
    let option_fields: Vec<PropCtx> = optional
        .iter()
        .map(|p| PropCtx {
            name: prop_name(&p.name),
            doc: jsdoc("  ", &[docs::workflow_param(p, literal)], &[]),
            optional: true,
            ty: ts_ty(&p.ty),
        })
        .collect();
    let ret = match &w.returns {
        None => "void".to_string(),
        Some(t) => ts_ty(t),
    };
    let positional: Vec<String> = required.iter().map(|p| naming::ident(&p.name, Lang::Node)).collect();
    let form = |sync: bool| {
        let mut params: Vec<TsParam> =
            required.iter().zip(&positional).map(|(p, n)| TsParam { name: n.clone(), ty: ts_ty(&p.ty), optional: false }).collect();
        let opts = if sync { format!("Omit<{options_type}, 'signal'>") } else { options_type.clone() };
        if !(sync && optional.is_empty()) {
            params.push(TsParam { name: "options".into(), ty: opts, optional: true });
        }
        let mut prose = Vec::new();
        if sync {
            prose.push(format!("Blocking form of `{name}` (blocks the event loop: for scripts)."));
        }
        prose.push(docs::workflow_prose(w));
        let mut tags: Vec<String> =
            required.iter().zip(&positional).map(|(p, n)| tag(&format!("@param {n} -"), &docs::workflow_param(p, literal))).collect();
        let names: Vec<String> = optional.iter().map(|p| format!("`{}`", p.name)).collect();
        let options_doc = match (names.is_empty(), sync) {
            (true, _) => "`signal` cancels the call.".to_string(),
            (false, true) => format!("The optional arguments (`{options_type}`), by their snake_case names: {}.", names.join(", ")),
            (false, false) => {
                format!(
                    "The optional arguments (`{options_type}`), by their snake_case names: {}; `signal` cancels the call.",
                    names.join(", ")
                )
            }
        };
        if !(sync && optional.is_empty()) {
            tags.push(tag("@param options -", &options_doc));
        }
        let what = match &w.returns {
            Some(Ty::Named(n)) => format!("the `{n}`: {}", docs::workflow_returns(spec, w)),
            _ => docs::workflow_returns(spec, w),
        };
        let what = if sync { format!("{}{}", what[..1].to_uppercase(), &what[1..]) } else { format!("A Promise of {what}") };
        tags.push(tag("@returns", &what));
        let errors: Vec<String> = docs::workflow_errors(&crate::load_vocabulary(), Lang::Node)
            .into_iter()
            .map(|e| tag(&format!("@throws {{{}}}", e.classes.join(" | ")), &e.when))
            .collect();
        tags.extend(errors);
        FormCtx { kind: if sync { "sync" } else { "call" }, doc: jsdoc("  ", &prose, &tags), params }
    };
    WorkflowCtx {
        id: w.id(),
        index,
        doc: jsdoc("  ", &[format!("The workflow `{}`: {}", w.id(), w.summary.trim())], &[]),
        params: required.iter().map(|p| p.name.clone()).collect(),
        options: optional.iter().map(|p| p.name.clone()).collect(),
        kinds: w.params.iter().map(|p| (p.name.clone(), arg_kind(spec, &p.ty, false))).collect(),
        secrets: w.returns.as_ref().map(|t| crate::spec::secret_paths(spec, t)).unwrap_or_default(),
        forms: vec![form(false), form(true)],
        positional,
        option_fields,
        options_type,
        ret,
        ns,
        name,
    }
}

fn context(spec: &Spec) -> Context {
    let model_names: BTreeSet<&str> = spec.models.iter().map(|m| m.name.as_str()).collect();
    let workflows: Vec<WorkflowCtx> = spec.workflows.iter().enumerate().map(|(i, w)| workflow(spec, i, w, &model_names)).collect();
    let client_workflows =
        spec.workflows.iter().enumerate().filter(|(_, w)| w.ns == "client").map(|(i, w)| workflow(spec, i, w, &model_names)).collect();
    for w in &spec.workflows {
        assert!(w.ns == "client" || spec.ops.iter().any(|o| o.ns == w.ns), "spec/workflows.yaml: {}: no namespace {}", w.id(), w.ns);
    }
    Context {
        workflows,
        client_workflows,
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
                methods: spec.ops.iter().enumerate().filter(|(_, o)| o.ns == ns).map(|(i, op)| method(spec, i, op)).collect(),
                workflows: spec
                    .workflows
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| w.ns == ns)
                    .map(|(i, w)| workflow(spec, i, w, &model_names))
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsdoc_blocks_escape_the_text_not_the_tags() {
        let doc =
            jsdoc("  ", &["Ends */ here\n@not a tag".into(), String::new()], &[tag("@param x -", "a /* b\n@c"), "@deprecated".into()]);
        assert_eq!(
            doc,
            "  /**\n   * Ends *\\/ here\n   * \\@not a tag\n   *\n   * @param x - a /\\* b\n   * \\@c\n   * @deprecated\n   */"
        );
        assert_eq!(jsdoc("", &[String::new()], &[]), "");
    }
}
