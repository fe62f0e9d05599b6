//! Generates the uniffi binding's shims from the spec, and `cargo xtask bindgen`.
//!
//! - `bindings/uniffi/src/generated/api.rs`: one uniffi Object per resource
//!   namespace (`ProjectsApi`, …) with, per operation, an async method, a
//!   `…Blocking` method and, for paginated operations, a pager method; a query
//!   Record per operation with optional query parameters; the namespace getters
//!   of `NeonClient`. Each method only converts: it hands the operation, its path
//!   values, its query parameters by name and its body to the core's kernel
//!   (`Client::call_op`, `Client::pager_by_id`), which checks and runs them.
//! - test dispatch tables for Kotlin and Swift: operationId → the generated
//!   method, which the scenario runners and the surface check call.
//! - typed read-only views of the models for Kotlin and Swift.
//!
//! Design (see bindings/uniffi/README.md): path parameters are positional
//! (`Long` for integer ids), required query parameters positional, optional ones
//! in the operation's query Record, JSON bodies as JSON text, multipart bodies
//! as a list of `MultipartPart`, JSON responses as JSON text, binary responses
//! as bytes.
//!
//! The code here computes names (through `naming`) and types into one context;
//! the templates in `templates/uniffi/` lay the files out.

use std::path::Path;
use std::process::Command;

use serde::Serialize;

use crate::docs;
use crate::naming::{self, Lang};

#[path = "uniffi_kotlin.rs"]
mod kotlin;
#[path = "uniffi_swift.rs"]
mod swift;
use crate::spec::{Field, ModelKind, Op, Param, PathKind, ResponseKind, Spec, Ty, Workflow, WorkflowParam};

/// The templates, by the file each renders.
const TEMPLATES: &[(&str, &str)] = &[
    ("uniffi/api.rs", include_str!("../templates/uniffi/api.rs.j2")),
    ("uniffi/Dispatch.kt", include_str!("../templates/uniffi/Dispatch.kt.j2")),
    ("uniffi/Dispatch.swift", include_str!("../templates/uniffi/Dispatch.swift.j2")),
    ("uniffi/Models.kt", include_str!("../templates/uniffi/Models.kt.j2")),
    ("uniffi/Models.swift", include_str!("../templates/uniffi/Models.swift.j2")),
    ("uniffi/Operations.kt", include_str!("../templates/uniffi/Operations.kt.j2")),
    ("uniffi/Typed.swift", include_str!("../templates/uniffi/Typed.swift.j2")),
];

/// Every generated file of the uniffi binding: (path from the repo root, contents).
pub fn files(spec: &Spec) -> Vec<(String, String)> {
    check_workflow_namespaces(spec);
    let mut env = crate::code_templates(TEMPLATES);
    // A string literal as Rust's `{:?}` writes it (Kotlin and Swift read the spec's names alike).
    env.add_filter("lit", |s: &str| naming::string_literal(s, Lang::Kotlin));
    vec![
        ("bindings/uniffi/src/generated/api.rs".to_string(), crate::render(&env, "uniffi/api.rs", &api_context(spec))),
        (
            "bindings/uniffi/kotlin/src/test/kotlin/dev/neonkit/generated/Dispatch.kt".to_string(),
            crate::render(&env, "uniffi/Dispatch.kt", &dispatch_context(spec, Lang::Kotlin)),
        ),
        (
            "bindings/uniffi/swift/Tests/NeonKitTests/Generated/Dispatch.swift".to_string(),
            crate::render(&env, "uniffi/Dispatch.swift", &dispatch_context(spec, Lang::Swift)),
        ),
        (
            "bindings/uniffi/kotlin/src/main/kotlin/dev/neonkit/models/generated/Models.kt".to_string(),
            crate::render(&env, "uniffi/Models.kt", &kotlin::models_context(spec)),
        ),
        (
            "bindings/uniffi/swift/Sources/NeonKit/Generated/Typed.swift".to_string(),
            crate::render(&env, "uniffi/Typed.swift", &swift::context(spec)),
        ),
        (
            "bindings/uniffi/kotlin/src/main/kotlin/dev/neonkit/generated/Operations.kt".to_string(),
            crate::render(&env, "uniffi/Operations.kt", &kotlin::ops_context(spec)),
        ),
        (
            "bindings/uniffi/swift/Sources/NeonKit/Generated/Models.swift".to_string(),
            crate::render(&env, "uniffi/Models.swift", &views_context(spec, Lang::Swift)),
        ),
    ]
}

// ---------------------------------------------------------------------------
// Query parameters

/// How a query parameter travels: its Rust type and how each value becomes text.
#[derive(Clone, Copy, PartialEq)]
enum QKind {
    Str,
    Int,
    Float,
    Bool,
    StrList,
    IntList,
}

fn qkind(spec: &Spec, ty: &Ty) -> QKind {
    match ty {
        Ty::I32 | Ty::I64 | Ty::U64 => QKind::Int,
        Ty::F64 => QKind::Float,
        Ty::Bool => QKind::Bool,
        Ty::Array(inner) => match qkind(spec, inner) {
            QKind::Int => QKind::IntList,
            _ => QKind::StrList,
        },
        Ty::Named(n) => match spec.model(n).map(|m| &m.kind) {
            Some(ModelKind::Alias(t)) => qkind(spec, t),
            _ => QKind::Str,
        },
        _ => QKind::Str,
    }
}

fn q_rust_ty(k: QKind) -> &'static str {
    match k {
        QKind::Str => "String",
        QKind::Int => "i64",
        QKind::Float => "f64",
        QKind::Bool => "bool",
        QKind::StrList => "Vec<String>",
        QKind::IntList => "Vec<i64>",
    }
}

/// The runner's `Args` getter of a query parameter's kind (Kotlin and Swift).
fn k_getter(k: QKind) -> &'static str {
    match k {
        QKind::Str => "str",
        QKind::Int => "long",
        QKind::Float => "double",
        QKind::Bool => "bool",
        QKind::StrList => "strList",
        QKind::IntList => "longList",
    }
}

/// Query parameters passed positionally (required ones, except org_id, which
/// the client's default may supply).
fn positional_query(op: &Op) -> Vec<&Param> {
    op.query_params.iter().filter(|p| p.caller_gives()).collect()
}

