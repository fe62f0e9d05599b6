//! Generates the Python package's per-operation code from the spec:
//! `python/neonkit/generated/{models,resources}.py` (runtime: model classes,
//! open enums, namespace classes with one method per operation, the operation
//! table) and their `.pyi` stubs (typed attributes, TypedDicts for request
//! bodies, typed method signatures) for mypy/pyright.
//!
//! The code here computes names (through `naming`) and types into one context;
//! the templates in `templates/python/` lay the files out.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::docs;
use crate::naming::{self, Lang};
use crate::spec::{Field, ModelKind, Op, Param, PathKind, ResponseKind, Spec, Ty, Workflow};
use crate::vocabulary::Vocabulary;

const DIR: &str = "python/neonkit/generated";

/// The templates, by the file each renders (`python/<file>`).
const TEMPLATES: &[(&str, &str)] = &[
    ("python/__init__.py", include_str!("../templates/python/__init__.py.j2")),
    ("python/models.py", include_str!("../templates/python/models.py.j2")),
    ("python/models.pyi", include_str!("../templates/python/models.pyi.j2")),
    ("python/resources.py", include_str!("../templates/python/resources.py.j2")),
    ("python/resources.pyi", include_str!("../templates/python/resources.pyi.j2")),
];

/// A Python identifier for a JSON name.
fn ident(name: &str) -> String {
    naming::ident(name, Lang::Python)
}

/// The TypedDict of a model class: its dict form (`ProjectCreateRequestDict`).
fn typed_dict(model: &str) -> String {
    format!("{model}Dict")
}

/// A Python string literal (the templates' `pystr` filter).
fn pystr(s: &str) -> String {
    naming::string_literal(s, Lang::Python)
}

/// A docstring literal (`"""…"""`) of this text, its lines after the first
/// indented by `indent`, the closing quotes on a line of their own when it has
/// several (PEP 257); empty if there is no text.
fn docstring(text: &str, indent: &str) -> String {
    let safe = naming::doc_safe(text.trim(), Lang::Python);
    let lines: Vec<&str> = safe.lines().map(str::trim_end).collect();
    match lines.as_slice() {
        [] => String::new(),
        [one] => format!("\"\"\"{one}\"\"\""),
        [first, rest @ ..] => {
            let mut out = format!("\"\"\"{first}\n");
            for l in rest {
                if !l.is_empty() {
                    out.push_str(indent);
                    out.push_str(l);
                }
                out.push('\n');
            }
            out + indent + "\"\"\""
        }
    }
}

/// A Google-style docstring section (`Args:`, `Returns:`, …): each entry's
/// name, then its text, its lines after the first indented under it.
fn section(title: &str, entries: &[(String, String)]) -> String {
    let mut out = format!("{title}:");
    for (name, text) in entries {
        let mut lines = text.lines();
        out.push_str(&format!("\n    {name}: {}", lines.next().unwrap_or("")));
        for l in lines {
            out.push('\n');
            if !l.is_empty() {
                out.push_str("        ");
                out.push_str(l);
            }
        }
    }
    out
}

/// A model's or a field's doc: its description, and whether it is deprecated or a secret.
fn model_doc(doc: Option<&str>, deprecated: bool, sensitive: bool) -> String {
    let mut d = docs::text(doc);
    for (yes, note) in [(sensitive, "A secret: never shown by repr()."), (deprecated, "Deprecated.")] {
        if yes {
            d.push_str(if d.is_empty() { "" } else { "\n\n" });
            d.push_str(note);
        }
    }
    d
}

struct Gen<'a> {
    spec: &'a Spec,
    vocab: Vocabulary,
    kinds: BTreeMap<&'a str, &'a ModelKind>,
}

impl<'a> Gen<'a> {
    fn new(spec: &'a Spec, vocab: Vocabulary) -> Self {
        Gen { spec, vocab, kinds: spec.models.iter().map(|m| (m.name.as_str(), &m.kind)).collect() }
    }

    /// Follows aliases to the underlying type.
    fn resolve(&self, ty: &Ty) -> Ty {
        let mut t = ty.clone();
        for _ in 0..10 {
            match &t {
                Ty::Named(n) => match self.kinds.get(n.as_str()) {
                    Some(ModelKind::Alias(inner)) => t = inner.clone(),
                    _ => return t,
                },
                _ => return t,
            }
        }
        t
    }

