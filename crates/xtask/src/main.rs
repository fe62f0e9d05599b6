//! Project tasks: `cargo xtask codegen [--check]`, `cargo xtask test`, `cargo xtask bindgen`.

mod naming;
mod rust;
mod spec;

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).unwrap().to_path_buf()
}

fn load_spec() -> spec::Spec {
    let r = root();
    let text = std::fs::read_to_string(r.join("spec/neon-openapi-v2.yaml")).expect("read spec");
    let naming = std::fs::read_to_string(r.join("spec/naming.yaml")).expect("read spec/naming.yaml");
    spec::load(&text, &naming)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("names") => {
            let s = load_spec();
            for op in &s.ops {
                println!("{:45} {:8} {:14} {}", op.id, op.tag, op.ns, naming::snake(&op.words));
            }
            println!("{} ops, {} models", s.ops.len(), s.models.len());
        }
        Some("codegen") => codegen(args.iter().any(|a| a == "--check")),
        _ => {
            eprintln!("usage: cargo xtask <codegen [--check] | test | bindgen | names>");
            std::process::exit(2);
        }
    }
}

/// Every generated file: (path from the repo root, contents).
fn generated_files(spec: &spec::Spec) -> Vec<(&'static str, String)> {
    vec![
        ("crates/neonkit/src/generated/models.rs", rust::models(spec)),
        ("crates/neonkit/src/generated/operations.rs", rust::operations(spec)),
        ("crates/neonkit/src/generated/resources.rs", rust::resources(spec)),
        ("docs/operations.md", rust::docs_table(spec)),
    ]
}

fn codegen(check: bool) {
    let spec = load_spec();
    let r = root();
    let mut stale = Vec::new();
    for (path, contents) in generated_files(&spec) {
        let full = r.join(path);
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