/// Query parameters in the operation's query Record.
fn record_query(op: &Op) -> Vec<&Param> {
    op.query_params.iter().filter(|p| !(p.caller_gives())).collect()
}

// ---------------------------------------------------------------------------
// api.rs

/// What `templates/uniffi/api.rs.j2` is rendered from.
#[derive(Serialize)]
struct ApiContext {
    header: String,
    /// The query Records, in the spec's order.
    records: Vec<RecordCtx>,
    /// The namespaces that have operations, in the order the client lists them.
    namespaces: Vec<ApiNsCtx>,
    /// The workflows, by the Object they are methods of: the client's own, then each namespace's.
    workflow_groups: Vec<WorkflowGroupCtx>,
}

#[derive(Serialize)]
struct WorkflowGroupCtx {
    /// The Object (`NeonClient`, `BranchesApi`) and how its docs name it (`client`, `branches`).
    ty: String,
    owner: String,
    workflows: Vec<WorkflowCtx>,
}

#[derive(Serialize)]
struct RecordCtx {
    /// The operationId.
    id: String,
    ty: String,
    fields: Vec<QueryCtx>,
}

/// A query parameter: a Record field or a positional parameter.
#[derive(Serialize)]
struct QueryCtx {
    ident: String,
    /// Its Rust type (without the Record's `Option`).
    ty: &'static str,
    /// Its doc comment's lines (indented for a Record field), or empty.
    doc: String,
    /// The statement pushing its `(name, text)` pairs into `q` (a Record
    /// field's value is `v`, a positional parameter's its own name).
    push: String,
}

#[derive(Serialize)]
struct ApiNsCtx {
    name: String,
    /// Its name as words (`api keys`).
    words: String,
    /// Its Object (`ApiKeysApi`) and the Kotlin/Swift accessor (`apiKeys`).
    ty: String,
    accessor: String,
    ops: Vec<ApiOpCtx>,
}

/// A workflow of spec/workflows.yaml: an async method and its blocking twin
/// that hand the arguments, by the file's names, to `Client::workflow`.
#[derive(Serialize)]
struct WorkflowCtx {
    /// The id the core dispatches on (`branches.ensure`).
    id: String,
    /// The Rust method (Kotlin and Swift call it in lowerCamelCase).
    name: String,
    doc: String,
    blocking_doc: String,
    params: Vec<ParamCtx>,
    /// The `default(…)` entries of the optional parameters.
    defaults: String,
    /// The `WorkflowArgs` calls that add each argument (`.str("project_id", Some(project_id))`).
    adds: Vec<String>,
    /// The result's Rust type and the function that reads it from the core's JSON.
    ret: &'static str,
    conv: &'static str,
}

#[derive(Serialize)]
struct ApiOpCtx {
    id: String,
    /// The table entry's constant (`LIST_PROJECTS`).
    constant: String,
    /// The Rust method (Kotlin and Swift call it in lowerCamelCase).
    name: String,
    /// The doc comments (`///` lines) of the async method and of its blocking twin.
    doc: String,
    blocking_doc: String,
    /// The result type and the function that makes it (`text`, `empty`, `bytes`).
    ret: &'static str,
    conv: &'static str,
    path_values: Vec<PathCtx>,
    /// The required query parameters, positional.
    positional: Vec<QueryCtx>,
    /// Whether the operation has a query Record.
    record: bool,
    call: SigCtx,
    /// The pager, for a paginated operation.
    pager: Option<PagerCtx>,
}

#[derive(Serialize)]
struct PathCtx {
    ident: String,
    integer: bool,
}

/// A method's parameters after `&self`, their `default(…)` entries and its body.
#[derive(Serialize)]
struct SigCtx {
    params: Vec<ParamCtx>,
    defaults: String,
    body: Option<BodyCtx>,
}

#[derive(Serialize)]
struct ParamCtx {
    name: String,
    ty: String,
    /// Its text in the doc comment's parameter list.
    doc: String,
}

#[derive(Serialize)]
struct BodyCtx {
    /// `crate::json_body` or `crate::parts_body`.
    conv: &'static str,
    required: bool,
}

#[derive(Serialize)]
struct PagerCtx {
    name: String,
    sig: SigCtx,
    /// Its doc comment (`///` lines).
    doc: String,
}

/// A statement pushing the `(name, text)` pairs of a query parameter's value `access` into `q`.
fn q_push(k: QKind, name: &str, access: &str) -> String {
    match k {
        QKind::Str => format!("q.push(({name:?}.into(), {access}));"),
        QKind::Int | QKind::Float | QKind::Bool => format!("q.push(({name:?}.into(), {access}.to_string()));"),
        QKind::StrList => format!("for v in {access} {{ q.push(({name:?}.into(), v)); }}"),
        QKind::IntList => format!("for v in {access} {{ q.push(({name:?}.into(), v.to_string())); }}"),
    }
}

/// `///` lines of a doc comment, each after `indent`, without the last line's
/// end (the template ends it). uniffi copies them into KDoc and Swift's
/// `/** */` blocks, so the text is made safe there.
fn doc_comment(text: &str, indent: &str) -> String {
    let lines = crate::rust::doc_lines(&naming::doc_safe(text, Lang::Kotlin), indent);
    lines.strip_suffix('\n').unwrap_or(&lines).to_string()
}

/// The parameters in a doc comment, as Swift's markup writes them and Markdown
/// (KDoc) reads as a list: `- Parameter name: text` each (not nested: doc
/// comments keep no indentation, see `rust::doc_text`).
fn param_list(params: &[ParamCtx]) -> String {
    params.iter().map(|p| format!("- Parameter {}: {}", naming::lower_camel(&p.name), p.doc.trim())).collect::<Vec<_>>().join("\n")
}