    /// The runtime decode spec of a type: None (raw JSON), "Name", "#datetime", ("list", spec), ("map", spec).
    fn decode_spec(&self, ty: &Ty) -> String {
        self.decode_spec_dt(ty, false)
    }

    /// `decode_spec`, for a value whose strings are `format: date-time` when `dt`.
    fn decode_spec_dt(&self, ty: &Ty, dt: bool) -> String {
        match self.resolve(ty) {
            Ty::Str if dt => "\"#datetime\"".into(),
            Ty::Named(n) => match self.kinds.get(n.as_str()) {
                Some(ModelKind::Struct(_)) | Some(ModelKind::Enum(_)) => pystr(&n),
                _ => "None".into(),
            },
            Ty::Array(inner) => match self.decode_spec_dt(&inner, dt).as_str() {
                "None" => "None".into(),
                s => format!("(\"list\", {s})"),
            },
            Ty::Map(inner) => match self.decode_spec(&inner).as_str() {
                "None" => "None".into(),
                s => format!("(\"map\", {s})"),
            },
            _ => "None".into(),
        }
    }

    /// The type of a value read from a response (`input` = false) or given in a request dict (`input` = true).
    fn py_type(&self, ty: &Ty, input: bool) -> String {
        self.py_type_dt(ty, input, false)
    }

    /// The values of an enum as a `Literal` (what a request may give besides its members).
    fn literal(&self, name: &str) -> String {
        match self.kinds.get(name) {
            Some(ModelKind::Enum(values)) if !values.is_empty() => {
                format!("Literal[{}]", values.iter().map(|v| pystr(v)).collect::<Vec<_>>().join(", "))
            }
            _ => "str".into(),
        }
    }

    /// `py_type`, for a value whose strings are `format: date-time` when `dt`: a timezone-aware
    /// `datetime` read from a response, a `datetime` or its ISO text in a request.
    fn py_type_dt(&self, ty: &Ty, input: bool, dt: bool) -> String {
        match self.resolve(ty) {
            Ty::Str if dt && input => "Union[datetime, str]".into(),
            Ty::Str if dt => "datetime".into(),
            Ty::Str => "str".into(),
            Ty::I32 | Ty::I64 | Ty::U64 => "int".into(),
            Ty::F64 => "float".into(),
            Ty::Bool => "bool".into(),
            Ty::Bytes => "bytes".into(),
            Ty::Any => "Any".into(),
            Ty::Array(inner) => format!("List[{}]", self.py_type_dt(&inner, input, dt)),
            Ty::Map(inner) => format!("Dict[str, {}]", self.py_type_dt(&inner, input, dt)),
            Ty::Named(n) => match self.kinds.get(n.as_str()) {
                Some(ModelKind::Struct(_)) if input => format!("Union[{n}, {}]", typed_dict(&n)),
                Some(ModelKind::Struct(_)) => n.clone(),
                // A request names one of the spec's values (a member or its text); a response
                // may hold a value the spec does not list yet (a plain `str`).
                Some(ModelKind::Enum(_)) if input => format!("Union[{n}, {}]", self.literal(&n)),
                Some(ModelKind::Enum(_)) => format!("Union[{n}, str]"),
                _ => "Dict[str, Any]".into(),
            },
        }
    }

    /// The model classes: open enums and structs (aliases and unions are plain JSON in Python).
    fn models(&self) -> Vec<ModelCtx> {
        self.spec
            .models
            .iter()
            .filter_map(|m| match &m.kind {
                ModelKind::Enum(values) => Some(ModelCtx {
                    name: m.name.clone(),
                    dict: typed_dict(&m.name),
                    is_enum: true,
                    doc: docstring(&model_doc(m.doc.as_deref(), m.deprecated, false), "    "),
                    members: values
                        .iter()
                        .zip(naming::enum_members(values, Lang::Python))
                        .map(|(value, name)| MemberCtx { name, value: value.clone() })
                        .collect(),
                    fields: Vec::new(),
                }),
                ModelKind::Struct(fields) => Some(ModelCtx {
                    name: m.name.clone(),
                    dict: typed_dict(&m.name),
                    is_enum: false,
                    doc: docstring(&model_doc(m.doc.as_deref(), m.deprecated, false), "    "),
                    members: Vec::new(),
                    fields: fields.iter().map(|f| self.field(f)).collect(),
                }),
                _ => None,
            })
            .collect()
    }

