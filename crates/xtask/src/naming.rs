//! One naming rule for every language, plus the overrides in spec/naming.yaml.
//!
//! Every generator and the docs take their names from here: casing
//! ([`split_words`], [`snake`], [`camel`], [`pascal_words`], [`screaming`]),
//! each language's keywords ([`keywords`]) and identifiers ([`ident`]), method,
//! iterator, namespace and query type names ([`method_name`], [`iter_name`],
//! [`ns_accessor`], [`ns_type`], [`query_type`]), enum members
//! ([`enum_members`]), model view properties ([`view_props`]) and the
//! generated-file headers ([`spec_header`]).
//!
//! Namespace: from the operation's tag, except that databases and roles (tagged
//! Branch in the spec) get namespaces of their own. Method: the operationId's
//! words without the namespace's noun and without leading scoping words
//! (`listProjectBranchDatabases` → `databases.list`).

use std::collections::{BTreeMap, BTreeSet};

use crate::spec::Op;

/// Splits `listProjectVPCEndpoints` / `list_vpc` / `DataAPI` into words.
pub fn split_words(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for i in 0..chars.len() {
        let c = chars[i];
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            Some(p) if c.is_ascii_uppercase() => {
                p.is_ascii_lowercase() || (p.is_ascii_uppercase() && next.map(|n| n.is_ascii_lowercase()).unwrap_or(false))
            }
            _ => false,
        };
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

pub fn snake(words: &[String]) -> String {
    words.iter().map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>().join("_")
}

pub fn camel(words: &[String]) -> String {
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        let w = w.to_ascii_lowercase();
        if i == 0 {
            out.push_str(&w);
        } else {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                out.push(f.to_ascii_uppercase());
                out.push_str(c.as_str());
            }
        }
    }
    out
}

pub fn pascal_words(words: &[String]) -> String {
    let c = camel(words);
    let mut chars = c.chars();
    match chars.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + chars.as_str(),
        None => c,
    }
}

/// `SCREAMING_SNAKE` (`CREATE_PROJECT_BRANCH`).
pub fn screaming(words: &[String]) -> String {
    words.iter().map(|w| w.to_ascii_uppercase()).collect::<Vec<_>>().join("_")
}

/// PascalCase of a spec name, acronyms as words (`connection_uris` → `ConnectionUris`,
/// `getConnectionURI` → `GetConnectionUri`).
pub fn pascal(name: &str) -> String {
    pascal_words(&split_words(name))
}

