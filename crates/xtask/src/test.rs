//! `cargo xtask test`: builds and tests everything, installing what it needs.
//! Each language's suite is a script in that language's folder; a step whose
//! script does not exist yet is reported as skipped, never as passed.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

struct Step {
    name: &'static str,
    program: &'static str,
    args: &'static [&'static str],
    /// Skip (and say so) when this file is missing.
    needs: Option<&'static str>,
}

const STEPS: &[Step] = &[
    Step { name: "codegen drift", program: "cargo", args: &["xtask", "codegen", "--check"], needs: None },
    Step { name: "rustfmt", program: "cargo", args: &["fmt", "--all", "--", "--check"], needs: None },
    Step { name: "uniffi bindings drift", program: "cargo", args: &["xtask", "bindgen", "--check"], needs: None },
    Step { name: "clippy", program: "cargo", args: &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"], needs: None },
    Step {
        name: "rust: core, emulator, scenarios",
        program: "cargo",
        args: &["test", "-p", "neonkit", "-p", "neonkit-emulator", "-p", "xtask"],
        needs: None,
    },
    // The testing helpers' handle is behind a feature that the step above does not turn on.
    Step {
        name: "rust: the emulator handle (testing helpers' options)",
        program: "cargo",
        args: &["test", "-p", "neonkit-emulator", "--features", "handle", "--test", "handle"],
        needs: None,
    },
    Step {
        name: "emulator vs spec (schemathesis)",
        program: "bash",
        args: &["tests/schemathesis/run.sh"],
        needs: Some("tests/schemathesis/run.sh"),
    },
    Step { name: "python", program: "bash", args: &["python/test.sh"], needs: Some("python/test.sh") },
    Step { name: "node", program: "bash", args: &["node/test.sh"], needs: Some("node/test.sh") },
    Step {
        name: "swift (tree-sitter parse; not compiled here)",
        program: "bash",
        args: &["bindings/uniffi/swift/parse-check.sh"],
        needs: Some("bindings/uniffi/swift/parse-check.sh"),
    },
    Step {
        name: "kotlin (uniffi)",
        program: "bash",
        args: &["bindings/uniffi/kotlin/test.sh"],
        needs: Some("bindings/uniffi/kotlin/test.sh"),
    },
    // The packages of this platform (x86_64 wheel, linux-x64-gnu npm package, the jar), packed by
    // `cargo xtask dist`'s code from the dev artifacts the steps above built, installed where PATH has
    // no cargo or rustc, and called against their emulator. The release and cross builds are
    // `cargo xtask dist`'s alone.
    Step {
        name: "install (this platform's packages, no cargo on PATH)",
        program: "cargo",
        args: &["xtask", "dist", "--profile", "dev", "--install-test"],
        needs: None,
    },
];

pub fn run(root: &Path, args: &[String]) {
    let only: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut failed = Vec::new();
    let mut summary = Vec::new();
    let mut pg_checked = false;
    for step in STEPS {
        if !only.is_empty() && !only.iter().any(|o| step.name.starts_with(o)) {
            continue;
        }
        if let Some(f) = step.needs {
            if !root.join(f).exists() {
                summary.push(format!("SKIP  {} ({f} does not exist yet)", step.name));
                continue;
            }
        }
        println!("\n==> {}", step.name);
        if !pg_checked && ["rust:", "python", "node", "kotlin"].iter().any(|p| step.name.starts_with(p)) {
            // the --postgres tests (Rust, and the Python, Node and Kotlin story tests) need
            // PostgreSQL (and fail without it under CI), also when only a language suite runs
            pg_checked = true;
            if let Err(e) = ensure_postgres() {
                summary.push(format!("WARN  PostgreSQL not installed: {e}"));
            }
        }
        let started = Instant::now();
        let status = Command::new(step.program).args(step.args).current_dir(root).status();
        let secs = started.elapsed().as_secs();
        match status {
            Ok(s) if s.success() => summary.push(format!("PASS  {} ({secs} s)", step.name)),
            Ok(s) => {
                summary.push(format!("FAIL  {} ({secs} s, {s})", step.name));
                failed.push(step.name);
            }
            Err(e) => {
                summary.push(format!("FAIL  {} (could not run {}: {e})", step.name, step.program));
                failed.push(step.name);
            }
        }
    }
    println!("\n==> summary");
    for line in &summary {
        println!("{line}");
    }
    if !failed.is_empty() {
        std::process::exit(1);
    }
}

/// True when PostgreSQL's server binaries are here, where the emulator looks:
/// `$NEONKIT_PG_BIN`, `initdb` on PATH, or `/usr/lib/postgresql/<version>/bin`.
fn postgres_present() -> bool {
    let has = |d: &Path| d.join("initdb").is_file() && d.join("postgres").is_file();
    if std::env::var_os("NEONKIT_PG_BIN").map(|d| has(Path::new(&d))).unwrap_or(false) {
        return true;
    }
    if let Some(path) = std::env::var_os("PATH") {
        if std::env::split_paths(&path).any(|d| d.join("initdb").is_file()) {
            return true;
        }
    }
    std::fs::read_dir("/usr/lib/postgresql").map(|rd| rd.filter_map(|e| e.ok()).any(|e| has(&e.path().join("bin")))).unwrap_or(false)
}

/// PgBouncer, which the emulator puts in front of its cluster (the pooled URIs).
fn pgbouncer_present() -> bool {
    let on_path = std::env::var_os("PATH").map(|p| std::env::split_paths(&p).any(|d| d.join("pgbouncer").is_file())).unwrap_or(false);
    on_path || Path::new("/usr/sbin/pgbouncer").is_file()
}

/// Installs Debian's `postgresql` and `pgbouncer` packages when their binaries are
/// missing (nothing runs when they are there), as root or through sudo;
/// `apt-get update` only when the first install finds no package lists.
fn ensure_postgres() -> Result<(), String> {
    if postgres_present() && pgbouncer_present() {
        return Ok(());
    }
    if !Path::new("/usr/bin/apt-get").exists() {
        return Err("no apt-get here: install PostgreSQL (e.g. `brew install postgresql`) or set NEONKIT_PG_BIN".into());
    }
    let root = Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false);
    let apt = |args: &[&str]| -> bool {
        let mut cmd = if root { Command::new("apt-get") } else { Command::new("sudo") };
        if !root {
            cmd.args(["-n", "apt-get"]);
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive").status().map(|s| s.success()).unwrap_or(false)
    };
    println!("PostgreSQL or PgBouncer is not installed: apt-get install -y postgresql pgbouncer");
    let install = ["install", "-y", "-q", "--no-install-recommends", "postgresql", "pgbouncer"];
    let installed = apt(&install) || (apt(&["update", "-q"]) && apt(&install));
    if !installed {
        return Err("`apt-get install -y postgresql pgbouncer` failed".into());
    }
    if postgres_present() {
        Ok(())
    } else {
        Err("`apt-get install -y postgresql pgbouncer` ran but initdb is still missing".into())
    }
}