    fn field(&self, f: &Field) -> FieldCtx {
        let attr = ident(&f.json_name);
        assert!(!RESERVED.contains(&attr.as_str()), "a model field is named {attr}, like a method of neonkit.Model");
        let out = self.py_type_dt(&f.ty, false, f.date_time);
        let input = self.py_type_dt(&f.ty, true, f.date_time);
        let dict = if f.nullable { format!("Optional[{input}]") } else { input.clone() };
        FieldCtx {
            json: f.json_name.clone(),
            renamed: attr != f.json_name,
            attr,
            sensitive: f.sensitive,
            required: f.required && !f.nullable,
            doc: docstring(&model_doc(f.doc.as_deref(), f.deprecated, f.sensitive), "    "),
            decode: self.decode_spec_dt(&f.ty, f.date_time),
            ty: if f.required && !f.nullable { out } else { format!("Optional[{out}]") },
            arg_ty: format!("Optional[{input}]"),
            dict_ty: if f.required { format!("Required[{dict}]") } else { dict },
        }
    }

    /// (decode spec for the runtime, return type for the stubs)
    fn result(&self, op: &Op) -> (String, String) {
        match &op.response {
            ResponseKind::Empty => ("\"#empty\"".into(), "None".into()),
            ResponseKind::Bytes => ("\"#bytes\"".into(), "bytes".into()),
            ResponseKind::Json(ty) => (self.decode_spec(ty), self.py_type(ty, false)),
        }
    }

    /// The query parameters' keywords: a name a path parameter has taken gets `_query`.
    fn query_names(&self, op: &Op) -> Vec<QueryArg> {
        let path: BTreeSet<String> = op.path_params.iter().map(|p| ident(&p.name)).collect();
        op.query_params
            .iter()
            .map(|q| {
                let mut name = ident(&q.name);
                if path.contains(&name) {
                    name.push_str("_query");
                }
                QueryArg { json: q.name.clone(), name }
            })
            .collect()
    }

    fn query_type(&self, ty: &Ty, dt: bool) -> String {
        match self.resolve(ty) {
            Ty::Array(inner) => format!("Sequence[{}]", self.query_type(&inner, dt)),
            Ty::Named(n) if matches!(self.kinds.get(n.as_str()), Some(ModelKind::Enum(_))) => {
                format!("Union[{n}, {}]", self.literal(&n))
            }
            Ty::Named(_) | Ty::Any | Ty::Map(_) => "Any".into(),
            t => self.py_type_dt(&t, true, dt),
        }
    }

    /// The request body's top-level fields as keyword arguments (`branch=`, `endpoints=`): each
    /// but those named like a path or query parameter, `body` or `wait` (those go in `body=`).
    fn body_kwargs(&self, op: &Op, taken: &BTreeSet<String>) -> Vec<BodyArg> {
        let Some(b) = &op.body else { return Vec::new() };
        let Some(ModelKind::Struct(fields)) = self.kinds.get(b.ty.as_str()) else { return Vec::new() };
        let gists = docs::body_fields(self.spec, op);
        fields
            .iter()
            .zip(gists)
            .filter_map(|(f, g)| {
                let name = ident(&f.json_name);
                if taken.contains(&name) || name == "body" || name == "wait" {
                    return None;
                }
                let ty = self.py_type_dt(&f.ty, true, f.date_time);
                Some(BodyArg {
                    name,
                    json: f.json_name.clone(),
                    ty: if f.nullable { format!("Optional[{ty}]") } else { ty },
                    required: f.required && b.required,
                    doc: format!(
                        "The request's `{}`{}{}",
                        f.json_name,
                        if f.required && b.required { " (required unless `body=` is given)" } else { "" },
                        if g.gist.is_empty() { ".".to_string() } else { format!(": {}", g.gist) }
                    ),
                })
            })
            .collect()
    }

