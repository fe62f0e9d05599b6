//! The typed Swift layer over the uniffi binding's JSON-text methods (a module of `uniffi.rs`),
//! as `uniffi_kotlin.rs` is for Kotlin: `Generated/Typed.swift` holds one `Codable` struct per
//! object schema (named exactly after it; lenient `init(from:)`: unknown fields in `extra`, a
//! required field the JSON lacks its zero value and named in `missing`; `description` redacts the
//! secret fields), one open `RawRepresentable` struct per enum, and per JSON-text operation an
//! `async throws` method by the plain name and a `…Blocking` twin on the namespace, with typed
//! pagers (`NeonPages<T>`). Swift is not compiled here: the output is only parsed (tree-sitter).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::kotlin::{enum_of, field_is_datetime, kty, param_is_datetime, KTy};
use crate::docs;
use crate::naming::{self, Lang};
use crate::spec::{Field, ModelKind, Op, Param, ResponseKind, Spec, Ty, Workflow, WorkflowParam};

fn sw(t: &KTy) -> String {
    match t {
        KTy::Str => "String".into(),
        KTy::DateTime => "Date".into(),
        KTy::Int => "Int32".into(),
        KTy::Long => "Int64".into(),
        KTy::Double => "Double".into(),
        KTy::Bool => "Bool".into(),
        KTy::Json => "NeonJSON".into(),
        KTy::Enum(n) | KTy::Model(n) => n.clone(),
        KTy::List(e) => format!("[{}]", sw(e)),
        KTy::Map(e) => format!("[String: {}]", sw(e)),
    }
}

/// The type a field is decoded as (dates travel as text).
fn wire(t: &KTy) -> String {
    match t {
        KTy::DateTime => "NeonDate".into(),
        KTy::List(e) => format!("[{}]", wire(e)),
        KTy::Map(e) => format!("[String: {}]", wire(e)),
        _ => sw(t),
    }
}

fn has_date(t: &KTy) -> bool {
    match t {
        KTy::DateTime => true,
        KTy::List(e) | KTy::Map(e) => has_date(e),
        _ => false,
    }
}

/// From the wire value `v` to the field's type.
fn from_wire(t: &KTy, v: &str) -> String {
    match t {
        KTy::DateTime => format!("{v}.date"),
        KTy::List(e) if has_date(e) => format!("{v}.map {{ {} }}", from_wire(e, "$0")),
        KTy::Map(e) if has_date(e) => format!("{v}.mapValues {{ {} }}", from_wire(e, "$0")),
        _ => v.to_string(),
    }
}

fn to_wire(t: &KTy, v: &str) -> String {
    match t {
        KTy::DateTime => format!("NeonDate({v})"),
        KTy::List(e) if has_date(e) => format!("{v}.map {{ {} }}", to_wire(e, "$0")),
        KTy::Map(e) if has_date(e) => format!("{v}.mapValues {{ {} }}", to_wire(e, "$0")),
        _ => v.to_string(),
    }
}

fn zero(t: &KTy) -> String {
    match t {
        KTy::Str => "\"\"".into(),
        KTy::DateTime => "Date(timeIntervalSince1970: 0)".into(),
        KTy::Int | KTy::Long | KTy::Double => "0".into(),
        KTy::Bool => "false".into(),
        KTy::Json => "NeonJSON.null".into(),
        KTy::Enum(n) => format!("{n}(rawValue: \"\")"),
        KTy::Model(n) => format!("{n}.neonEmpty()"),
        KTy::List(_) => "[]".into(),
        KTy::Map(_) => "[:]".into(),
    }
}

fn lit(s: &str) -> String {
    naming::string_literal(s, Lang::Swift)
}

fn doc(paragraphs: &[&str], indent: &str) -> String {
    let text: Vec<&str> = paragraphs.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect();
    let safe = naming::doc_safe(&text.join("\n\n"), Lang::Swift);
    safe.lines()
        .map(|l| if l.trim().is_empty() { format!("{indent}///") } else { format!("{indent}/// {}", l.trim_end()) })
        .collect::<Vec<_>>()
        .join("\n")
}

fn props(fields: &[Field]) -> Vec<String> {
    let mut taken = BTreeSet::new();
    fields
        .iter()
        .map(|f| {
            let mut n = naming::camel(&naming::split_words(&f.json_name));
            if n.is_empty() || n.chars().next().unwrap().is_ascii_digit() {
                n = format!("f{n}");
            }
            if matches!(n.as_str(), "description" | "extra" | "missing" | "json" | "self" | "Type" | "Protocol") {
                n.push_str("Field");
            }
            while !taken.insert(n.clone()) {
                n.push('_');
            }
            n
        })
        .collect()
}