/// What a method's doc comment says after its prose: the parameters, what it
/// returns, the HTTP call, whether it waits, whether it is deprecated.
fn form_doc(spec: &Spec, op: &Op, form: &str, sig: &SigCtx) -> String {
    let foreign = naming::method_name(&op.words, Lang::Kotlin);
    let foreign = if json_form(spec, op) && form != "pager" { format!("{foreign}Json") } else { foreign };
    let mut parts: Vec<String> = Vec::new();
    match form {
        "pager" => parts.push(docs::walks(op, &foreign)),
        "blocking" => parts.push(format!("The blocking form of `{foreign}`.")),
        _ => {}
    }
    parts.push(docs::prose(op));
    let mut api = Vec::new();
    if !sig.params.is_empty() {
        api.push(param_list(&sig.params));
    }
    let returns = match (&op.response, form) {
        (_, "pager") => {
            let item = match op.pagination.as_ref().map(|p| &p.item_ty) {
                Some(Ty::Named(n)) => format!("the JSON of a `{n}`"),
                _ => "an item's JSON".into(),
            };
            format!("A pager (`nextPage()`, `collectAll()`) whose items are each {item}.")
        }
        (ResponseKind::Json(Ty::Named(n)), _) => format!(
            "The JSON of `{n}`: {} The typed form (Kotlin `{}`) returns a `{n}`; Swift: `NeonModels.{n}(text: json)`.",
            docs::returns(spec, n),
            naming::method_name(&op.words, Lang::Kotlin)
        ),
        (ResponseKind::Json(Ty::Array(t)), _) if matches!(t.as_ref(), Ty::Named(_)) => {
            let Ty::Named(n) = t.as_ref() else { unreachable!() };
            format!("A JSON array of `{n}`.")
        }
        (ResponseKind::Json(_), _) => "The response's JSON.".into(),
        (ResponseKind::Bytes, _) => "The response body.".into(),
        (ResponseKind::Empty, _) => String::new(),
    };
    if !returns.is_empty() {
        api.push(format!("- Returns: {returns}"));
    }
    parts.push(api.join("\n"));
    let mut call = vec![format!("`{} {}` (operationId `{}`).", op.method.to_uppercase(), op.path, op.id)];
    if op.returns_operations && form != "pager" {
        call.push("Waits for the operations it starts unless the client (`withWait(false)`) says otherwise.".into());
    }
    if op.deprecated {
        call.push("Deprecated by the API.".into());
    }
    parts.push(call.join("\n"));
    let text: Vec<String> = parts.into_iter().filter(|p| !p.trim().is_empty()).collect();
    doc_comment(&text.join("\n\n"), "    ")
}

/// A parameter's text: a path or query parameter's description, the body's model and fields, the query Record's fields.
fn param_doc(spec: &Spec, op: &Op, name: &str, required: bool) -> String {
    match name {
        "body" => {
            let b = op.body.as_ref().expect("a body parameter has a body");
            let what = if b.multipart { "The parts of a multipart".to_string() } else { "The JSON of a".to_string() };
            docs::body_details(spec, op, format!("{what} `{}`{}.", b.ty, if required { "" } else { " (optional)" }))
        }
        "query" => {
            let names: Vec<String> = record_query(op).iter().map(|q| format!("`{}`", naming::ident(&q.name, Lang::Kotlin))).collect();
            format!("The optional query parameters (`{}`): {}.", naming::query_type(&op.id, Lang::Kotlin), names.join(", "))
        }
        _ => op
            .path_params
            .iter()
            .chain(&op.query_params)
            .find(|p| naming::uniffi_ident(&p.name) == name)
            .map(docs::param)
            .unwrap_or_default(),
    }
}

fn query_ctx(spec: &Spec, p: &Param, record: bool) -> QueryCtx {
    let k = qkind(spec, &p.ty);
    let ident = naming::uniffi_ident(&p.name);
    QueryCtx {
        push: q_push(k, &p.name, if record { "v" } else { &ident }),
        ident,
        ty: q_rust_ty(k),
        doc: p.doc.as_deref().map(|d| doc_comment(d, "    ")).unwrap_or_default(),
    }
}

/// The parameters of an operation's call (or, `for_pager`, its pager, which has a body only when the cursor travels in it):
/// path parameters, required query parameters, a required body, the query Record, an optional body.
fn signature(spec: &Spec, op: &Op, for_pager: bool) -> SigCtx {
    let mut params: Vec<ParamCtx> = op
        .path_params
        .iter()
        .map(|p| ParamCtx {
            name: naming::uniffi_ident(&p.name),
            ty: if p.path_kind == PathKind::Integer { "i64" } else { "String" }.into(),
            doc: docs::param(p),
        })
        .collect();
    for p in positional_query(op) {
        params.push(ParamCtx { name: naming::uniffi_ident(&p.name), ty: q_rust_ty(qkind(spec, &p.ty)).into(), doc: docs::param(p) });
    }
    let mut defaults = Vec::new();
    let body = op.body.as_ref().filter(|_| !for_pager || op.pages_by_body());
    let body_ty = body.map(|b| if b.multipart { "Vec<crate::MultipartPart>" } else { "String" });
    if let (Some(b), Some(ty)) = (body, body_ty) {
        if b.required {
            params.push(ParamCtx { name: "body".into(), ty: ty.into(), doc: param_doc(spec, op, "body", true) });
        }
    }
    if !record_query(op).is_empty() {
        params.push(ParamCtx {
            name: "query".into(),
            ty: format!("Option<{}>", naming::query_type(&op.id, Lang::Kotlin)),
            doc: param_doc(spec, op, "query", false),
        });
        defaults.push("query = None");
    }
    if let (Some(b), Some(ty)) = (body, body_ty) {
        if !b.required {
            params.push(ParamCtx { name: "body".into(), ty: format!("Option<{ty}>"), doc: param_doc(spec, op, "body", false) });
            defaults.push("body = None");
        }
    }
    SigCtx {
        params,
        defaults: defaults.join(", "),
        body: body.map(|b| BodyCtx { conv: if b.multipart { "crate::parts_body" } else { "crate::json_body" }, required: b.required }),
    }
}

/// Whether an operation's uniffi methods are its JSON-text forms (`create_json`, `createJson` in
/// Kotlin and Swift), under the typed methods that Kotlin's generated layer adds by the plain name:
/// those with a JSON body or result, optional query parameters (the typed form takes them by name)
/// or an enum- or date-time-typed parameter. The others (no JSON either way) keep the plain name:
/// their uniffi method is already typed.
pub(crate) fn json_form(spec: &Spec, op: &Op) -> bool {
    op.body.as_ref().map(|b| !b.multipart).unwrap_or(false)
        || matches!(op.response, ResponseKind::Json(_))
        || !record_query(op).is_empty()
        || op.path_params.iter().chain(&op.query_params).any(|p| kotlin::param_is_typed(spec, op, p))
}