    /// An operation's methods: its call and, if it is paginated, its iterator.
    fn methods(&self, op: &Op) -> Vec<MethodCtx> {
        let name = naming::method_name(&op.words, Lang::Python);
        let query = self.query_names(op);
        let path: Vec<PathArg> = op
            .path_params
            .iter()
            .map(|p| {
                let integer = p.path_kind == PathKind::Integer;
                PathArg { name: ident(&p.name), ty: if integer { "Union[int, str]" } else { "str" }.into(), integer, doc: docs::param(p) }
            })
            .collect();
        let query_kw = |skip_cursor: bool| -> Vec<KwArg> {
            op.query_params
                .iter()
                .zip(&query)
                .filter(|(q, _)| !(skip_cursor && q.name == "cursor"))
                .map(|(q, a)| KwArg {
                    name: a.name.clone(),
                    ty: self.query_type(&q.ty, q.date_time),
                    required: q.required,
                    doc: self.query_doc(q),
                })
                .collect()
        };
        let mut kw = Vec::new();
        let mut body_kw = Vec::new();
        let taken: BTreeSet<String> = path.iter().map(|p| p.name.clone()).chain(query.iter().map(|q| q.name.clone())).collect();
        let fields = self.body_kwargs(op, &taken);
        if let Some(b) = &op.body {
            let ty = if b.multipart {
                format!("Union[{}, {}, Dict[str, Any]]", b.ty, typed_dict(&b.ty))
            } else {
                match self.kinds.get(b.ty.as_str()) {
                    Some(ModelKind::Struct(_)) => format!("Union[{}, {}]", b.ty, typed_dict(&b.ty)),
                    _ => "Any".into(),
                }
            };
            body_kw.push(KwArg { name: "body".into(), ty, required: b.required, doc: self.body_doc(op, &fields) });
        }
        let body_expr = |kind: &str| -> String {
            let pairs: String = fields.iter().map(|f| format!("({}, {}), ", pystr(&f.json), f.name)).collect();
            let label = pystr(&format!("{}.{}", op.ns, name));
            let required = if op.body.as_ref().is_some_and(|b| b.required) { "True" } else { "False" };
            match fields.is_empty() {
                true => format!("_{kind}(body)"),
                false => format!("_{kind}(_body({label}, body, ({pairs}), {required}))"),
            }
        };
        let body_expr = match &op.body {
            None => "None".to_string(),
            Some(b) if b.multipart => body_expr("multipart"),
            Some(_) => body_expr("json"),
        };
        kw.extend(body_kw.iter().cloned());
        kw.extend(query_kw(false));
        if op.returns_operations {
            kw.push(KwArg {
                name: "wait".into(),
                ty: "bool".into(),
                required: false,
                doc: "False returns at once, with the operations it started; None (the default): the client's\n\
                      `wait_for_operations`."
                    .into(),
            });
        }
        let (decode, ret) = self.result(op);
        if !fields.is_empty() {
            // Either `body=` or the fields: neither keyword is required on its own.
            for k in kw.iter_mut().chain(body_kw.iter_mut()).filter(|k| k.name == "body") {
                k.required = false;
            }
        }
        let field_docs: Vec<KwArg> =
            fields.iter().map(|f| KwArg { name: f.name.clone(), ty: f.ty.clone(), required: f.required, doc: f.doc.clone() }).collect();
        // In the docs: the body, its fields, then the query parameters and `wait`.
        let with_fields = |kw: &[KwArg]| -> Vec<KwArg> {
            let (body, rest): (Vec<KwArg>, Vec<KwArg>) = kw.iter().cloned().partition(|k| k.name == "body");
            [body, field_docs.clone(), rest].concat()
        };
        let doc = self.method_doc(op, None, &path, &with_fields(&kw), &ret);
        let call = MethodCtx {
            name: name.clone(),
            id: op.id.clone(),
            iter: false,
            path: path.clone(),
            kw,
            fields: fields.clone(),
            body_expr: body_expr.clone(),
            query: query.clone(),
            body: match &op.body {
                None => String::new(),
                Some(b) if b.multipart => "multipart".into(),
                Some(_) => "json".into(),
            },
            wait: op.returns_operations,
            decode,
            ret,
            doc,
            deprecated: op.deprecated,
        };
        let mut out = vec![call];
        if let Some(pg) = &op.pagination {
            let by_body = op.pages_by_body();
            let kw: Vec<KwArg> = if by_body { body_kw.into_iter().chain(query_kw(true)).collect() } else { query_kw(true) };
            let fields = if by_body { fields } else { Vec::new() };
            let item = self.py_type(&pg.item_ty, false);
            let docs_kw = if by_body { with_fields(&kw) } else { kw.clone() };
            out.push(MethodCtx {
                name: naming::iter_name(&name, Lang::Python),
                id: op.id.clone(),
                iter: true,
                doc: self.method_doc(op, Some(&name), &path, &docs_kw, &item),
                path,
                kw,
                fields,
                body_expr: if by_body { body_expr } else { "None".into() },
                query: query.into_iter().filter(|q| q.json != "cursor").collect(),
                body: if op.pages_by_body() { "json".into() } else { String::new() },
                wait: false,
                decode: self.decode_spec(&pg.item_ty),
                ret: item,
                deprecated: op.deprecated,
            });
        }
        out
    }

