//! `spec/vocabulary.yaml`: the error kinds and options every language shares,
//! read into one model and rendered through the templates in `templates/vocabulary/`.
//!
//! The per-language names and the wording of a bad option value are made here
//! once (see `naming::option_name` and [`range_text`]); the core's option
//! table, each binding's classes and the parity data all come from them.

use serde::{Deserialize, Serialize};

use crate::naming::{self, Lang};

#[derive(Deserialize)]
pub struct Vocabulary {
    pub user_agent: String,
    pub errors: Vec<ErrorDef>,
    pub options: Vec<OptionDef>,
    pub emulator_options: Vec<OptionDef>,
}

#[derive(Deserialize)]
pub struct ErrorDef {
    pub kind: String,
    pub class: String,
    pub statuses: Vec<u16>,
    #[serde(default)]
    pub other_5xx: bool,
    pub retryable: bool,
    #[serde(default)]
    pub python_base: Option<String>,
    #[serde(default)]
    pub node_base: Option<String>,
    pub doc: String,
}

#[derive(Deserialize)]
pub struct OptionDef {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub scope: String,
    /// Whether the option is a field of the uniffi options records (the API key
    /// is a constructor argument there: records print every field).
    #[serde(default = "yes")]
    pub record: bool,
    /// An emulator option that can change while the emulator runs (`configure`).
    #[serde(default)]
    pub dynamic: bool,
    #[serde(default)]
    pub default: Option<serde_yaml::Value>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub zero: Option<bool>,
    pub doc: String,
}

fn yes() -> bool {
    true
}

pub fn load(text: &str) -> Vocabulary {
    let v: Vocabulary = serde_yaml::from_str(text).expect("spec/vocabulary.yaml");
    for o in &v.options {
        assert!(
            matches!(o.ty.as_str(), "duration" | "count" | "bytes" | "bool" | "string" | "path" | "secret" | "headers"),
            "option {}: unknown type {}",
            o.name,
            o.ty
        );
        assert!(matches!(o.scope.as_str(), "client" | "call" | "both"), "option {}: unknown scope {}", o.name, o.scope);
    }
    for o in &v.emulator_options {
        assert!(o.scope == "emulator", "emulator option {}: scope must be emulator", o.name);
    }
    v
}

/// A number as the messages show it: whole numbers without a fraction.
pub fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

impl OptionDef {
    /// The factor from the option's base unit to the language's unit.
    fn scale(&self, lang: Lang) -> f64 {
        if self.ty == "duration" && lang.millis() {
            1000.0
        } else {
            1.0
        }
    }

    pub fn lang_name(&self, lang: Lang) -> String {
        naming::option_name(&self.name, self.ty == "duration", lang)
    }

    /// What a value of this option must be, worded once for every language:
    /// a bad value's message is this and ` (got <value>)`.
    pub fn range_text(&self, lang: Lang) -> String {
        let name = self.lang_name(lang);
        let f = self.scale(lang);
        let max = num(self.max.unwrap_or(0.0) * f);
        let min = num(self.min.unwrap_or(0.0) * f);
        match self.ty.as_str() {
            "duration" => {
                let unit = if lang.millis() { "milliseconds" } else { "seconds" };
                if self.zero.unwrap_or(false) {
                    format!("{name} must be a number of {unit} from 0 to {max}")
                } else {
                    format!("{name} must be a number of {unit} greater than 0 and at most {max}")
                }
            }
            "count" => format!("{name} must be a whole number from {min} to {max}"),
            "bytes" => format!("{name} must be a whole number of bytes from {min} to {max}"),
            "bool" => format!("{name} must be true or false"),
            "headers" => format!("{name} must be a map of header names to string values"),
            _ => format!("{name} must be a string"),
        }
    }

    /// The default as the language writes it, for docs.
    pub fn default_text(&self, lang: Lang) -> Option<String> {
        let d = self.default.as_ref()?;
        Some(match d {
            serde_yaml::Value::Bool(b) => match lang {
                Lang::Python => if *b { "True" } else { "False" }.to_string(),
                _ => b.to_string(),
            },
            serde_yaml::Value::Number(n) => num(n.as_f64().unwrap_or(0.0) * self.scale(lang)),
            other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
        })
    }

    /// The default as an option's doc ends (` Default 30 s.`), or empty when there is none.
    pub fn default_note(&self, lang: Lang) -> String {
        let unit = match (self.ty.as_str(), lang.millis()) {
            ("duration", true) => " ms",
            ("duration", false) => " s",
            _ => "",
        };
        self.default_text(lang).map(|d| format!(" Default {d}{unit}.")).unwrap_or_default()
    }