/// Whether a workflow's uniffi methods are JSON-text forms (`…_json`): it takes or returns a schema.
pub(crate) fn wf_json_form(w: &Workflow) -> bool {
    matches!(w.returns, Some(Ty::Named(_))) || w.params.iter().any(|p| matches!(p.ty, Ty::Named(_)))
}

/// The uniffi (Rust) method of an operation: `create_json` for a JSON form, else `create`.
fn uniffi_op_method(spec: &Spec, op: &Op) -> String {
    let name = naming::uniffi_method(&op.words);
    if json_form(spec, op) {
        format!("{name}_json")
    } else {
        name
    }
}

fn api_op(spec: &Spec, op: &Op) -> ApiOpCtx {
    let name = uniffi_op_method(spec, op);
    let call = signature(spec, op, false);
    let (ret, conv) = match op.response {
        ResponseKind::Json(_) => ("String", "text"),
        ResponseKind::Empty => ("()", "empty"),
        ResponseKind::Bytes => ("Vec<u8>", "bytes"),
    };
    ApiOpCtx {
        id: op.id.clone(),
        constant: naming::const_name(&op.id),
        doc: form_doc(spec, op, "async", &call),
        blocking_doc: form_doc(spec, op, "blocking", &call),
        ret,
        conv,
        path_values: op
            .path_params
            .iter()
            .map(|p| PathCtx { ident: naming::uniffi_ident(&p.name), integer: p.path_kind == PathKind::Integer })
            .collect(),
        positional: positional_query(op).into_iter().map(|p| query_ctx(spec, p, false)).collect(),
        record: !record_query(op).is_empty(),
        call,
        pager: op.pagination.as_ref().map(|_| {
            let sig = signature(spec, op, true);
            PagerCtx {
                name: format!("{}_json", naming::iter_name(&naming::uniffi_method(&op.words), Lang::Rust)),
                doc: form_doc(spec, op, "pager", &sig),
                sig,
            }
        }),
        name,
    }
}

fn api_context(spec: &Spec) -> ApiContext {
    ApiContext {
        header: naming::spec_header(Lang::Rust),
        records: spec
            .ops
            .iter()
            .filter(|op| !record_query(op).is_empty())
            .map(|op| RecordCtx {
                id: op.id.clone(),
                ty: naming::query_type(&op.id, Lang::Kotlin),
                fields: record_query(op).into_iter().map(|p| query_ctx(spec, p, true)).collect(),
            })
            .collect(),
        namespaces: naming::namespaces()
            .into_iter()
            .filter(|ns| spec.ops.iter().any(|o| &o.ns == ns))
            .map(|ns| ApiNsCtx {
                name: ns.to_string(),
                words: naming::ns_words(ns).join(" "),
                ty: naming::ns_type(ns, Lang::Kotlin),
                accessor: naming::ns_accessor(ns, Lang::Kotlin),
                ops: spec.ops.iter().filter(|o| o.ns == ns).map(|op| api_op(spec, op)).collect(),
            })
            .collect(),
        workflow_groups: std::iter::once("client")
            .chain(naming::namespaces())
            .map(|ns| WorkflowGroupCtx {
                ty: if ns == "client" { "NeonClient".to_string() } else { naming::ns_type(ns, Lang::Kotlin) },
                owner: if ns == "client" {
                    "NeonClient".to_string()
                } else {
                    format!("client.{}()", naming::ns_accessor(ns, Lang::Kotlin))
                },
                workflows: spec.workflows.iter().filter(|w| w.ns == ns).map(|w| api_workflow(spec, w)).collect(),
            })
            .filter(|g| !g.workflows.is_empty())
            .collect(),
    }
}

// ---------------------------------------------------------------------------
// Workflows (spec/workflows.yaml)

/// The namespace of each workflow must be the client or one that has operations
/// (its Object exists); nothing else has a place for the method.
fn check_workflow_namespaces(spec: &Spec) {
    for w in &spec.workflows {
        assert!(
            w.ns == "client" || spec.ops.iter().any(|o| o.ns == w.ns),
            "spec/workflows.yaml: {}: namespace {} has no operations, so no uniffi Object to hang the method on",
            w.id(),
            w.ns
        );
    }
}

fn workflow_words(w: &Workflow) -> Vec<String> {
    w.name.split('_').filter(|s| !s.is_empty()).map(String::from).collect()
}

/// How a workflow parameter travels: `str`, `bool`, or `json` (a schema, as JSON text).
fn wf_kind(p: &WorkflowParam) -> &'static str {
    match &p.ty {
        Ty::Str => "str",
        Ty::Bool => "bool",
        Ty::Named(_) => "json",
        t => panic!("spec/workflows.yaml: {}: type {t:?} is not string, boolean or a schema", p.name),
    }
}

/// A parameter's yaml default as a Rust literal that uniffi's `default(…)` takes, if it has one.
fn wf_default(p: &WorkflowParam) -> Option<String> {
    let d = p.default.as_ref()?;
    Some(match (wf_kind(p), d) {
        ("bool", serde_yaml::Value::Bool(b)) => b.to_string(),
        ("str", serde_yaml::Value::String(s)) => format!("{s:?}"),
        (k, d) => panic!("spec/workflows.yaml: {}: default {d:?} does not fit its type ({k})", p.name),
    })
}

/// A parameter's text in a doc comment: its doc, what JSON it takes, its default.
fn wf_param_doc(p: &WorkflowParam) -> String {
    let mut d = p.doc.trim().to_string();
    if let Ty::Named(n) = &p.ty {
        d = format!("{d} The JSON of a `{n}`.");
    }
    match (&p.default, wf_default(p)) {
        (_, Some(lit)) if !p.required => format!("{d} Default: `{lit}`."),
        _ => d,
    }
}