    /// A query parameter's keyword doc: its description, and who supplies `org_id`.
    fn query_doc(&self, q: &Param) -> String {
        let d = docs::param(q);
        match q.name.as_str() {
            "org_id" => format!("{d}\nDefaults to the client's `org_id`."),
            _ => d,
        }
    }

    /// The body keyword's doc: its model (or its dict form) and its top-level fields (those
    /// that are not keywords of their own, when some are).
    fn body_doc(&self, op: &Op, keywords: &[BodyArg]) -> String {
        let Some(b) = &op.body else { return String::new() };
        let mut d = match keywords.is_empty() {
            true => format!("The request: a `{}` or its dict form{}.", b.ty, if b.required { "" } else { " (optional)" }),
            false => format!("The whole request: a `{}` or its dict form, instead of its fields as the keywords below (not both).", b.ty),
        };
        let gist = docs::model_gist(self.spec, &b.ty);
        if !gist.is_empty() {
            d.push(' ');
            d.push_str(gist);
        }
        let own: BTreeSet<&str> = keywords.iter().map(|k| k.json.as_str()).collect();
        let rest: Vec<_> = docs::body_fields(self.spec, op).into_iter().filter(|f| !own.contains(f.name.as_str())).collect();
        if !keywords.is_empty() && !rest.is_empty() {
            d.push_str("\nFields only `body=` takes (named like a parameter):");
        }
        for f in rest {
            let gist = if f.gist.is_empty() { String::new() } else { format!(": {}", f.gist) };
            d.push_str(&format!("\n`{}`{}{gist}", f.name, if f.required { " (required)" } else { "" }));
        }
        d
    }

    /// The docstring of an operation's method (`iter_of`: the page method an
    /// iterator walks): the prose, whether it waits, `Args`, `Returns` or
    /// `Yields`, `Raises`, and the HTTP call.
    fn method_doc(&self, op: &Op, iter_of: Option<&str>, path: &[PathArg], kw: &[KwArg], ret: &str) -> String {
        let mut parts: Vec<String> = Vec::new();
        match iter_of {
            Some(call) => parts.extend([docs::walks(op, call), docs::prose(op)]),
            None => parts.push(docs::prose(op)),
        }
        if op.deprecated {
            parts.push("Deprecated by the API.".into());
        }
        if op.returns_operations && iter_of.is_none() {
            parts.push("Waits for the operations it starts before returning (see `wait`).".into());
        }
        let args: Vec<(String, String)> =
            path.iter().map(|p| (p.name.clone(), p.doc.clone())).chain(kw.iter().map(|k| (k.name.clone(), k.doc.clone()))).collect();
        if !args.is_empty() {
            parts.push(section("Args", &args));
        }
        let what = match (iter_of.and(op.pagination.as_ref()), &op.response) {
            (Some(p), _) => match &p.item_ty {
                Ty::Named(n) => Some(docs::model_gist(self.spec, n).to_string()).filter(|g| !g.is_empty()),
                _ => None,
            }
            .unwrap_or_else(|| "each item.".into()),
            (None, ResponseKind::Json(Ty::Named(n))) => docs::returns(self.spec, n),
            (None, ResponseKind::Bytes) => "the response body.".into(),
            (None, _) => "the response.".into(),
        };
        if ret != "None" {
            parts.push(section(if iter_of.is_some() { "Yields" } else { "Returns" }, &[(ret.to_string(), what)]));
        }
        let mut errors = docs::errors(op, &self.vocab, Lang::Python);
        if iter_of.is_some() {
            errors.retain(|e| !e.classes.iter().any(|c| c == "OperationFailedError"));
        }
        parts.push(section("Raises", &errors.into_iter().map(|e| (e.classes.join(", "), e.when)).collect::<Vec<_>>()));
        parts.push(format!("`{} {}` (`{}`).", op.method.to_uppercase(), op.path, op.id));
        docstring(&parts.join("\n\n"), "        ")
    }