/// An operationId with its first letter capitalised and the rest as written
/// (`getConnectionURI` → `GetConnectionURI`): the prefix of hoisted type names.
pub fn pascal_id(id: &str) -> String {
    let mut c = id.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// What uniffi makes of a snake_case Rust name in Kotlin and Swift (lowerCamelCase).
pub fn lower_camel(snake_name: &str) -> String {
    let words: Vec<String> = snake_name.split('_').filter(|w| !w.is_empty()).map(String::from).collect();
    camel(&words)
}

struct NsRule {
    ns: &'static str,
    /// Noun phrases removed anywhere (first match), longest first.
    nouns: &'static [&'static [&'static str]],
    /// Scoping words removed when they directly follow the verb.
    scopes: &'static [&'static str],
}

const RULES: &[NsRule] = &[
    NsRule { ns: "projects", nouns: &[&["projects"], &["project"]], scopes: &[] },
    NsRule { ns: "branches", nouns: &[&["branches"], &["branch"]], scopes: &["project"] },
    NsRule { ns: "databases", nouns: &[&["databases"], &["database"]], scopes: &["project", "branch"] },
    NsRule { ns: "roles", nouns: &[&["roles"], &["role"]], scopes: &["project", "branch"] },
    NsRule { ns: "endpoints", nouns: &[&["endpoints"], &["endpoint"]], scopes: &["project"] },
    NsRule { ns: "operations", nouns: &[&["operations"], &["operation"]], scopes: &["project"] },
    NsRule { ns: "api_keys", nouns: &[&["api", "keys"], &["api", "key"]], scopes: &[] },
    NsRule { ns: "snapshots", nouns: &[&["snapshots"], &["snapshot"]], scopes: &["project", "branch"] },
    NsRule { ns: "regions", nouns: &[&["regions"], &["region"]], scopes: &[] },
    NsRule { ns: "users", nouns: &[&["user"], &["users"]], scopes: &[] },
    NsRule { ns: "consumption", nouns: &[&["consumption"]], scopes: &[] },
    NsRule { ns: "organizations", nouns: &[&["organizations"], &["organization"], &["org"]], scopes: &[] },
    NsRule { ns: "auth", nouns: &[&["neon", "auth"]], scopes: &["project"] },
    NsRule { ns: "data_api", nouns: &[&["data", "api"]], scopes: &["project", "branch"] },
    NsRule { ns: "storage", nouns: &[&["storage"]], scopes: &["project", "branch"] },
    NsRule { ns: "buckets", nouns: &[&["buckets"], &["bucket"]], scopes: &["project", "branch"] },
    NsRule { ns: "functions", nouns: &[&["functions"], &["function"]], scopes: &["project", "branch"] },
    NsRule { ns: "ai_gateway", nouns: &[&["ai", "gateway"]], scopes: &["project", "branch"] },
    NsRule { ns: "credentials", nouns: &[&["credentials"], &["credential"]], scopes: &["project", "branch"] },
];

fn ns_of_tag(tag: &str) -> &'static str {
    match tag {
        "Project" => "projects",
        "Branch" => "branches",
        "Endpoint" => "endpoints",
        "Operation" => "operations",
        "API Key" => "api_keys",
        "Snapshot" => "snapshots",
        "Region" => "regions",
        "Users" => "users",
        "Consumption" => "consumption",
        "Organizations" => "organizations",
        "Auth" | "Auth (legacy)" => "auth",
        "DataAPI" => "data_api",
        "Storage" => "storage",
        "Buckets" => "buckets",
        "Functions" => "functions",
        "AI Gateway" => "ai_gateway",
        "Credentials" => "credentials",
        other => panic!("tag {other:?} has no namespace; add it to xtask/src/naming.rs"),
    }
}

/// The namespaces in the order the clients list them.
pub fn namespaces() -> Vec<&'static str> {
    RULES.iter().map(|r| r.ns).collect()
}

pub struct Naming {
    overrides: BTreeMap<String, (String, String)>,
}

impl Naming {
    pub fn parse(text: &str) -> Naming {
        let raw: BTreeMap<String, String> = serde_yaml::from_str(text).expect("spec/naming.yaml parses");
        let overrides = raw
            .into_iter()
            .map(|(id, target)| {
                let (ns, method) =
                    target.split_once('.').unwrap_or_else(|| panic!("naming.yaml: {id}: expected namespace.method, got {target}"));
                (id, (ns.to_string(), method.to_string()))
            })
            .collect();
        Naming { overrides }
    }

    pub fn name(&self, op: &Op) -> (String, Vec<String>) {
        if let Some((ns, method)) = self.overrides.get(&op.id) {
            assert!(namespaces().contains(&ns.as_str()), "naming.yaml: unknown namespace {ns}");
            return (ns.clone(), method.split('_').map(String::from).collect());
        }
        let words: Vec<String> = split_words(&op.id).iter().map(|w| w.to_ascii_lowercase()).collect();
        let mut ns = ns_of_tag(&op.tag);
        if ns == "branches" {
            if words.iter().any(|w| w == "database" || w == "databases") {
                ns = "databases";
            } else if words.iter().any(|w| w == "role" || w == "roles") {
                ns = "roles";
            }
        }
        let rule = RULES.iter().find(|r| r.ns == ns).unwrap();
        let mut rest: Vec<String> = words[1..].to_vec();
        while !rest.is_empty() && rule.scopes.contains(&rest[0].as_str()) {
            rest.remove(0);
        }
        'nouns: for noun in rule.nouns {
            for i in 0..rest.len() {
                if rest.len() - i >= noun.len() && rest[i..i + noun.len()].iter().zip(noun.iter()).all(|(a, b)| a == b) {
                    rest.drain(i..i + noun.len());
                    break 'nouns;
                }
            }
        }
        let mut method = vec![words[0].clone()];
        method.extend(rest);
        (ns.to_string(), method)
    }

    pub fn check_unique(&self, ops: &[Op]) {
        let mut seen = BTreeSet::new();
        for op in ops {
            let key = (op.ns.clone(), snake(&op.words));
            assert!(seen.insert(key.clone()), "{}: name {}.{} is taken; add an override to spec/naming.yaml", op.id, key.0, key.1);
        }
        for id in self.overrides.keys() {
            assert!(ops.iter().any(|o| &o.id == id), "naming.yaml names {id}, which the spec does not have");
        }
    }
}