/// The doc comment of a workflow's async method or (`blocking`) of its twin.
fn workflow_doc(spec: &Spec, w: &Workflow, params: &[ParamCtx], blocking: bool) -> String {
    let mut parts: Vec<String> = Vec::new();
    if blocking {
        parts.push(format!("The blocking form of `{}`.", naming::method_name(&workflow_words(w), Lang::Kotlin)));
    }
    parts.push(w.summary.trim().to_string());
    if let Some(d) = w.description.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        parts.push(d.to_string());
    }
    let mut api = Vec::new();
    if !params.is_empty() {
        api.push(param_list(params));
    }
    let returns = match &w.returns {
        Some(Ty::Named(n)) => format!(
            "The JSON of `{n}`: {} Typed view: Kotlin `dev.neonkit.models.{n}(json)`, Swift `NeonModels.{n}(text: json)`.",
            docs::returns(spec, n)
        ),
        // The summary names what it is ("The connection URI of …").
        Some(Ty::Str) => format!("A string: {}", lower_first(w.summary.trim())),
        Some(Ty::Bool) => format!("A boolean: {}", lower_first(w.summary.trim())),
        Some(t) => panic!("spec/workflows.yaml: {} returns {t:?}, which the uniffi binding cannot return", w.id()),
        None => String::new(),
    };
    if !returns.is_empty() {
        api.push(format!("- Returns: {returns}"));
    }
    parts.push(api.join("\n"));
    parts.push(format!("The workflow `{}` of spec/workflows.yaml, run by the core (`NeonClient.workflow` is the dynamic form).", w.id()));
    doc_comment(&parts.join("\n\n"), "    ")
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_lowercase().chain(c).collect()).unwrap_or_default()
}

fn api_workflow(spec: &Spec, w: &Workflow) -> WorkflowCtx {
    let mut params = Vec::new();
    let mut defaults = Vec::new();
    let mut adds = Vec::new();
    for p in &w.params {
        let name = naming::uniffi_ident(&p.name);
        let kind = wf_kind(p);
        let base = if kind == "bool" { "bool" } else { "String" };
        let default = wf_default(p).filter(|_| !p.required);
        // Required ones and ones with a default are the value itself; the others are optional (None: absent).
        let (ty, value) = if p.required || default.is_some() {
            (base.to_string(), format!("Some({name})"))
        } else {
            defaults.push(format!("{name} = None"));
            (format!("Option<{base}>"), name.clone())
        };
        if let Some(lit) = default {
            defaults.push(format!("{name} = {lit}"));
        }
        adds.push(format!(".{kind}({:?}, {value})", p.name));
        params.push(ParamCtx { name, ty, doc: wf_param_doc(p) });
    }
    let (ret, conv) = match &w.returns {
        Some(Ty::Str) => ("String", "crate::wf_string"),
        Some(Ty::Bool) => ("bool", "crate::wf_bool"),
        Some(_) => ("String", "crate::wf_json"),
        None => ("()", "crate::wf_unit"),
    };
    WorkflowCtx {
        id: w.id(),
        name: if wf_json_form(w) {
            format!("{}_json", naming::uniffi_method(&workflow_words(w)))
        } else {
            naming::uniffi_method(&workflow_words(w))
        },
        doc: workflow_doc(spec, w, &params, false),
        blocking_doc: workflow_doc(spec, w, &params, true),
        defaults: defaults.join(", "),
        params,
        adds,
        ret,
        conv,
    }
}

// ---------------------------------------------------------------------------
// Test dispatch tables

/// What `templates/uniffi/Dispatch.{kt,swift}.j2` are rendered from, with the
/// language's names.
#[derive(Serialize)]
struct DispatchContext {
    header: String,
    ops: Vec<DispatchOpCtx>,
    workflows: Vec<DispatchWfCtx>,
}

/// A workflow's generated method, as the runners call it.
#[derive(Serialize)]
struct DispatchWfCtx {
    id: String,
    /// The namespace's accessor (`branches`), or none for a method of the client.
    ns: Option<String>,
    method: String,
    /// The parameters' names in spec/workflows.yaml (the scenario's `args` keys).
    params: Vec<String>,
    /// The required arguments (positional), then the others (by name).
    positional: Vec<WfArgCtx>,
    named: Vec<WfArgCtx>,
    /// What the method returns: `json` (a model's JSON text), `string`, `bool` or `unit`.
    ret: &'static str,
}

/// One workflow argument, read from the runner's `Args` by its yaml name.
#[derive(Serialize)]
struct WfArgCtx {
    /// The Kotlin/Swift parameter name (`projectId`).
    name: String,
    json: String,
    /// The `Args` getter (`arg`, `argBool`, `argJson`, and their `…Required` forms).
    getter: String,
    /// The literal the method's default is (`true`, `"x"`), for an optional argument that has one.
    default: Option<String>,
    required: bool,
}

#[derive(Serialize)]
struct DispatchOpCtx {
    id: String,
    /// The namespace's accessor, the method and, for a paginated operation, the pager method.
    ns: String,
    method: String,
    iter: Option<String>,
    /// The call's arguments and the pager's.
    args: Vec<ArgCtx>,
    pager_args: Vec<ArgCtx>,
}

/// One argument of a dispatched call, read from the runner's `Args`.
#[derive(Serialize)]
struct ArgCtx {
    /// The parameter (`projectId`, `body`, `query`).
    name: String,
    /// Whether it is named from the spec (Kotlin writes it in backticks).
    spec_name: bool,
    /// The `Args` getter (`path`, `pathLong`, `strRequired`, `bodyRequired`…) and
    /// the JSON name it reads, if any.
    getter: String,
    json: Option<String>,
    /// The value the surface check sends when the caller gives none (a path
    /// parameter's; a literal, a number for an integer id).
    dummy: Option<String>,
    integer: bool,
    /// Whether the getter throws (Swift: `try`).
    throws: bool,
    /// The query Record's type and fields, for the `query` argument.
    record: Option<String>,
    fields: Vec<ArgCtx>,
}

impl ArgCtx {
    fn new(name: impl Into<String>, spec_name: bool, getter: impl Into<String>, json: Option<&str>, throws: bool) -> ArgCtx {
        ArgCtx {
            name: name.into(),
            spec_name,
            getter: getter.into(),
            json: json.map(String::from),
            dummy: None,
            integer: false,
            throws,
            record: None,
            fields: Vec::new(),
        }
    }
}