/// Model-typed fields (optional ones too) that would make a struct contain itself: those are `NeonJSON`.
fn recursive_fields(spec: &Spec) -> BTreeSet<(String, String)> {
    let mut edges: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for m in &spec.models {
        if let ModelKind::Struct(fields) = &m.kind {
            for f in fields {
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

#[derive(Serialize)]
pub struct TypedFile {
    header: String,
    models: Vec<ModelCtx>,
    groups: Vec<GroupCtx>,
}

#[derive(Serialize)]
struct ModelCtx {
    name: String,
    kind: &'static str,
    doc: String,
    fields: Vec<FieldCtx>,
    members: Vec<(String, String)>,
    known: String,
}

#[derive(Serialize)]
struct FieldCtx {
    json: String,
    prop: String,
    doc: String,
    /// `required`, `nullable` or `optional`.
    mode: &'static str,
    ty: String,
    wire: String,
    from_wire: String,
    to_wire: String,
    zero: String,
    secret: bool,
}

#[derive(Serialize)]
struct GroupCtx {
    receiver: String,
    fns: Vec<FnCtx>,
}

#[derive(Serialize)]
struct FnCtx {
    doc: String,
    /// `async throws`, `throws` or empty (a pager).
    effects: String,
    name: String,
    params: Vec<String>,
    ret: String,
    body: String,
}

fn models(spec: &Spec) -> Vec<ModelCtx> {
    let cyclic = super::kotlin::cyclic_fields(spec);
    let recursive = recursive_fields(spec);
    spec.models
        .iter()
        .filter_map(|m| {
            let d = doc(&[&docs::text(m.doc.as_deref())], "");
            match &m.kind {
                ModelKind::Struct(fields) => {
                    let fields: Vec<FieldCtx> = fields
                        .iter()
                        .zip(props(fields))
                        .map(|(f, prop)| {
                            let key = (m.name.clone(), f.json_name.clone());
                            let t = if recursive.contains(&key) {
                                KTy::Json
                            } else {
                                kty(spec, &f.ty, field_is_datetime(&m.name, &f.json_name), 0)
                            };
                            let mode = match (f.required, f.nullable || cyclic.contains(&key)) {
                                (true, false) => "required",
                                (true, true) => "nullable",
                                _ => "optional",
                            };
                            let mut notes = Vec::new();
                            if mode == "required" {
                                notes.push(format!(
                                    "Required by the spec: a response without it holds `{}` here and names `{}` in `missing`.",
                                    zero(&t),
                                    f.json_name
                                ));
                            }
                            if f.sensitive {
                                notes.push("A secret: `description` prints `***`.".to_string());
                            }
                            FieldCtx {
                                json: f.json_name.clone(),
                                doc: doc(&[&docs::text(f.doc.as_deref()), &notes.join(" ")], "    "),
                                prop,
                                mode,
                                ty: sw(&t),
                                wire: wire(&t),
                                from_wire: from_wire(&t, "$0"),
                                to_wire: to_wire(&t, "$0"),
                                zero: zero(&t),
                                secret: f.sensitive,
                            }
                        })
                        .collect();
                    let known = fields.iter().map(|f| lit(&f.json)).collect::<Vec<_>>().join(", ");
                    Some(ModelCtx { name: m.name.clone(), kind: "struct", doc: d, fields, members: Vec::new(), known })
                }
                ModelKind::Enum(values) => Some(ModelCtx {
                    name: m.name.clone(),
                    kind: "enum",
                    doc: doc(
                        &[
                            &docs::text(m.doc.as_deref()),
                            "An open set: the known values are constants (`allKnown`); any other value is kept (`isKnown` is false).",
                        ],
                        "",
                    ),
                    fields: Vec::new(),
                    members: {
                        let mut taken = BTreeSet::new();
                        values
                            .iter()
                            .zip(naming::enum_members(values, Lang::Kotlin))
                            .map(|(v, n)| {
                                let mut n = naming::lower_camel(&n.to_lowercase());
                                if n.is_empty() || n == "allKnown" || n == "rawValue" || n == "isKnown" || n == "description" {
                                    n.push_str("Value");
                                }
                                while !taken.insert(n.clone()) {
                                    n.push('_');
                                }
                                (n, lit(v))
                            })
                            .collect()
                    },
                    known: String::new(),
                }),
                ModelKind::OneOf(_) => Some(ModelCtx {
                    name: m.name.clone(),
                    kind: "oneof",
                    doc: d,
                    fields: Vec::new(),
                    members: Vec::new(),
                    known: String::new(),
                }),
                ModelKind::Alias(_) => None,
            }
        })
        .collect()
}

/// A typed parameter: its declaration and what the uniffi method gets (`v`).
fn typed_param(spec: &Spec, op: &Op, p: &Param, optional: bool) -> (String, String) {
    let name = naming::ident(&p.name, Lang::Swift);
    let q = if optional { "?" } else { "" };
    if param_is_datetime(op, p) {
        let arg = if optional { format!("{name}.map {{ NeonDate($0).text }}") } else { format!("NeonDate({name}).text") };
        return (format!("Date{q}"), arg);
    }
    if let Some(e) = enum_of(spec, &p.ty) {
        return match &p.ty {
            Ty::Array(_) if optional => (format!("[{e}]?"), format!("{name}.map {{ $0.map {{ $0.rawValue }} }}")),
            Ty::Array(_) => (format!("[{e}]"), format!("{name}.map {{ $0.rawValue }}")),
            _ => (format!("{e}{q}"), format!("{name}{q}.rawValue")),
        };
    }
    let path_int = op.path_params.iter().any(|x| x.name == p.name) && p.path_kind == crate::spec::PathKind::Integer;
    let ty = match &p.ty {
        _ if path_int => "Int64".to_string(),
        Ty::I32 | Ty::I64 | Ty::U64 => "Int64".into(),
        Ty::F64 => "Double".into(),
        Ty::Bool => "Bool".into(),
        Ty::Array(t) if matches!(t.as_ref(), Ty::I32 | Ty::I64 | Ty::U64) => "[Int64]".into(),
        Ty::Array(_) => "[String]".into(),
        _ => "String".into(),
    };
    (format!("{ty}{q}"), name)
}

fn result_of(spec: &Spec, ty: &Ty) -> String {
    sw(&kty(spec, ty, false, 0))
}

fn op_fns(spec: &Spec, op: &Op) -> Vec<FnCtx> {
    if !super::json_form(spec, op) {
        return Vec::new();
    }
    let method = naming::method_name(&op.words, Lang::Swift);
    let build = |for_pager: bool| -> (Vec<String>, Vec<String>) {
        let (mut decls, mut args) = (Vec::new(), Vec::new());
        for p in op.path_params.iter().chain(super::positional_query(op)) {
            let (ty, arg) = typed_param(spec, op, p, false);
            let name = naming::ident(&p.name, Lang::Swift);
            decls.push(format!("{name}: {ty}"));
            args.push(format!("{name}: {arg}"));
        }
        let body = op.body.as_ref().filter(|_| !for_pager || op.pages_by_body());
        let body_ty =
            body.map(
                |b| if b.multipart { ("[MultipartPart]".to_string(), true) } else { (result_of(spec, &Ty::Named(b.ty.clone())), false) },
            );
        let body_arg = |opt: bool, multipart: bool| match (multipart, opt) {
            (true, _) => "body: body".to_string(),
            (false, false) => "body: try NeonCoding.text(body)".to_string(),
            (false, true) => "body: try body.map { try NeonCoding.text($0) }".to_string(),
        };
        if let (Some(b), Some((ty, mp))) = (body, &body_ty) {
            if b.required {
                decls.push(format!("body: {ty}"));
                args.push(body_arg(false, *mp));
            }
        }
        let rq = super::record_query(op);
        if !rq.is_empty() {
            let mut fields = Vec::new();
            for p in rq {
                let (ty, arg) = typed_param(spec, op, p, true);
                let name = naming::ident(&p.name, Lang::Swift);
                decls.push(format!("{name}: {ty} = nil"));
                fields.push(format!("{name}: {arg}"));
            }
            args.push(format!("query: {}({})", naming::query_type(&op.id, Lang::Swift), fields.join(", ")));
        }
        if let (Some(b), Some((ty, mp))) = (body, &body_ty) {
            if !b.required {
                decls.push(format!("body: {ty}? = nil"));
                args.push(body_arg(true, *mp));
            }
        }
        (decls, args)
    };
    let (ret, conv): (String, fn(&str) -> String) = match &op.response {
        ResponseKind::Json(t) => (result_of(spec, t), |c| format!("try NeonCoding.decode(from: {c})")),
        ResponseKind::Empty => ("Void".into(), |c| c.to_string()),
        ResponseKind::Bytes => ("Data".into(), |c| c.to_string()),
    };
    let call_doc = format!("`{} {}` (operationId `{}`).", op.method.to_uppercase(), op.path, op.id);
    let (decls, args) = build(false);
    let mut out = Vec::new();
    for blocking in [false, true] {
        let json_name = format!("{method}Json{}", if blocking { "Blocking" } else { "" });
        let call = format!("{}{json_name}({})", if blocking { "try " } else { "try await " }, args.join(", "));
        out.push(FnCtx {
            doc: doc(
                &[
                    if blocking { "The blocking form." } else { "" },
                    &docs::prose(op),
                    &call_doc,
                    &format!("The JSON-text form: `{json_name}`."),
                ],
                "    ",
            ),
            effects: if blocking { "throws".into() } else { "async throws".into() },
            name: format!("{method}{}", if blocking { "Blocking" } else { "" }),
            params: decls.clone(),
            ret: ret.clone(),
            body: conv(&format!("({call})")),
        });
    }
    if let Some(pg) = &op.pagination {
        let iter = naming::iter_name(&method, Lang::Swift);
        let (decls, args) = build(true);
        out.push(FnCtx {
            doc: doc(&[&docs::walks(op, &method), &call_doc, &format!("The JSON-text form: `{iter}Json`.")], "    "),
            effects: String::new(),
            name: iter.clone(),
            params: decls,
            ret: format!("NeonPages<{}>", result_of(spec, &pg.item_ty)),
            body: format!("NeonPages(raw: {iter}Json({}))", args.join(", ")),
        });
    }
    out
}

fn wf_param(spec: &Spec, p: &WorkflowParam) -> (String, String) {
    let name = naming::ident(&p.name, Lang::Swift);
    match &p.ty {
        Ty::Named(n) => {
            let t = result_of(spec, &Ty::Named(n.clone()));
            if p.required {
                (format!("{name}: {t}"), format!("{name}: try NeonCoding.text({name})"))
            } else {
                (format!("{name}: {t}? = nil"), format!("{name}: try {name}.map {{ try NeonCoding.text($0) }}"))
            }
        }
        t => {
            let ty = if matches!(t, Ty::Bool) { "Bool" } else { "String" };
            let decl = match (p.required, p.default.as_ref()) {
                (true, _) => format!("{name}: {ty}"),
                (false, Some(serde_yaml::Value::Bool(b))) => format!("{name}: {ty} = {b}"),
                (false, Some(serde_yaml::Value::String(s))) => format!("{name}: {ty} = {}", lit(s)),
                (false, _) => format!("{name}: {ty}? = nil"),
            };
            (decl, format!("{name}: {name}"))
        }
    }
}

fn wf_fns(spec: &Spec, w: &Workflow) -> Vec<FnCtx> {
    if !super::wf_json_form(w) {
        return Vec::new();
    }
    let method = naming::method_name(&w.name.split('_').map(String::from).collect::<Vec<_>>(), Lang::Swift);
    let ps: Vec<(String, String)> = w.params.iter().map(|p| wf_param(spec, p)).collect();
    let (ret, conv): (String, fn(&str) -> String) = match &w.returns {
        Some(t @ Ty::Named(_)) => (result_of(spec, t), |c| format!("try NeonCoding.decode(from: {c})")),
        Some(Ty::Bool) => ("Bool".into(), |c| c.to_string()),
        Some(_) => ("String".into(), |c| c.to_string()),
        None => ("Void".into(), |c| c.to_string()),
    };
    [false, true]
        .into_iter()
        .map(|blocking| {
            let json_name = format!("{method}Json{}", if blocking { "Blocking" } else { "" });
            let call = format!(
                "{}{json_name}({})",
                if blocking { "try " } else { "try await " },
                ps.iter().map(|p| p.1.clone()).collect::<Vec<_>>().join(", ")
            );
            FnCtx {
                doc: doc(
                    &[
                        if blocking { "The blocking form." } else { "" },
                        w.summary.trim(),
                        &format!("The workflow `{}`. The JSON-text form: `{json_name}`.", w.id()),
                    ],
                    "    ",
                ),
                effects: if blocking { "throws".into() } else { "async throws".into() },
                name: format!("{method}{}", if blocking { "Blocking" } else { "" }),
                params: ps.iter().map(|p| p.0.clone()).collect(),
                ret: ret.clone(),
                body: conv(&format!("({call})")),
            }
        })
        .collect()
}

pub fn context(spec: &Spec) -> TypedFile {
    let mut groups = Vec::new();
    for ns in naming::namespaces() {
        let mut fns: Vec<FnCtx> = spec.ops.iter().filter(|o| o.ns == ns).flat_map(|op| op_fns(spec, op)).collect();
        fns.extend(spec.workflows.iter().filter(|w| w.ns == ns).flat_map(|w| wf_fns(spec, w)));
        if !fns.is_empty() {
            groups.push(GroupCtx { receiver: naming::ns_type(ns, Lang::Swift), fns });
        }
    }
    let client: Vec<FnCtx> = spec.workflows.iter().filter(|w| w.ns == "client").flat_map(|w| wf_fns(spec, w)).collect();
    if !client.is_empty() {
        groups.push(GroupCtx { receiver: "NeonClient".into(), fns: client });
    }
    TypedFile { header: naming::spec_header(Lang::Swift), models: models(spec), groups }
}