    pub fn client(&self) -> bool {
        matches!(self.scope.as_str(), "client" | "both")
    }

    pub fn call(&self) -> bool {
        matches!(self.scope.as_str(), "call" | "both")
    }
}

/// One bad value of an option, in a language's units, and the message every
/// language gives for it.
#[derive(Serialize)]
pub struct BadValue {
    pub value: serde_json::Value,
    pub message: String,
    /// Whether a statically typed language (Kotlin, Swift) can pass it at all:
    /// a string for a number, or a fraction for a whole number, does not compile there.
    pub typed: bool,
}

/// The bad values the parity tests try: below and above the range, a fraction
/// for whole numbers, a value of the wrong type.
pub fn bad_values(o: &OptionDef, lang: Lang) -> Vec<BadValue> {
    let text = o.range_text(lang);
    let f = o.scale(lang);
    let number = |x: f64| {
        let v = x * f;
        if v.fract() == 0.0 {
            serde_json::json!(v as i64)
        } else {
            serde_json::json!(v)
        }
    };
    let mut out = Vec::new();
    match o.ty.as_str() {
        "duration" | "count" | "bytes" => {
            let below = if o.ty == "bytes" { o.min.unwrap_or(0.0) - 1.0 } else { -1.0 };
            out.push(BadValue { value: number(below), message: format!("{text} (got {})", num(below * f)), typed: true });
            let above = o.max.unwrap_or(0.0) + 1.0;
            out.push(BadValue { value: number(above), message: format!("{text} (got {})", num(above * f)), typed: true });
            if o.ty != "duration" {
                out.push(BadValue { value: serde_json::json!(1.5), message: format!("{text} (got 1.5)"), typed: false });
            }
            out.push(BadValue { value: serde_json::json!("5"), message: format!("{text} (got a string)"), typed: false });
        }
        "bool" => out.push(BadValue { value: serde_json::json!("yes"), message: format!("{text} (got a string)"), typed: false }),
        "string" | "path" => out.push(BadValue { value: serde_json::json!(5), message: format!("{text} (got a number)"), typed: false }),
        _ => {}
    }
    out
}

fn rust_float(x: f64) -> String {
    let s = num(x);
    if s.contains('.') || s.contains('e') {
        s
    } else {
        format!("{s}.0")
    }
}

fn error_context(e: &ErrorDef) -> serde_json::Value {
    serde_json::json!({
        "kind": e.kind,
        "class": e.class,
        "variant": naming::pascal_words(&naming::split_words(&e.kind)),
        "kotlin": naming::error_class(&e.class, Lang::Kotlin),
        "statuses": e.statuses,
        "other_5xx": e.other_5xx,
        "retryable": e.retryable,
        "python_base": e.python_base,
        "node_base": e.node_base,
        "doc": e.doc,
    })
}

fn option_context(o: &OptionDef) -> serde_json::Value {
    let (py, ts, rust, uniffi) = match o.ty.as_str() {
        "duration" => ("float", "number", "Duration", "i64"),
        "count" => ("int", "number", "Count", "i32"),
        "bytes" => ("int", "number", "Bytes", "i64"),
        "bool" => ("bool", "boolean", "Bool", "bool"),
        "headers" => ("Mapping[str, str]", "Record<string, string>", "Headers", "std::collections::HashMap<String, String>"),
        "secret" => ("str", "string", "Secret", "String"),
        // a file name: Python takes any path-like too (the binding applies os.fspath)
        "path" => ("Union[str, os.PathLike[str]]", "string", "Text", "String"),
        _ => ("str", "string", "Text", "String"),
    };
    serde_json::json!({
        "name": o.name,
        "camel": o.lang_name(Lang::Node),
        "ty": o.ty,
        "client": o.client(),
        "call": o.call(),
        "record": o.record,
        "dynamic": o.dynamic,
        "min_rs": rust_float(o.min.unwrap_or(0.0)),
        "max_rs": rust_float(o.max.unwrap_or(0.0)),
        "zero": o.zero.unwrap_or(true),
        "doc": o.doc,
        "text_snake": o.range_text(Lang::Python),
        "text_camel": o.range_text(Lang::Node),
        "default_note_python": o.default_note(Lang::Python),
        "default_note_camel": o.default_note(Lang::Node),
        "py_type": py,
        "ts_type": ts,
        "rust_type": rust,
        "uniffi_type": uniffi,
        "rs_field": if o.ty == "duration" { format!("{}_ms", o.name) } else { o.name.clone() },
    })
}