fn dispatch_args(spec: &Spec, op: &Op, lang: Lang, for_pager: bool) -> Vec<ArgCtx> {
    let mut args = Vec::new();
    for p in &op.path_params {
        // Valid for the parameter's kind, so the call reaches the server.
        let dummy = match p.path_kind {
            PathKind::Id => "surface-check-1",
            PathKind::Slug => "surfacecheck1",
            PathKind::Uuid => "00000000-0000-4000-8000-000000000001",
            PathKind::Integer => "1",
            PathKind::Name => "surface_check",
        };
        let integer = p.path_kind == PathKind::Integer;
        let getter = if integer { "pathLong" } else { "path" };
        let mut a = ArgCtx::new(naming::ident(&p.name, lang), true, getter, Some(&p.name), true);
        a.dummy = Some(if integer { dummy.to_string() } else { format!("{dummy:?}") });
        a.integer = integer;
        args.push(a);
    }
    for p in positional_query(op) {
        let getter = format!("{}Required", k_getter(qkind(spec, &p.ty)));
        args.push(ArgCtx::new(naming::ident(&p.name, lang), true, getter, Some(&p.name), true));
    }
    let body = op.body.as_ref().filter(|_| !for_pager || op.pages_by_body());
    let body_getter = |required: bool| {
        let g = if body.map(|b| b.multipart).unwrap_or(false) { "parts" } else { "body" };
        if required {
            format!("{g}Required")
        } else {
            g.to_string()
        }
    };
    if body.map(|b| b.required).unwrap_or(false) {
        args.push(ArgCtx::new("body", false, body_getter(true), None, true));
    }
    let rq = record_query(op);
    if !rq.is_empty() {
        let mut a = ArgCtx::new("query", false, "", None, false);
        a.record = Some(naming::query_type(&op.id, lang));
        a.fields = rq
            .iter()
            .map(|p| ArgCtx::new(naming::ident(&p.name, lang), true, k_getter(qkind(spec, &p.ty)), Some(&p.name), false))
            .collect();
        args.push(a);
    }
    if body.map(|b| !b.required).unwrap_or(false) {
        args.push(ArgCtx::new("body", false, body_getter(false), None, false));
    }
    args
}

fn dispatch_workflow(w: &Workflow, lang: Lang) -> DispatchWfCtx {
    let arg = |p: &WorkflowParam| {
        let base = match wf_kind(p) {
            "str" => "arg",
            "bool" => "argBool",
            _ => "argJson",
        };
        WfArgCtx {
            name: naming::ident(&p.name, lang),
            json: p.name.clone(),
            getter: if p.required { format!("{base}Required") } else { base.to_string() },
            default: wf_default(p).filter(|_| !p.required),
            required: p.required,
        }
    };
    DispatchWfCtx {
        id: w.id(),
        ns: (w.ns != "client").then(|| naming::ns_accessor(&w.ns, lang)),
        method: format!("{}{}", naming::method_name(&workflow_words(w), lang), if wf_json_form(w) { "Json" } else { "" }),
        params: w.params.iter().map(|p| p.name.clone()).collect(),
        positional: w.params.iter().filter(|p| p.required).map(arg).collect(),
        named: w.params.iter().filter(|p| !p.required).map(arg).collect(),
        ret: match &w.returns {
            Some(Ty::Str) => "string",
            Some(Ty::Bool) => "bool",
            Some(_) => "json",
            None => "unit",
        },
    }
}

fn dispatch_context(spec: &Spec, lang: Lang) -> DispatchContext {
    DispatchContext {
        header: naming::spec_header(lang),
        workflows: spec.workflows.iter().map(|w| dispatch_workflow(w, lang)).collect(),
        ops: spec
            .ops
            .iter()
            .map(|op| {
                let method = naming::method_name(&op.words, lang);
                DispatchOpCtx {
                    id: op.id.clone(),
                    ns: naming::ns_accessor(&op.ns, lang),
                    iter: op.pagination.as_ref().map(|_| format!("{}Json", naming::iter_name(&method, lang))),
                    method: if json_form(spec, op) { format!("{method}Json") } else { method },
                    args: dispatch_args(spec, op, lang, false),
                    pager_args: dispatch_args(spec, op, lang, true),
                }
            })
            .collect(),
    }
}

// ---------------------------------------------------------------------------
// Typed read-only views of the API's models over the JSON text that calls
// return: Kotlin classes in `dev.neonkit.models`, Swift structs in `NeonModels`.
// A view never fails to build (unknown fields are kept in its JSON, enums are
// open strings), and its `toString`/`description` never prints field values
// (some hold secrets).

/// What a spec type becomes in the views.
enum VTy {
    Str,
    Int,
    Long,
    Double,
    Bool,
    Json,
    Model(String),
    List(Box<VTy>),
    Map(Box<VTy>),
}

fn vty(spec: &Spec, ty: &Ty, depth: usize) -> VTy {
    match ty {
        Ty::Str | Ty::Bytes => VTy::Str,
        Ty::I32 => VTy::Int,
        Ty::I64 | Ty::U64 => VTy::Long,
        Ty::F64 => VTy::Double,
        Ty::Bool => VTy::Bool,
        Ty::Any => VTy::Json,
        Ty::Array(t) => VTy::List(Box::new(vty(spec, t, depth))),
        Ty::Map(t) => VTy::Map(Box::new(vty(spec, t, depth))),
        Ty::Named(n) => match spec.model(n).map(|m| &m.kind) {
            Some(ModelKind::Struct(_)) => VTy::Model(n.clone()),
            Some(ModelKind::Enum(_)) => VTy::Str,
            Some(ModelKind::Alias(t)) if depth < 8 => vty(spec, t, depth + 1),
            _ => VTy::Json,
        },
    }
}

fn kt_type(t: &VTy) -> String {
    match t {
        VTy::Str => "kotlin.String".into(),
        VTy::Int => "kotlin.Int".into(),
        VTy::Long => "kotlin.Long".into(),
        VTy::Double => "kotlin.Double".into(),
        VTy::Bool => "kotlin.Boolean".into(),
        VTy::Json => "JsonElement".into(),
        VTy::Model(n) => n.clone(),
        VTy::List(e) => format!("kotlin.collections.List<{}>", kt_type(e)),
        VTy::Map(e) => format!("kotlin.collections.Map<kotlin.String, {}>", kt_type(e)),
    }
}