/// The languages whose names the generator makes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Lang {
    Rust,
    Python,
    Node,
    Kotlin,
    Swift,
}

impl Lang {
    /// Whether durations are milliseconds (else seconds).
    pub fn millis(self) -> bool {
        matches!(self, Lang::Node | Lang::Kotlin | Lang::Swift)
    }

    /// The line comment of the language's source files.
    pub fn comment(self) -> &'static str {
        match self {
            Lang::Python => "#",
            _ => "//",
        }
    }
}

// ---------------------------------------------------------------------------
// Generated-file headers

/// The spec every spec-driven file is generated from.
pub const SPEC_SOURCE: &str = "spec/neon-openapi-v2.yaml and its overlay";

/// What every generated file says first, without the comment around it.
pub fn generated_notice(from: &str) -> String {
    format!("@generated by `cargo xtask codegen` from {from} — do not edit.")
}

/// The header line of every generated file, in the comment syntax given.
pub fn generated_header(comment: &str, from: &str) -> String {
    format!("{comment} {}\n", generated_notice(from))
}

/// The header line of a source file generated from the spec, in the language's comment syntax.
pub fn spec_header(lang: Lang) -> String {
    generated_header(lang.comment(), SPEC_SOURCE)
}

/// The header line of a Markdown file generated from `from` (an HTML comment).
pub fn markdown_header(from: &str) -> String {
    format!("<!-- {} -->\n", generated_notice(from))
}

// ---------------------------------------------------------------------------
// Keywords and identifiers

/// Rust's strict and reserved keywords (2024 edition: `gen`), and `try`.
const RUST_KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop",
    "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof",
    "unsized", "virtual", "yield", "try", "gen",
];

/// Python's keywords (`keyword.kwlist`).
const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
    "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
    "while", "with", "yield",
];

/// JavaScript's reserved words (strict mode, modules) and the two names strict
/// mode forbids as bindings.
#[rustfmt::skip]
const JS_KEYWORDS: &[&str] = &[
    "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum", "export",
    "extends", "false", "finally", "for", "function", "if", "implements", "import", "in", "instanceof", "interface", "let", "new",
    "null", "package", "private", "protected", "public", "return", "static", "super", "switch", "this", "throw", "true", "try",
    "typeof", "var", "void", "while", "with", "yield", "arguments", "eval",
];

/// Kotlin's hard keywords.
#[rustfmt::skip]
const KOTLIN_KEYWORDS: &[&str] = &[
    "as", "break", "class", "continue", "do", "else", "false", "for", "fun", "if", "in", "interface", "is", "null", "object", "package",
    "return", "super", "this", "throw", "true", "try", "typealias", "typeof", "val", "var", "when", "while",
];

/// Swift's keywords (declarations, statements, expressions and types).
#[rustfmt::skip]
const SWIFT_KEYWORDS: &[&str] = &[
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout", "internal", "let",
    "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias",
    "var", "break", "case", "catch", "continue", "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat",
    "return", "throw", "switch", "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws",
    "true", "try",
];

/// The keywords of a language: a name among them is escaped by [`ident`].
pub fn keywords(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::Rust => RUST_KEYWORDS,
        Lang::Python => PYTHON_KEYWORDS,
        Lang::Node => JS_KEYWORDS,
        Lang::Kotlin => KOTLIN_KEYWORDS,
        Lang::Swift => SWIFT_KEYWORDS,
    }
}

pub fn is_keyword(word: &str, lang: Lang) -> bool {
    keywords(lang).contains(&word)
}

/// uniffi exports one Rust name to Kotlin and Swift: it must be a keyword of none of the three.
fn uniffi_keyword(word: &str) -> bool {
    [Lang::Rust, Lang::Kotlin, Lang::Swift].iter().any(|&l| is_keyword(word, l))
}