    /// A workflow's method: required parameters positional, the others keyword-only
    /// with the file's defaults; the arguments go to the core by their names.
    fn workflow(&self, w: &Workflow) -> WorkflowCtx {
        let arg = |p: &crate::spec::WorkflowParam| {
            let ty = self.py_type(&p.ty, true);
            WorkflowArg {
                name: param_ident(&p.name),
                json: p.name.clone(),
                default: p.default.as_ref().map(py_literal).unwrap_or_else(|| "None".into()),
                ty: match (&p.default, p.required) {
                    (None, false) => format!("Optional[{ty}]"),
                    _ => ty,
                },
                doc: docs::workflow_param(p, py_literal),
            }
        };
        let positional: Vec<WorkflowArg> = w.params.iter().filter(|p| p.required).map(arg).collect();
        let kw: Vec<WorkflowArg> = w.params.iter().filter(|p| !p.required).map(arg).collect();
        let (decode, ret) = match &w.returns {
            None => ("None".to_string(), "None".to_string()),
            Some(t) => (self.decode_spec(t), self.py_type(t, false)),
        };
        let mut parts = vec![docs::workflow_prose(w)];
        let args: Vec<(String, String)> = positional.iter().chain(&kw).map(|a| (a.name.clone(), a.doc.clone())).collect();
        if !args.is_empty() {
            parts.push(section("Args", &args));
        }
        if ret != "None" {
            parts.push(section("Returns", &[(ret.clone(), docs::workflow_returns(self.spec, w))]));
        }
        let errors = docs::workflow_errors(&self.vocab, Lang::Python);
        parts.push(section("Raises", &errors.into_iter().map(|e| (e.classes.join(", "), e.when)).collect::<Vec<_>>()));
        parts.push(format!("The workflow `{}` of `spec/workflows.yaml`, run by the core.", w.id()));
        let star = if kw.is_empty() { "" } else { ", *" };
        let params = |typed: bool| {
            let one = |a: &WorkflowArg, default: bool| {
                let ty = if typed { format!(": {}", a.ty) } else { String::new() };
                let eq = if typed { " = " } else { "=" };
                if default {
                    format!(", {}{ty}{eq}{}", a.name, a.default)
                } else {
                    format!(", {}{ty}", a.name)
                }
            };
            let pos: String = positional.iter().map(|a| one(a, false)).collect();
            let kws: String = kw.iter().map(|a| one(a, true)).collect();
            format!("{pos}{star}{kws}")
        };
        let entries: Vec<String> = positional.iter().chain(&kw).map(|a| format!("{}: {}", pystr(&a.json), a.name)).collect();
        WorkflowCtx {
            id: w.id(),
            ns: w.ns.clone(),
            name: docs::workflow_method(w, Lang::Python),
            params: params(false),
            typed_params: params(true),
            args: format!("{{{}}}", entries.join(", ")),
            positional,
            kw,
            decode,
            ret,
            doc: docstring(&parts.join("\n\n"), "        "),
        }
    }

    /// The workflows of a namespace (`client`: of the client itself).
    fn workflows(&self, ns: &str) -> Vec<WorkflowCtx> {
        self.spec.workflows.iter().filter(|w| w.ns == ns).map(|w| self.workflow(w)).collect()
    }

    /// The namespace classes, in the order the client lists them.
    fn namespaces(&self) -> Vec<NsCtx> {
        naming::namespaces()
            .into_iter()
            .map(|ns| {
                let ops: Vec<&Op> = self.spec.ops.iter().filter(|o| o.ns == ns).collect();
                let class = naming::ns_type(ns, Lang::Python);
                NsCtx {
                    name: ns.to_string(),
                    async_class: format!("Async{class}"),
                    class,
                    count: ops.len(),
                    methods: ops.iter().flat_map(|op| self.methods(op)).collect(),
                    workflows: self.workflows(ns),
                }
            })
            .collect()
    }

    /// The operation table's rows, in the spec's order.
    fn operations(&self) -> Vec<OpRow> {
        self.spec
            .ops
            .iter()
            .map(|op| {
                let method = naming::method_name(&op.words, Lang::Python);
                OpRow {
                    id: op.id.clone(),
                    ns: op.ns.clone(),
                    iter: op.pagination.as_ref().map(|_| naming::iter_name(&method, Lang::Python)),
                    method,
                    path: op.path_params.iter().map(|p| p.name.clone()).collect(),
                    query: self.query_names(op),
                }
            })
            .collect()
    }
}