/// A Kotlin expression of type `T?` reading the JsonElement `v`.
fn kt_read(t: &VTy, v: &str, depth: usize) -> String {
    let e = format!("e{depth}");
    match t {
        VTy::Str => format!("asString({v})"),
        VTy::Int => format!("asInt({v})"),
        VTy::Long => format!("asLong({v})"),
        VTy::Double => format!("asDouble({v})"),
        VTy::Bool => format!("asBool({v})"),
        VTy::Json => v.to_string(),
        VTy::Model(n) => format!("asObject({v})?.let {{ {n}(it) }}"),
        VTy::List(inner) => format!("asArray({v})?.mapNotNull {{ {e} -> {} }}", kt_read(inner, &e, depth + 1)),
        VTy::Map(inner) => format!(
            "asObject({v})?.entries?.mapNotNull {{ ({e}k, {e}) -> {}?.let {{ {e}k to it }} }}?.toMap()",
            kt_read(inner, &e, depth + 1)
        ),
    }
}

fn swift_type(t: &VTy) -> String {
    match t {
        VTy::Str => "String".into(),
        VTy::Int | VTy::Long => "Int64".into(),
        VTy::Double => "Double".into(),
        VTy::Bool => "Bool".into(),
        VTy::Json => "Any".into(),
        VTy::Model(n) => format!("NeonModels.{n}"),
        VTy::List(e) => format!("[{}]", swift_type(e)),
        VTy::Map(e) => format!("[String: {}]", swift_type(e)),
    }
}

/// A Swift expression of type `T?` reading the `Any` value `v`.
fn swift_read(t: &VTy, v: &str, depth: usize) -> String {
    let e = format!("e{depth}");
    match t {
        VTy::Str => format!("NeonModels.asString({v})"),
        VTy::Int | VTy::Long => format!("NeonModels.asInt({v})"),
        VTy::Double => format!("NeonModels.asDouble({v})"),
        VTy::Bool => format!("NeonModels.asBool({v})"),
        VTy::Json => format!("Optional<Any>.some({v})"),
        VTy::Model(n) => format!("NeonModels.asObject({v}).map {{ NeonModels.{n}(json: $0) }}"),
        VTy::List(inner) => format!("NeonModels.asArray({v})?.compactMap {{ {e} in {} }}", swift_read(inner, &e, depth + 1)),
        VTy::Map(inner) => format!("NeonModels.asObject({v})?.compactMapValues {{ {e} in {} }}", swift_read(inner, &e, depth + 1)),
    }
}

/// A view's doc comment of these paragraphs, each line after `indent`: a KDoc
/// block (on one line when the text is one line) or Swift `///` lines; empty
/// when there is no text.
fn view_doc(paragraphs: &[&str], lang: Lang, indent: &str) -> String {
    let text: Vec<&str> = paragraphs.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect();
    let safe = naming::doc_safe(&text.join("\n\n"), lang);
    let lines: Vec<&str> = safe.lines().map(str::trim_end).collect();
    let prefixed = |prefix: &str| -> Vec<String> {
        lines.iter().map(|l| if l.is_empty() { format!("{indent}{prefix}") } else { format!("{indent}{prefix} {l}") }).collect()
    };
    match (lang, lines.as_slice()) {
        (_, []) => String::new(),
        (Lang::Kotlin, [one]) => format!("{indent}/** {one} */"),
        (Lang::Kotlin, _) => [vec![format!("{indent}/**")], prefixed(" *"), vec![format!("{indent} */")]].concat().join("\n"),
        _ => prefixed("///").join("\n"),
    }
}

/// What a view says of a secret field.
fn secret_note(lang: Lang) -> &'static str {
    match lang {
        Lang::Kotlin => "A secret: never printed by `toString`.",
        _ => "A secret: never printed by `description`.",
    }
}

/// What `templates/uniffi/Models.{kt,swift}.j2` are rendered from.
#[derive(Serialize)]
struct ViewsFile {
    header: String,
    /// The struct and enum models, in the spec's order.
    models: Vec<ViewCtx>,
}

#[derive(Serialize)]
struct ViewCtx {
    name: String,
    is_enum: bool,
    /// Its doc comment (the description; an enum's also says it is open), or empty.
    doc: String,
    fields: Vec<ViewFieldCtx>,
    /// An enum's Kotlin constants, and its values.
    members: Vec<MemberCtx>,
    values: Vec<String>,
}

#[derive(Serialize)]
struct ViewFieldCtx {
    json: String,
    prop: String,
    /// Its doc comment (the description, and whether it is a secret), or empty.
    doc: String,
    /// Required and not nullable (Kotlin reads it as `T`, else `T?`).
    required: bool,
    kt_type: String,
    kt_read: String,
    swift_type: String,
    swift_read: String,
}

#[derive(Serialize)]
struct MemberCtx {
    name: String,
    value: String,
}

fn view_fields(spec: &Spec, fields: &[Field], lang: Lang) -> Vec<ViewFieldCtx> {
    let names: Vec<&str> = fields.iter().map(|f| f.json_name.as_str()).collect();
    fields
        .iter()
        .zip(naming::view_props(&names))
        .map(|(f, prop)| {
            let t = vty(spec, &f.ty, 0);
            ViewFieldCtx {
                json: f.json_name.clone(),
                prop,
                doc: view_doc(
                    &[&docs::text(f.doc.as_deref()), if f.sensitive { secret_note(lang) } else { "" }],
                    lang,
                    if lang == Lang::Kotlin { "    " } else { "        " },
                ),
                required: f.required && !f.nullable,
                kt_type: kt_type(&t),
                kt_read: kt_read(&t, "it", 1),
                swift_type: swift_type(&t),
                swift_read: swift_read(&t, "v", 1),
            }
        })
        .collect()
}

fn views_context(spec: &Spec, lang: Lang) -> ViewsFile {
    // Swift's views are nested in `extension NeonModels`.
    let model_indent = if lang == Lang::Kotlin { "" } else { "    " };
    let open_enum = |name: &str| match lang {
        Lang::Kotlin => format!("The known values of `{name}` (an open set: a field of this type is a String and may hold others)."),
        _ => format!("The known values of `{name}` (an open set: fields of this type are Strings and may hold others)."),
    };
    ViewsFile {
        header: naming::spec_header(lang),
        models: spec
            .models
            .iter()
            .filter_map(|m| match &m.kind {
                ModelKind::Struct(fields) => Some(ViewCtx {
                    name: m.name.clone(),
                    is_enum: false,
                    doc: view_doc(&[&docs::text(m.doc.as_deref())], lang, model_indent),
                    fields: view_fields(spec, fields, lang),
                    members: Vec::new(),
                    values: Vec::new(),
                }),
                ModelKind::Enum(values) => Some(ViewCtx {
                    name: m.name.clone(),
                    is_enum: true,
                    doc: view_doc(&[&open_enum(&m.name), &docs::text(m.doc.as_deref())], lang, model_indent),
                    fields: Vec::new(),
                    members: values
                        .iter()
                        .zip(naming::enum_members(values, Lang::Kotlin))
                        .map(|(value, name)| MemberCtx { name, value: value.clone() })
                        .collect(),
                    values: values.clone(),
                }),
                _ => None,
            })
            .collect(),
    }
}

