//! Project tasks: `cargo xtask codegen [--check]`, `cargo xtask test`, `cargo xtask bindgen`,
//! `cargo xtask dist` (every installable package, in target/dist/).

mod dist;
mod docs;
mod naming;
mod node;
mod python;
mod rust;
mod spec;
mod test;
mod uniffi;
mod vocabulary;

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).unwrap().to_path_buf()
}

/// The vendored document with its overlay merged (`spec/generated/neon-openapi.yaml`'s text).
fn merged_spec() -> String {
    let r = root();
    let base = std::fs::read_to_string(r.join("spec/neon-openapi-v2.yaml")).expect("read spec");
    // Re-vendoring a newer document makes the overlay unneeded: then it is deleted.
    let overlay = std::fs::read_to_string(r.join("spec/neon-openapi-v2.overlay.yaml")).ok();
    spec::merged_document(&base, overlay.as_deref())
}

fn load_spec(merged: &str) -> spec::Spec {
    let r = root();
    let naming = std::fs::read_to_string(r.join("spec/naming.yaml")).expect("read spec/naming.yaml");
    let real_api = std::fs::read_to_string(r.join("spec/real-api.yaml")).expect("read spec/real-api.yaml");
    let workflows = std::fs::read_to_string(r.join("spec/workflows.yaml")).expect("read spec/workflows.yaml");
    spec::load(merged, &naming, &real_api, &workflows)
}

/// The environment the spec-driven generators render their templates in
/// (`templates/<language>/…`): a block tag alone on its line leaves no trace
/// (trim and lstrip blocks), a file ends as its template does, nothing is
/// escaped (a generator's filters write its language's literals) and an
/// unknown name is an error.
fn code_templates(templates: &[(&'static str, &'static str)]) -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    for (name, text) in templates {
        env.add_template(name, text).unwrap_or_else(|e| panic!("template {name}: {e:#}"));
    }
    env
}

/// Renders one template of [`code_templates`] with a context.
fn render(env: &minijinja::Environment<'_>, name: &str, ctx: &impl serde::Serialize) -> String {
    env.get_template(name).and_then(|t| t.render(ctx)).unwrap_or_else(|e| panic!("render {name}: {e:#}"))
}

fn load_vocabulary() -> vocabulary::Vocabulary {
    vocabulary::load(&std::fs::read_to_string(root().join("spec/vocabulary.yaml")).expect("read spec/vocabulary.yaml"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("names") => {
            let s = load_spec(&merged_spec());
            for op in &s.ops {
                println!("{:45} {:8} {:14} {}", op.id, op.tag, op.ns, naming::snake(&op.words));
            }
            println!("{} ops, {} models", s.ops.len(), s.models.len());
        }
        Some("codegen") => codegen(args.iter().any(|a| a == "--check")),
        Some("test") => test::run(&root(), &args[1..]),
        Some("bindgen") => uniffi::bindgen(&root(), &args[1..]),
        Some("dist") => dist::run(&root(), &args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <codegen [--check] | test | bindgen | dist | names>");
            std::process::exit(2);
        }
    }
}

/// Every generated file: (path from the repo root, contents).
fn generated_files(spec: &spec::Spec) -> Vec<(String, String)> {
    let mut files = rust::files(spec);
    files.extend(python::files(spec));
    files.extend(node::files(spec));
    files.extend(uniffi::files(spec));
    files.extend(vocabulary::files(&load_vocabulary()));
    files
}

fn codegen(check: bool) {
    let merged = merged_spec();
    let spec = load_spec(&merged);
    let r = root();
    let mut stale = Vec::new();
    let mut files = generated_files(&spec);
    files.push((spec::MERGED_PATH.to_string(), merged));
    for (path, contents) in files {
        let full = r.join(&path);
        let current = std::fs::read_to_string(&full).unwrap_or_default();
        if current == contents {
            continue;
        }
        if check {
            stale.push(path);
        } else {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, contents).unwrap_or_else(|e| panic!("write {path}: {e}"));
            println!("wrote {path}");
        }
    }
    if !stale.is_empty() {
        eprintln!("generated files differ from what spec/ gives (run `cargo xtask codegen`):");
        for p in stale {
            eprintln!("  {p}");
        }
        std::process::exit(1);
    }
    if check {
        println!("codegen: {} operations, {} models, all generated files in sync", spec.ops.len(), spec.models.len());
    }
}