/// The names of `neonkit.Model`'s own members, which no field may take.
const RESERVED: &[&str] = &["extra", "get", "to_dict", "to_json", "from_dict"];

/// A top-level field of a request body, as a keyword argument of its operation's method.
#[derive(Serialize, Clone)]
struct BodyArg {
    name: String,
    json: String,
    ty: String,
    /// Required in the keyword form (a required field of a required body).
    required: bool,
    doc: String,
}

/// A workflow parameter's keyword: its name in `spec/workflows.yaml`, which must be one
/// (`body` stays `body`, as the operations' keyword is).
fn param_ident(name: &str) -> String {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !naming::is_keyword(name, Lang::Python)
        && name != "self";
    assert!(ok, "spec/workflows.yaml: the parameter {name:?} is not a Python identifier");
    name.to_string()
}

/// A Python literal of a default of `spec/workflows.yaml` (a boolean, a string or a number).
fn py_literal(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::Bool(true) => "True".into(),
        serde_yaml::Value::Bool(false) => "False".into(),
        serde_yaml::Value::String(s) => pystr(s),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Null => "None".into(),
        other => panic!("spec/workflows.yaml: a default must be a boolean, a string or a number, not {other:?}"),
    }
}

/// The docstring of `client.operations.wait`.
const WAIT_DOC: &str = "Polls the operations until each is `finished` or `skipped`, and returns them in their final state.

Args:
    project_id: The project the operations belong to.
    operations: The operations (ids, `Operation`s or their dicts), e.g. a call's `operations` made with `wait=False`.

Returns:
    List[Operation]: The operations in their final state.

Raises:
    OperationFailedError: an operation ended `failed`, `error` or `cancelled`.
    WaitTimeoutError: the wait outlasted `wait_timeout`; its pending operations are those still running.";

/// What the templates are rendered from: the names and types of everything
/// the Python package generates, computed once from the spec.
#[derive(Serialize)]
struct Context {
    header: String,
    models: Vec<ModelCtx>,
    namespaces: Vec<NsCtx>,
    operations: Vec<OpRow>,
    /// The workflows of the client itself (`connection_string`), and every workflow (the runtime's table).
    client_workflows: Vec<WorkflowCtx>,
    workflows: Vec<WorkflowCtx>,
    /// The docstring literal of `client.operations.wait`.
    wait_doc: String,
}

/// A model class: an open enum or a struct (with its TypedDict, `dict`).
#[derive(Serialize)]
struct ModelCtx {
    name: String,
    dict: String,
    is_enum: bool,
    /// The docstring literal (the description), or empty.
    doc: String,
    members: Vec<MemberCtx>,
    fields: Vec<FieldCtx>,
}

#[derive(Serialize)]
struct MemberCtx {
    name: String,
    value: String,
}

#[derive(Serialize)]
struct FieldCtx {
    json: String,
    /// The attribute and keyword name.
    attr: String,
    /// Whether `attr` differs from the JSON name.
    renamed: bool,
    sensitive: bool,
    /// Required and not nullable: a DecodeError when read from JSON that lacks it.
    required: bool,
    /// The docstring literal under the attribute in the stub (its description), or empty.
    doc: String,
    /// How the runtime decodes the value (see `Gen::decode_spec`).
    decode: String,
    /// The attribute's type, the constructor keyword's and the TypedDict entry's.
    ty: String,
    arg_ty: String,
    dict_ty: String,
}

/// A namespace class (`Projects`, and `AsyncProjects` for the async client).
#[derive(Serialize)]
struct NsCtx {
    name: String,
    class: String,
    async_class: String,
    /// How many operations it has.
    count: usize,
    methods: Vec<MethodCtx>,
    workflows: Vec<WorkflowCtx>,
}

/// A workflow's method (on a namespace class, or on the client for `client`).
#[derive(Serialize)]
struct WorkflowCtx {
    /// The core's id (`branches.ensure`, `connection_string`).
    id: String,
    ns: String,
    name: String,
    /// The parameters after `self` (`, project_id, *, pooled=True`), typed for the stub;
    /// the arguments as the dict literal the core gets.
    params: String,
    typed_params: String,
    args: String,
    positional: Vec<WorkflowArg>,
    /// The keyword-only parameters, with their defaults.
    kw: Vec<WorkflowArg>,
    /// How the runtime decodes the result, and the stub's return type.
    decode: String,
    ret: String,
    /// The docstring literal.
    doc: String,
}

