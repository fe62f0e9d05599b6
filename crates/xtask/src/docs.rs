//! What the generated docs of an operation's methods say, the same in every
//! language: the prose, each parameter's text, the request body's fields, the
//! returned model's gist, what an iterator walks, the errors a call raises.
//! Each generator lays these out in its language's doc syntax and makes them
//! safe there with `naming::doc_safe`.

use crate::naming::{self, Lang};
use crate::spec::{ModelKind, Op, Param, Spec, Ty, Workflow, WorkflowParam};
use crate::vocabulary::{ErrorDef, Vocabulary};

/// An operation's prose: the summary, then the description unless it only
/// repeats the summary (paragraphs and lines as the spec has them).
pub fn prose(op: &Op) -> String {
    let summary = op.summary.trim();
    let description = op.description.as_deref().map(str::trim).unwrap_or("");
    if description.is_empty() || description == summary {
        summary.to_string()
    } else if summary.is_empty() {
        description.to_string()
    } else {
        format!("{summary}\n\n{description}")
    }
}

/// A description's first non-empty line (the one-line gist of a field or a model), or empty.
pub fn first_line(doc: Option<&str>) -> &str {
    doc.unwrap_or("").lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("")
}

/// A description trimmed of blank lines around it, each line's end trimmed, or empty.
pub fn text(doc: Option<&str>) -> String {
    doc.unwrap_or("").trim().lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
}

/// A parameter's text: its description, else what it is.
pub fn param(p: &Param) -> String {
    match text(p.doc.as_deref()) {
        d if d.is_empty() => format!("The `{}` parameter.", p.name),
        d => d,
    }
}

/// The gist of a model: its description's first line, or empty.
pub fn model_gist<'a>(spec: &'a Spec, name: &str) -> &'a str {
    first_line(spec.model(name).and_then(|m| m.doc.as_deref()))
}

/// What a call returns, briefly: the model's gist, else the response and its
/// top-level fields (`the response, with `branch`, `operations`.`).
pub fn returns(spec: &Spec, name: &str) -> String {
    match (model_gist(spec, name), spec.model(name).map(|m| &m.kind)) {
        ("", Some(ModelKind::Struct(fields))) if !fields.is_empty() => {
            let names: Vec<String> = fields.iter().take(8).map(|f| format!("`{}`", f.json_name)).collect();
            format!("the response, with {}{}.", names.join(", "), if fields.len() > 8 { ", …" } else { "" })
        }
        ("", _) => "the response.".into(),
        (gist, _) => gist.to_string(),
    }
}

/// A top-level field of a request body, for the body parameter's doc.
pub struct BodyField {
    pub name: String,
    pub required: bool,
    /// The description's first line, or empty.
    pub gist: String,
}

/// What a body parameter's doc says after its lead sentence: the model's gist
/// and the names of its top-level fields (Node's and the uniffi library's).
pub fn body_details(spec: &Spec, op: &Op, lead: String) -> String {
    let b = op.body.as_ref().expect("a body parameter has a body");
    let mut d = lead;
    let gist = model_gist(spec, &b.ty);
    if !gist.is_empty() {
        d = format!("{d} {gist}");
    }
    let fields: Vec<String> = body_fields(spec, op).iter().map(|f| format!("`{}`", f.name)).collect();
    if !fields.is_empty() {
        d = format!("{d} Fields: {}.", fields.join(", "));
    }
    d
}