// ---------------------------------------------------------------------------
// cargo xtask bindgen

fn run(cmd: &mut Command) {
    eprintln!("+ {cmd:?}");
    let status = cmd.status().unwrap_or_else(|e| panic!("could not run {cmd:?}: {e}"));
    if !status.success() {
        eprintln!("command failed ({status}): {cmd:?}");
        std::process::exit(1);
    }
}

/// Builds `neonkit_uniffi` (debug, or release with `--release`) and the
/// workspace's own uniffi-bindgen, then writes the Kotlin and Swift sources.
/// With `--check`, writes nothing and fails when the committed sources differ
/// from what the current library gives.
pub fn bindgen(root: &Path, args: &[String]) {
    let release = args.iter().any(|a| a == "--release");
    let check = args.iter().any(|a| a == "--check");
    let profile = if release { "release" } else { "debug" };
    let target_dir = std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| root.join("target"));
    let target_dir = if target_dir.is_absolute() { target_dir } else { root.join(target_dir) };
    let triple = "x86_64-unknown-linux-gnu";
    let mut build = Command::new("cargo");
    build.current_dir(root).args(["build", "-p", "neonkit-uniffi", "--target", triple]);
    if release {
        build.arg("--release");
    }
    run(&mut build);
    run(Command::new("cargo")
        .current_dir(root)
        .args(["build", "--release", "--manifest-path", "crates/uniffi-bindgen/Cargo.toml", "--target", triple, "--target-dir"])
        .arg(&target_dir));
    let bindgen = target_dir.join(triple).join("release").join("uniffi-bindgen");
    let lib = target_dir.join(triple).join(profile).join("libneonkit_uniffi.so");
    let config = root.join("bindings/uniffi/bindgen.toml");

    let out = target_dir.join("uniffi-bindgen-out");
    let _ = std::fs::remove_dir_all(&out);
    for lang in ["kotlin", "swift"] {
        run(Command::new(&bindgen)
            .current_dir(root)
            .args(["generate", "--library", "--language", lang, "--no-format", "--config"])
            .arg(&config)
            .arg("--out-dir")
            .arg(out.join(lang))
            .arg(&lib));
    }
    // Where each generated file goes. Swift: the sources in Sources/NeonKit, the
    // C header and module map in Sources/NeonKitFFI/include (a C target).
    let mut files: Vec<(std::path::PathBuf, String)> =
        vec![(out.join("kotlin/dev/neonkit/neonkit.kt"), "bindings/uniffi/kotlin/src/main/kotlin/dev/neonkit/neonkit.kt".to_string())];
    for entry in std::fs::read_dir(out.join("swift")).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let dest = if name.ends_with(".swift") {
            format!("bindings/uniffi/swift/Sources/NeonKit/{name}")
        } else if name.ends_with(".h") {
            format!("bindings/uniffi/swift/Sources/NeonKitFFI/include/{name}")
        } else if name.ends_with(".modulemap") {
            "bindings/uniffi/swift/Sources/NeonKitFFI/include/module.modulemap".to_string()
        } else {
            continue;
        };
        files.push((p, dest));
    }
    files.sort_by(|a, b| a.1.cmp(&b.1));
    let mut stale = Vec::new();
    for (src, dest) in &files {
        let mut new = std::fs::read(src).unwrap_or_else(|e| panic!("read {}: {e}", src.display()));
        if dest.ends_with(".kt") {
            new = readable_kotlin_messages(String::from_utf8(new).expect("Kotlin is UTF-8")).into_bytes();
        }
        let full = root.join(dest);
        if std::fs::read(&full).ok().as_deref() == Some(new.as_slice()) {
            continue;
        }
        if check {
            stale.push(dest.clone());
        } else {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, new).unwrap_or_else(|e| panic!("write {dest}: {e}"));
            println!("wrote {dest}");
        }
    }
    if !stale.is_empty() {
        eprintln!("the Kotlin/Swift bindings differ from what the library gives (run `cargo xtask bindgen`):");
        for s in stale {
            eprintln!("  {s}");
        }
        std::process::exit(1);
    }
    if check {
        println!("bindgen: {} Kotlin/Swift files in sync with the library", files.len());
    }
}

/// uniffi makes `NeonException.message` a dump of the fields (`status=409,
/// code=, errorMessage=…`); it becomes the API's message with its context,
/// as every other language reads (`neonMessage` in Extensions.kt).
fn readable_kotlin_messages(kotlin: String) -> String {
    const DUMP: &str = "get() = \"status=${ `status` }, code=${ `code` }, errorMessage=${ `errorMessage` }, requestId=${ `requestId` }, operation=${ `operation` }, pendingOperations=${ `pendingOperations` }, retryable=${ `retryable` }, accepted=${ `accepted` }\"";
    let n = kotlin.matches(DUMP).count();
    assert!(n >= 17, "uniffi's NeonException message getters changed ({n} found): update readable_kotlin_messages");
    kotlin.replace(DUMP, "get() = neonMessage(`errorMessage`, `operation`, `status`, `code`, `requestId`)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_comments_survive_kdoc_and_swift_blocks() {
        // uniffi copies `///` lines into `/** */` blocks, which Kotlin and Swift nest.
        assert_eq!(doc_comment("a */ b /* c\n@d", "    "), "    /// a *\\/ b /\\* c\n    /// \\@d");
        assert_eq!(view_doc(&["One line.", ""], Lang::Kotlin, "    "), "    /** One line. */");
        assert_eq!(view_doc(&["a */", "b"], Lang::Kotlin, ""), "/**\n * a *\\/\n *\n * b\n */");
        assert_eq!(view_doc(&["a\n\nb"], Lang::Swift, "  "), "  /// a\n  ///\n  /// b");
        assert_eq!(view_doc(&["", " "], Lang::Swift, ""), "");
    }
}