#[derive(Serialize)]
struct WorkflowArg {
    name: String,
    /// The name the core takes it by.
    json: String,
    /// The stub's type, and the default as a Python literal (`None` for none).
    ty: String,
    default: String,
    doc: String,
}

/// A method of a namespace class: an operation's call or, for a paginated
/// operation, the iterator over every page's items.
#[derive(Serialize)]
struct MethodCtx {
    name: String,
    /// The operationId.
    id: String,
    iter: bool,
    path: Vec<PathArg>,
    /// The keyword-only parameters: the body, the query parameters (the
    /// iterator's without `cursor`), `wait`.
    kw: Vec<KwArg>,
    /// The body's top-level fields as keywords (the alternative to `body=`).
    fields: Vec<BodyArg>,
    /// The expression of the request body the call sends (`None` for none).
    body_expr: String,
    /// The query parameters sent.
    query: Vec<QueryArg>,
    /// `json`, `multipart`, or empty for no body.
    body: String,
    /// Whether the call passes `wait` on.
    wait: bool,
    /// How the runtime decodes the result (an iterator's: each item).
    decode: String,
    /// The stub's return type (an iterator's: the item's).
    ret: String,
    /// The docstring literal: the operation's prose, parameters, result and errors.
    doc: String,
    deprecated: bool,
}

#[derive(Serialize, Clone)]
struct PathArg {
    name: String,
    ty: String,
    /// An integer id, sent as text.
    integer: bool,
    /// Its text in the docstring's `Args`.
    doc: String,
}

#[derive(Clone, Serialize)]
struct KwArg {
    name: String,
    ty: String,
    required: bool,
    /// Its text in the docstring's `Args`.
    doc: String,
}

/// A query parameter: its JSON name and its keyword.
#[derive(Serialize, Clone)]
struct QueryArg {
    json: String,
    name: String,
}

/// A row of the runtime's operation table.
#[derive(Serialize)]
struct OpRow {
    id: String,
    ns: String,
    method: String,
    /// The path parameters' JSON names.
    path: Vec<String>,
    query: Vec<QueryArg>,
    /// The iterator method, if the operation is paginated.
    iter: Option<String>,
}

/// Every generated file of the python binding: (path from the repo root, contents).
pub fn files(spec: &Spec) -> Vec<(String, String)> {
    let g = Gen::new(spec, crate::load_vocabulary());
    let mut env = crate::code_templates(TEMPLATES);
    env.add_filter("pystr", |s: &str| pystr(s));
    let ctx = Context {
        header: naming::spec_header(Lang::Python),
        models: g.models(),
        namespaces: g.namespaces(),
        operations: g.operations(),
        client_workflows: g.workflows("client"),
        workflows: spec.workflows.iter().map(|w| g.workflow(w)).collect(),
        wait_doc: docstring(WAIT_DOC, "        "),
    };
    let render = |file: &str| (format!("{DIR}/{file}"), crate::render(&env, &format!("python/{file}"), &ctx));
    vec![render("__init__.py"), render("models.py"), render("models.pyi"), render("resources.py"), render("resources.pyi")]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docstrings_hold_any_text() {
        assert_eq!(docstring("", "    "), "");
        assert_eq!(docstring("One line.", "    "), "\"\"\"One line.\"\"\"");
        // Lines after the first are indented, the closing quotes on their own line;
        // quotes that would close the docstring and backslashes are escaped.
        assert_eq!(docstring("a\n\n  b \"q\"", "    "), "\"\"\"a\n\n      b \"q\\\"\n    \"\"\"");
        assert_eq!(docstring("x \"\"\" y \\ z", ""), "\"\"\"x \\\"\\\"\" y \\\\ z\"\"\"");
    }

    #[test]
    fn sections_indent_each_entry_s_further_lines() {
        let entries = [("a".to_string(), "one\ntwo\n\nthree".to_string()), ("b".to_string(), "x".to_string())];
        assert_eq!(section("Args", &entries), "Args:\n    a: one\n        two\n\n        three\n    b: x");
    }
}