/// The parity data: what every language's parity test checks.
fn parity(v: &Vocabulary) -> String {
    let langs = [("python", Lang::Python), ("node", Lang::Node), ("kotlin", Lang::Kotlin), ("swift", Lang::Swift)];
    let errors: Vec<serde_json::Value> = v
        .errors
        .iter()
        .map(|e| {
            let mut m = serde_json::Map::new();
            m.insert("kind".into(), e.kind.clone().into());
            for (key, lang) in langs {
                m.insert(key.into(), naming::error_class(&e.class, lang).into());
            }
            serde_json::Value::Object(m)
        })
        .collect();
    let option_rows = |list: &[OptionDef]| -> Vec<serde_json::Value> {
        list.iter()
            .map(|o| {
                let mut m = serde_json::Map::new();
                m.insert("name".into(), o.name.clone().into());
                m.insert("type".into(), o.ty.clone().into());
                m.insert("client".into(), o.client().into());
                m.insert("call".into(), o.call().into());
                m.insert("record".into(), o.record.into());
                for (key, lang) in langs {
                    m.insert(key.into(), serde_json::json!({ "name": o.lang_name(lang), "bad": bad_values(o, lang) }));
                }
                serde_json::Value::Object(m)
            })
            .collect()
    };
    let doc = serde_json::json!({
        "_generated": "by `cargo xtask codegen` from spec/vocabulary.yaml — do not edit",
        "errors": errors,
        "options": option_rows(&v.options),
        "emulator_options": option_rows(&v.emulator_options),
    });
    serde_json::to_string_pretty(&doc).expect("parity JSON") + "\n"
}

/// The templates, by the file each renders (`vocabulary/<name>`).
const TEMPLATES: &[(&str, &str)] = &[
    ("vocabulary/core.rs", include_str!("../templates/vocabulary/core.rs.j2")),
    ("vocabulary/python_errors.py", include_str!("../templates/vocabulary/python_errors.py.j2")),
    ("vocabulary/python_options.py", include_str!("../templates/vocabulary/python_options.py.j2")),
    ("vocabulary/node.js", include_str!("../templates/vocabulary/node.js.j2")),
    ("vocabulary/node_exports.mjs", include_str!("../templates/vocabulary/node_exports.mjs.j2")),
    ("vocabulary/node.d.ts", include_str!("../templates/vocabulary/node.d.ts.j2")),
    ("vocabulary/uniffi.rs", include_str!("../templates/vocabulary/uniffi.rs.j2")),
];

/// What the templates are rendered from.
#[derive(Serialize)]
struct Context {
    header: String,
    errors: Vec<serde_json::Value>,
    options: Vec<serde_json::Value>,
    emulator_options: Vec<serde_json::Value>,
    user_agent: String,
}

fn context(v: &Vocabulary, lang: Lang) -> Context {
    Context {
        header: naming::generated_header(lang.comment(), "spec/vocabulary.yaml"),
        errors: v.errors.iter().map(error_context).collect(),
        options: v.options.iter().map(option_context).collect(),
        emulator_options: v.emulator_options.iter().map(option_context).collect(),
        user_agent: v.user_agent.clone(),
    }
}

/// Every file rendered from the vocabulary: (path from the repo root, contents).
pub fn files(v: &Vocabulary) -> Vec<(String, String)> {
    let env = crate::code_templates(TEMPLATES);
    let render = |name: &str, lang: Lang| crate::render(&env, &format!("vocabulary/{name}"), &context(v, lang));
    vec![
        ("crates/neonkit/src/generated/vocabulary.rs".into(), render("core.rs", Lang::Rust)),
        ("python/neonkit/generated/errors.py".into(), render("python_errors.py", Lang::Python)),
        ("python/neonkit/generated/options.py".into(), render("python_options.py", Lang::Python)),
        ("node/generated/vocabulary.js".into(), render("node.js", Lang::Node)),
        ("node/generated/exports.mjs".into(), render("node_exports.mjs", Lang::Node)),
        ("bindings/uniffi/src/generated/vocabulary.rs".into(), render("uniffi.rs", Lang::Rust)),
        ("tests/parity/vocabulary.json".into(), parity(v)),
    ]
}

/// The d.ts part the vocabulary gives (options, errors), for `node/generated/index.d.ts`.
pub fn node_dts(v: &Vocabulary) -> String {
    crate::render(&crate::code_templates(TEMPLATES), "vocabulary/node.d.ts", &context(v, Lang::Node))
}