/// Names the generated Python classes use themselves (`Model.to_dict`, the
/// `body` and `wait` keywords, `self`): a field or parameter so named is escaped too.
const PYTHON_RESERVED: &[&str] = &["to_dict", "from_dict", "body", "wait", "self"];

/// The identifier of a spec name (a JSON field, a path or query parameter) in a language:
///
/// - Rust: other characters as `_`, snake_case if it has capitals, `_` before a
///   leading digit, `r#` before a keyword (`type` → `r#type`);
/// - Python: other characters as `_`, `_` before a leading digit, `_` after a
///   keyword or a name the generated classes use (`from` → `from_`);
/// - Node: camelCase, `_` after a reserved word;
/// - Kotlin, Swift: lowerCamelCase of the uniffi binding's Rust name ([`uniffi_ident`]).
pub fn ident(name: &str, lang: Lang) -> String {
    match lang {
        Lang::Rust => {
            let mut id: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
            if id.chars().any(|c| c.is_ascii_uppercase()) {
                id = snake(&split_words(&id));
            }
            if id.chars().next().map(|c| c.is_ascii_digit()).unwrap_or(true) {
                id = format!("_{id}");
            }
            if is_keyword(&id, Lang::Rust) {
                id = format!("r#{id}");
            }
            id
        }
        Lang::Python => {
            let mut s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
            if s.is_empty() || s.chars().next().unwrap().is_ascii_digit() {
                s.insert(0, '_');
            }
            if is_keyword(&s, Lang::Python) || PYTHON_RESERVED.contains(&s.as_str()) {
                s.push('_');
            }
            s
        }
        Lang::Node => {
            let c = camel(&split_words(name));
            if is_keyword(&c, Lang::Node) {
                format!("{c}_")
            } else {
                c
            }
        }
        Lang::Kotlin | Lang::Swift => lower_camel(&uniffi_ident(name)),
    }
}

/// The uniffi binding's Rust name for a spec name: snake_case, trimmed of `_`,
/// `p_` before a leading digit, `_value` after a keyword of Rust, Kotlin or Swift.
pub fn uniffi_ident(name: &str) -> String {
    let mut id: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if id.chars().any(|c| c.is_ascii_uppercase()) {
        id = snake(&split_words(&id));
    }
    let id = id.trim_matches('_').to_string();
    let mut id = if id.chars().next().map(|c| c.is_ascii_digit()).unwrap_or(true) { format!("p_{id}") } else { id };
    if uniffi_keyword(&id) {
        id.push_str("_value");
    }
    id
}

/// The name of a method (its words) in a language: snake_case in Rust (`r#`
/// before a keyword) and Python (`_` after one), camelCase in Node, the
/// lowerCamelCase of [`uniffi_method`] in Kotlin and Swift.
pub fn method_name(words: &[String], lang: Lang) -> String {
    match lang {
        Lang::Rust | Lang::Python => {
            let n = snake(words);
            match (is_keyword(&n, lang), lang) {
                (false, _) => n,
                (true, Lang::Rust) => format!("r#{n}"),
                (true, _) => format!("{n}_"),
            }
        }
        Lang::Node => camel(words),
        Lang::Kotlin | Lang::Swift => lower_camel(&uniffi_method(words)),
    }
}

/// The uniffi binding's Rust name for a method: snake_case, `_op` after a keyword of Rust, Kotlin or Swift.
pub fn uniffi_method(words: &[String]) -> String {
    let n = snake(words);
    if uniffi_keyword(&n) {
        format!("{n}_op")
    } else {
        n
    }
}

/// The iterator method of a paginated operation, from the operation's method
/// name as the language spells it: `iter` for `list`, else the method's name
/// and `_iter` (Rust, Python) or `Iter` (Node, Kotlin, Swift).
pub fn iter_name(method: &str, lang: Lang) -> String {
    let method = method.strip_prefix("r#").unwrap_or(method);
    if method == "list" {
        return "iter".to_string();
    }
    match lang {
        Lang::Rust | Lang::Python => format!("{method}_iter"),
        Lang::Node | Lang::Kotlin | Lang::Swift => format!("{method}Iter"),
    }
}