/// The top-level fields of an operation's request body (none for a body that is not an object).
pub fn body_fields(spec: &Spec, op: &Op) -> Vec<BodyField> {
    let Some(b) = &op.body else { return Vec::new() };
    match spec.model(&b.ty).map(|m| &m.kind) {
        Some(ModelKind::Struct(fields)) => fields
            .iter()
            .map(|f| {
                // A field without a description of its own: its type's.
                let gist = match (first_line(f.doc.as_deref()), &f.ty) {
                    ("", Ty::Named(n)) => model_gist(spec, n),
                    ("", Ty::Array(t)) => match t.as_ref() {
                        Ty::Named(n) => model_gist(spec, n),
                        _ => "",
                    },
                    (g, _) => g,
                };
                BodyField { name: f.json_name.clone(), required: f.required, gist: gist.to_string() }
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// What an iterator walks: `call` is the language's name of the page method.
pub fn walks(op: &Op, call: &str) -> String {
    let items = op.pagination.as_ref().map(|p| p.items_field.as_str()).unwrap_or("");
    format!("Every `{items}` item of every page of `{call}` (`{}`), each page fetched when the previous one is used up.", op.id)
}

/// An entry of a method's errors: the classes (the language's names) and when they are raised.
pub struct ErrorDoc {
    pub classes: Vec<String>,
    pub when: String,
}

/// The error kinds any call may raise (their classes' docs say when).
const ANY_CALL: &[&str] = &["unauthorized", "locked", "rate_limited", "server", "timeout", "network"];

/// The vocabulary's error of an HTTP status: the one listing it, the one for
/// other 5xx statuses, else the one for any other status (`api`).
fn error_of_status(vocab: &Vocabulary, status: u16) -> &ErrorDef {
    vocab
        .errors
        .iter()
        .find(|e| e.statuses.contains(&status))
        .or_else(|| vocab.errors.iter().find(|e| e.other_5xx && (500..600).contains(&status)))
        .or_else(|| vocab.errors.iter().find(|e| e.kind == "api"))
        .expect("vocabulary.yaml has an error kind `api`")
}

/// The errors a call of the operation raises, briefly: those of the statuses
/// it declares, those any call may raise (`LockedError` only where it
/// changes something), a bad path parameter's, and an operation wait's.
pub fn errors(op: &Op, vocab: &Vocabulary, lang: Lang) -> Vec<ErrorDoc> {
    let class = |e: &ErrorDef| naming::error_class(&e.class, lang);
    let mut out: Vec<ErrorDoc> = Vec::new();
    let mut declared: Vec<(&ErrorDef, Vec<u16>)> = Vec::new();
    for &s in &op.error_statuses {
        let e = error_of_status(vocab, s);
        match declared.iter_mut().find(|(d, _)| d.kind == e.kind) {
            Some((_, statuses)) => statuses.push(s),
            None => declared.push((e, vec![s])),
        }
    }
    for (e, statuses) in &declared {
        let codes: Vec<String> = statuses.iter().map(u16::to_string).collect();
        let when = match e.statuses.is_empty() && !e.other_5xx {
            true => format!("{}.", codes.join(", ")),
            false => e.doc.clone(),
        };
        out.push(ErrorDoc { classes: vec![class(e)], when });
    }
    // A read is never locked; a declared status is listed already.
    let listed = |kind: &str| (kind == "locked" && op.method == "get") || declared.iter().any(|(d, _)| d.kind == kind);
    let classes: Vec<String> = ANY_CALL
        .iter()
        .filter(|&&kind| !listed(kind))
        .filter_map(|&kind| vocab.errors.iter().find(|e| e.kind == kind))
        .map(class)
        .collect();
    if !classes.is_empty() {
        out.push(ErrorDoc { classes, when: "as any call may.".into() });
    }
    let by_kind = |kinds: &[&str]| -> Vec<String> { vocab.errors.iter().filter(|e| kinds.contains(&e.kind.as_str())).map(class).collect() };
    if !op.path_params.is_empty() {
        out.push(ErrorDoc { classes: by_kind(&["invalid_argument"]), when: "a malformed path parameter (no request is sent).".into() });
    }
    if op.returns_operations {
        out.push(ErrorDoc {
            classes: by_kind(&["operation_failed", "wait_timeout"]),
            when: format!("an operation it waits for fails, or outlasts `{}`.", naming::option_name("wait_timeout", true, lang)),
        });
    }
    out
}

// ---------------------------------------------------------------- workflows

/// A workflow's prose: its summary, then its description (as `spec/workflows.yaml` has them).
pub fn workflow_prose(w: &Workflow) -> String {
    match text(w.description.as_deref()) {
        d if d.is_empty() => w.summary.trim().to_string(),
        d => format!("{}\n\n{d}", w.summary.trim()),
    }
}

/// A workflow's method name in a language (`create_and_connect`, `createAndConnect`).
pub fn workflow_method(w: &Workflow, lang: Lang) -> String {
    let words: Vec<String> = w.name.split('_').filter(|s| !s.is_empty()).map(String::from).collect();
    naming::method_name(&words, lang)
}

/// What a workflow returns, briefly: the model's gist, or what the string is.
pub fn workflow_returns(spec: &Spec, w: &Workflow) -> String {
    match &w.returns {
        None => "nothing.".into(),
        Some(Ty::Named(n)) => returns(spec, n),
        Some(Ty::Str) => "the text.".into(),
        Some(_) => "the result.".into(),
    }
}

/// The text of a workflow parameter, with its default (as `literal` writes it in the language)
/// when the file gives one.
pub fn workflow_param(p: &WorkflowParam, literal: impl Fn(&serde_yaml::Value) -> String) -> String {
    let d = text(Some(&p.doc));
    match &p.default {
        Some(v) if !d.contains("default") => format!("{d} Default: `{}`.", literal(v)),
        _ => d,
    }
}

/// What a workflow raises, for the docs of every language (its classes by the vocabulary).
pub fn workflow_errors(vocab: &Vocabulary, lang: Lang) -> Vec<ErrorDoc> {
    let class = |kind: &str| {
        vocab.errors.iter().find(|e| e.kind == kind).map(|e| naming::error_class(&e.class, lang)).unwrap_or_else(|| kind.to_string())
    };
    let base = match lang {
        Lang::Kotlin => "NeonException",
        _ => "NeonError",
    };
    vec![
        ErrorDoc {
            classes: vec![class("invalid_argument")],
            when: "a missing, unknown or ill-typed argument (no request is sent), or a choice the call cannot make (the message lists the choices).".into(),
        },
        ErrorDoc {
            classes: vec![base.to_string()],
            when: "the error of the API call that failed (the class of its kind; the message names the step).".into(),
        },
    ]
}
