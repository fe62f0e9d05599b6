//! One naming rule for every language, plus the overrides in spec/naming.yaml.
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

/// The name of an operation's method in each language, as a user writes it.
pub struct LangNames {
    pub rust: String,
    pub python: String,
    pub node: String,
    pub kotlin: String,
    pub swift: String,
}

pub fn lang_names(op: &Op) -> LangNames {
    let ns_words: Vec<String> = op.ns.split('_').map(String::from).collect();
    let m_snake = snake(&op.words);
    let m_camel = camel(&op.words);
    let ns_camel = camel(&ns_words);
    LangNames {
        rust: format!("{}().{}", op.ns, m_snake),
        python: format!("{}.{}", op.ns, m_snake),
        node: format!("{}.{}", ns_camel, m_camel),
        kotlin: format!("{}().{}", ns_camel, m_camel),
        swift: format!("{}().{}", ns_camel, m_camel),
    }
}

/// The languages whose names the generator makes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Lang {
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

/// The header line of every generated file, in the comment syntax given.
pub fn generated_header(comment: &str, from: &str) -> String {
    format!("{comment} @generated by `cargo xtask codegen` from {from} — do not edit.\n")
}