/// The members of an enum with these values, unique within it:
///
/// - Rust: PascalCase variants (`V` before a leading digit, `Empty` for an empty
///   value, `UnknownValue` for `Unknown`, which the open enum keeps), `_` appended to a repeat;
/// - Python: UPPER_SNAKE members (`V_` before a leading digit, `_` after a keyword,
///   `_`-led or `MRO` name), `_2`, `_3`… appended to a repeat;
/// - Kotlin (and Node, Swift, which name no members): UPPER_SNAKE constants (`V_` before
///   a leading digit), `_` appended to a repeat.
pub fn enum_members(values: &[String], lang: Lang) -> Vec<String> {
    let mut taken = BTreeSet::new();
    values
        .iter()
        .map(|value| match lang {
            Lang::Rust => {
                let mut v = pascal_words(&split_words(value));
                if v.is_empty() {
                    v = "Empty".into();
                }
                if v.chars().next().unwrap().is_ascii_digit() {
                    v = format!("V{v}");
                }
                if v == "Unknown" {
                    v = "UnknownValue".into();
                }
                while !taken.insert(v.clone()) {
                    v.push('_');
                }
                v
            }
            Lang::Python => {
                let mut s: String = value.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
                s = s.trim_matches('_').to_string();
                if s.is_empty() || s.chars().next().unwrap().is_ascii_digit() {
                    s.insert_str(0, "V_");
                }
                if s.starts_with('_') || is_keyword(&s, Lang::Python) || s == "MRO" {
                    s.push('_');
                }
                let mut unique = s.clone();
                let mut n = 2;
                while taken.contains(&unique) {
                    unique = format!("{s}_{n}");
                    n += 1;
                }
                taken.insert(unique.clone());
                unique
            }
            Lang::Node | Lang::Kotlin | Lang::Swift => {
                let mut id: String = value.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
                if id.is_empty() || id.chars().next().unwrap().is_ascii_digit() {
                    id = format!("V_{id}");
                }
                while !taken.insert(id.clone()) {
                    id.push('_');
                }
                id
            }
        })
        .collect()
}

/// The properties of a typed model view (Kotlin and Swift) for its fields'
/// JSON names: lowerCamelCase, `f` before a leading digit, `Field` after a name
/// the view itself has (`neonJson`, `json`, `description`), `_` appended to a repeat.
pub fn view_props(json_names: &[&str]) -> Vec<String> {
    let mut taken = BTreeSet::new();
    json_names
        .iter()
        .map(|name| {
            let mut n = camel(&split_words(name));
            if n.is_empty() || n.chars().next().unwrap().is_ascii_digit() {
                n = format!("f{n}");
            }
            if matches!(n.as_str(), "neonJson" | "json" | "description") {
                n.push_str("Field");
            }
            while !taken.insert(n.clone()) {
                n.push('_');
            }
            n
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Namespaces, operations and their names per language

/// A namespace's words (`api_keys` → `["api", "keys"]`).
pub fn ns_words(ns: &str) -> Vec<String> {
    ns.split('_').map(String::from).collect()
}

/// The client's accessor of a namespace: `api_keys` in Rust and Python, `apiKeys` elsewhere.
pub fn ns_accessor(ns: &str, lang: Lang) -> String {
    match lang {
        Lang::Rust | Lang::Python => ns.to_string(),
        Lang::Node | Lang::Kotlin | Lang::Swift => camel(&ns_words(ns)),
    }
}

/// The type of a namespace: `ApiKeys` in Rust and Python, `ApiKeysApi` in Node, Kotlin and Swift.
pub fn ns_type(ns: &str, lang: Lang) -> String {
    let p = pascal_words(&ns_words(ns));
    match lang {
        Lang::Rust | Lang::Python => p,
        Lang::Node | Lang::Kotlin | Lang::Swift => format!("{p}Api"),
    }
}

/// The Rust constant of an operation's table entry (`CREATE_PROJECT_BRANCH`).
pub fn const_name(op_id: &str) -> String {
    screaming(&split_words(op_id))
}

/// The type of an operation's query parameters: acronyms as words in Rust,
/// Kotlin and Swift (`GetConnectionUriQuery`), as written in Node (`GetConnectionURIQuery`).
pub fn query_type(op_id: &str, lang: Lang) -> String {
    match lang {
        Lang::Node => format!("{}Query", pascal_id(op_id)),
        _ => format!("{}Query", pascal(op_id)),
    }
}

/// The name of an operation's method in each language, as a user writes it.
#[derive(serde::Serialize)]
pub struct LangNames {
    pub rust: String,
    pub python: String,
    pub node: String,
    pub kotlin: String,
    pub swift: String,
}

pub fn lang_names(op: &Op) -> LangNames {
    let call = |lang: Lang, sep: &str| format!("{}{sep}.{}", ns_accessor(&op.ns, lang), method_name(&op.words, lang));
    LangNames {
        rust: call(Lang::Rust, "()"),
        python: call(Lang::Python, ""),
        node: call(Lang::Node, ""),
        kotlin: call(Lang::Kotlin, "()"),
        swift: call(Lang::Swift, "()"),
    }
}

/// An option's name in a language: snake_case in Rust and Python, camelCase
/// elsewhere, with `Ms` after a duration's name where durations are milliseconds.
pub fn option_name(name: &str, duration: bool, lang: Lang) -> String {
    if !lang.millis() {
        return name.to_string();
    }
    let c = camel(&split_words(name));
    if duration {
        format!("{c}Ms")
    } else {
        c
    }
}

/// An error class's name in a language: Kotlin's convention swaps `Error` for
/// `Exception` (uniffi does the same for the variants it generates).
pub fn error_class(class: &str, lang: Lang) -> String {
    match lang {
        Lang::Kotlin => class.strip_suffix("Error").map(|s| format!("{s}Exception")).unwrap_or_else(|| class.to_string()),
        _ => class.to_string(),
    }
}

/// A string literal in a language: JSON's escapes serve Python and JavaScript;
/// Rust's `{:?}` serves Rust, and Kotlin and Swift read the spec's plain names alike.
pub fn string_literal(s: &str, lang: Lang) -> String {
    match lang {
        Lang::Python | Lang::Node => serde_json::to_string(s).expect("a str serializes"),
        _ => format!("{s:?}"),
    }
}

// ---------------------------------------------------------------------------
// Doc text

/// Spec prose (Markdown) made safe where a language's docs carry it, read the same:
///
/// - Python (inside `"""…"""`): `\` doubled, and every `"` that another `"`
///   or the closing quotes follow escaped as `\"`, so no `"""` closes it early;
/// - Node, Kotlin, Swift (block comments: JSDoc, KDoc, the `/** */` blocks
///   uniffi writes, which Kotlin and Swift nest): no `*/` or `/*` (`*\/`,
///   `/\*`), and no line that starts with `@` (`\@`), which would open a tag;
///   Markdown renders each escape as the character itself;
/// - Rust (`///` lines): as is.
pub fn doc_safe(text: &str, lang: Lang) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    match lang {
        Lang::Python => {
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '"' if matches!(chars.peek(), Some('"') | None) => out.push_str("\\\""),
                    c => out.push(c),
                }
            }
        }
        Lang::Node | Lang::Kotlin | Lang::Swift => {
            let mut line_start = true;
            let mut prev = '\n';
            for c in text.chars() {
                if (c == '/' && prev == '*') || (c == '*' && prev == '/') || (c == '@' && line_start) {
                    out.push('\\');
                }
                out.push(c);
                line_start = c == '\n' || (line_start && c.is_whitespace());
                prev = c;
            }
        }
        Lang::Rust => out.push_str(text),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_text_cannot_end_its_comment_or_docstring() {
        // Python: the docstring `"""…"""` holds the text whatever its quotes and backslashes.
        assert_eq!(doc_safe(r#"a \d "b" """c""" d""#, Lang::Python), r#"a \\d "b" \"\""c\"\"" d\""#);
        assert_eq!(doc_safe("say \"hi\"", Lang::Python), "say \"hi\\\"");
        assert_eq!(doc_safe("plain text's", Lang::Python), "plain text's");
        // Block comments: no `*/`, no `/*` (Kotlin and Swift nest them), no tag at a line's start.
        assert_eq!(doc_safe("a */ b /* c /*/ d", Lang::Node), "a *\\/ b /\\* c /\\*\\/ d");
        assert_eq!(doc_safe("**/*", Lang::Kotlin), "**\\/\\*");
        assert_eq!(doc_safe("@see x\n  @param y, mail@host", Lang::Swift), "\\@see x\n  \\@param y, mail@host");
        assert_eq!(doc_safe("a */ \"\"\"", Lang::Rust), "a */ \"\"\"");
        for lang in [Lang::Node, Lang::Kotlin, Lang::Swift] {
            let s = doc_safe("x/*/**/*/y */ /* ***// //**", lang);
            assert!(!s.contains("*/") && !s.contains("/*"), "{lang:?}: {s}");
        }
    }

    #[test]
    fn identifiers_escape_each_language_s_keywords() {
        assert_eq!(ident("type", Lang::Rust), "r#type");
        assert_eq!(ident("projectId", Lang::Rust), "project_id");
        assert_eq!(ident("2fa", Lang::Rust), "_2fa");
        assert_eq!(ident("from", Lang::Python), "from_");
        assert_eq!(ident("body", Lang::Python), "body_");
        assert_eq!(ident("x-key", Lang::Python), "x_key");
        assert_eq!(ident("function", Lang::Node), "function_");
        assert_eq!(ident("project_id", Lang::Node), "projectId");
        assert_eq!(uniffi_ident("object"), "object_value");
        assert_eq!(uniffi_ident("default"), "default_value");
        assert_eq!(ident("default", Lang::Swift), "defaultValue");
        assert_eq!(ident("2fa", Lang::Kotlin), "p2fa");
    }

    #[test]
    fn method_and_iterator_names() {
        let words: Vec<String> = ["list", "shared"].iter().map(|w| w.to_string()).collect();
        assert_eq!(method_name(&words, Lang::Rust), "list_shared");
        assert_eq!(method_name(&words, Lang::Node), "listShared");
        assert_eq!(method_name(&words, Lang::Kotlin), "listShared");
        assert_eq!(iter_name("list", Lang::Python), "iter");
        assert_eq!(iter_name("list", Lang::Node), "iter");
        assert_eq!(iter_name("list_shared", Lang::Rust), "list_shared_iter");
        assert_eq!(iter_name("listShared", Lang::Swift), "listSharedIter");
        assert_eq!(method_name(&["type".to_string()], Lang::Rust), "r#type");
        assert_eq!(iter_name("r#type", Lang::Rust), "type_iter");
        assert_eq!(uniffi_method(&["return".to_string()]), "return_op");
    }

    #[test]
    fn namespaces_and_types() {
        assert_eq!(ns_accessor("api_keys", Lang::Python), "api_keys");
        assert_eq!(ns_accessor("api_keys", Lang::Kotlin), "apiKeys");
        assert_eq!(ns_type("api_keys", Lang::Rust), "ApiKeys");
        assert_eq!(ns_type("api_keys", Lang::Node), "ApiKeysApi");
        assert_eq!(const_name("getConnectionURI"), "GET_CONNECTION_URI");
        assert_eq!(query_type("getConnectionURI", Lang::Rust), "GetConnectionUriQuery");
        assert_eq!(query_type("getConnectionURI", Lang::Node), "GetConnectionURIQuery");
    }

    #[test]
    fn enum_members_are_unique() {
        let values: Vec<String> = ["a-b", "A_B", "unknown", "", "1x"].iter().map(|v| v.to_string()).collect();
        assert_eq!(enum_members(&values, Lang::Rust), ["AB", "AB_", "UnknownValue", "Empty", "V1x"]);
        assert_eq!(enum_members(&values, Lang::Python), ["A_B", "A_B_2", "UNKNOWN", "V_", "V_1X"]);
        assert_eq!(enum_members(&values, Lang::Kotlin), ["A_B", "A_B_", "UNKNOWN", "V_", "V_1X"]);
    }

    #[test]
    fn view_properties() {
        assert_eq!(view_props(&["project_id", "json", "2fa", "projectId"]), ["projectId", "jsonField", "f2fa", "projectId_"]);
    }

    #[test]
    fn headers() {
        assert_eq!(
            spec_header(Lang::Python),
            "# @generated by `cargo xtask codegen` from spec/neon-openapi-v2.yaml and its overlay — do not edit.\n"
        );
        assert_eq!(
            markdown_header(SPEC_SOURCE),
            "<!-- @generated by `cargo xtask codegen` from spec/neon-openapi-v2.yaml and its overlay — do not edit. -->\n"
        );
    }
}
