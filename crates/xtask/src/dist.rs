//! `cargo xtask dist`: every installable artifact, built once, in `target/dist/`.
//!
//! - Python: abi3 wheels for x86_64 and aarch64 Linux (manylinux2014: glibc 2.17, checked with
//!   `auditwheel show`) and the sdist (it builds from source: the spec the emulator embeds is in it).
//! - Node: the napi-rs-style packages, one per platform (linux-x64-gnu, linux-arm64-gnu,
//!   linux-x64-musl), and the main package naming them as optionalDependencies
//!   (`node/scripts/pack.js` lays them out, as the release workflow does with the other platforms').
//! - Kotlin: the jar with `libneonkit_uniffi.so` in JNA's folders (`linux-x86-64/`, `linux-aarch64/`),
//!   installed into the local Maven repository as dev.neonkit:neonkit:0.1.0, and its pom.
//!
//! Cross builds (aarch64 glibc, x86_64 musl) and the x86_64 release build link with zig (PyPI
//! `ziglang`) through one small `zig cc -target …` wrapper per target, used by cargo and maturin
//! alike, so every binding's dependencies are compiled once per target and the glibc ones need
//! glibc 2.17 at most. They build in `target/dist-build` (a target directory of their own, so the
//! zig toolchain never invalidates the workspace's own release builds).
//!
//! `--profile dev` builds the same packages for this machine only, from the dev artifacts the
//! other test steps already built (no zig, no cross target), into `target/dist-dev`;
//! `--install-test` then installs each of this platform's packages into a fresh environment whose
//! PATH has no cargo or rustc and makes real calls against the emulator it ships. `cargo xtask
//! test` runs `dist --profile dev --install-test`.
//!
//! ```text
//! cargo xtask dist [--profile dev|release] [--only python,node,kotlin] [--no-cross] [--install-test]
//! ```

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

/// The Python tools, pinned (maturin as python/test.sh has it).
const MATURIN: &str = "maturin==1.9.6";
const ZIGLANG: &str = "ziglang==0.14.1";
const AUDITWHEEL: &str = "auditwheel==6.8.2";

/// The Linux targets this machine builds, and how zig names each (the glibc ones at 2.17, manylinux2014's).
struct Target {
    triple: &'static str,
    zig: &'static str,
    /// The node platform id (napi-rs's), when a Node package is built for it.
    node: Option<&'static str>,
    /// JNA's resource folder, when the jar carries a library for it.
    jna: Option<&'static str>,
    /// A Python wheel is built for it.
    python: bool,
    /// What `readelf -h` calls the machine.
    machine: &'static str,
    musl: bool,
}

const TARGETS: &[Target] = &[
    Target {
        triple: "x86_64-unknown-linux-gnu",
        zig: "x86_64-linux-gnu.2.17",
        node: Some("linux-x64-gnu"),
        jna: Some("linux-x86-64"),
        python: true,
        machine: "X86-64",
        musl: false,
    },
    Target {
        triple: "aarch64-unknown-linux-gnu",
        zig: "aarch64-linux-gnu.2.17",
        node: Some("linux-arm64-gnu"),
        jna: Some("linux-aarch64"),
        python: true,
        machine: "AArch64",
        musl: false,
    },
    Target {
        triple: "x86_64-unknown-linux-musl",
        zig: "x86_64-linux-musl",
        node: Some("linux-x64-musl"),
        jna: None,
        python: false,
        machine: "X86-64",
        musl: true,
    },
];

/// This machine's target (the one `.cargo/config.toml` names, and the only one `--profile dev` builds).
const HOST: &str = "x86_64-unknown-linux-gnu";

struct Opts {
    release: bool,
    cross: bool,
    only: Vec<String>,
    install_test: bool,
}

impl Opts {
    fn parse(args: &[String]) -> Opts {
        let mut o = Opts { release: true, cross: true, only: Vec::new(), install_test: false };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--profile" => match it.next().map(String::as_str) {
                    Some("dev") => o.release = false,
                    Some("release") => o.release = true,
                    other => usage(&format!("--profile takes dev or release (got {other:?})")),
                },
                "--only" => {
                    let list = it.next().unwrap_or_else(|| usage("--only takes a list"));
                    for k in list.split(',') {
                        if !["python", "node", "kotlin"].contains(&k) {
                            usage(&format!("--only: unknown package kind {k}"));
                        }
                        o.only.push(k.to_string());
                    }
                }
                "--no-cross" => o.cross = false,
                "--install-test" => o.install_test = true,
                other => usage(&format!("unknown argument {other}")),
            }
        }
        if !o.release {
            o.cross = false;
        }
        o
    }

    fn wants(&self, kind: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|k| k == kind)
    }
}

fn usage(msg: &str) -> ! {
    eprintln!("dist: {msg}");
    eprintln!("usage: cargo xtask dist [--profile dev|release] [--only python,node,kotlin] [--no-cross] [--install-test]");
    std::process::exit(2);
}

fn fail(msg: &str) -> ! {
    eprintln!("dist: {msg}");
    std::process::exit(1);
}

struct Dist {
    root: PathBuf,
    opts: Opts,
    /// The artifacts (`target/dist` or `target/dist-dev`).
    out: PathBuf,
    /// Builds and staging (`target/dist-build` or `target/dist-dev-build`).
    work: PathBuf,
    tools: PathBuf,
    /// `(step, seconds)`, in order.
    times: Vec<(String, f64)>,
    notes: Vec<String>,
}

pub fn run(root: &Path, args: &[String]) {
    let opts = Opts::parse(args);
    let (out, work) = if opts.release { ("dist", "dist-build") } else { ("dist-dev", "dist-dev-build") };
    let mut d = Dist {
        root: root.to_path_buf(),
        out: root.join("target").join(out),
        work: root.join("target").join(work),
        tools: root.join("target/dist-tools"),
        opts,
        times: Vec::new(),
        notes: Vec::new(),
    };
    let started = Instant::now();
    d.step("tools", Dist::tools);
    if d.opts.wants("python") {
        d.step("python", Dist::python);
    }
    if d.opts.wants("node") {
        d.step("node", Dist::node);
    }
    if d.opts.wants("kotlin") {
        d.step("kotlin", Dist::kotlin);
    }
    d.summary(started.elapsed().as_secs_f64());
    if d.opts.install_test {
        install_test::all(&d);
    }
}

impl Dist {
    fn step(&mut self, name: &str, f: fn(&mut Dist)) {
        println!("\n==> dist: {name}");
        let t = Instant::now();
        f(self);
        self.times.push((name.to_string(), t.elapsed().as_secs_f64()));
    }

    fn targets(&self) -> Vec<&'static Target> {
        TARGETS.iter().filter(|t| t.triple == HOST || self.opts.cross).collect()
    }

    fn venv_bin(&self, name: &str) -> PathBuf {
        self.tools.join("venv/bin").join(name)
    }

    fn cargo_target_dir(&self) -> PathBuf {
        if self.opts.release {
            self.work.clone()
        } else {
            // The dev artifacts of the other steps (`cargo build`, maturin, node/scripts/build.js).
            std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| self.root.join("target"))
        }
    }

    /// Where cargo put a target's cdylib (`lib<name>.so`).
    fn cdylib(&self, target: &Target, name: &str) -> PathBuf {
        let profile = if self.opts.release { "release" } else { "debug" };
        self.cargo_target_dir().join(target.triple).join(profile).join(format!("lib{name}.so"))
    }

    /// The environment of every cargo and maturin run of a release build: its own target
    /// directory, stripped libraries, and for each target zig as C compiler, archiver and linker
    /// (the same for every binding, so dependencies build once per target).
    fn cargo_env(&self, cmd: &mut Command) {
        if !self.opts.release {
            return;
        }
        cmd.env("CARGO_TARGET_DIR", self.cargo_target_dir());
        cmd.env("CARGO_PROFILE_RELEASE_STRIP", "symbols");
        for t in TARGETS {
            let upper = t.triple.to_uppercase().replace('-', "_");
            let lower = t.triple.replace('-', "_");
            let cc = self.tools.join("zig").join(format!("{}-cc", t.triple));
            let ar = self.tools.join("zig").join(format!("{}-ar", t.triple));
            cmd.env(format!("CARGO_TARGET_{upper}_LINKER"), &cc);
            cmd.env(format!("CC_{lower}"), &cc);
            cmd.env(format!("AR_{lower}"), &ar);
            if t.musl {
                // A musl cdylib must link the C library dynamically (Node, a dlopen host, has it).
                cmd.env(format!("CARGO_TARGET_{upper}_RUSTFLAGS"), "-C target-feature=-crt-static");
            }
        }
    }

    fn cargo_build(&self, package: &str, target: &Target) {
        let mut cmd = Command::new("cargo");
        cmd.args(["build", "-p", package, "--target", target.triple]);
        if self.opts.release {
            cmd.arg("--release");
        }
        self.cargo_env(&mut cmd);
        run_cmd(cmd.current_dir(&self.root));
    }

    // ---- tools ----------------------------------------------------------------------------

    /// A venv under target/ with maturin (and, for release builds, ziglang and auditwheel);
    /// the rust targets of the cross builds; one zig wrapper per target.
    fn tools(&mut self) {
        let mut reqs = vec![MATURIN];
        if self.opts.release {
            reqs.extend([ZIGLANG, AUDITWHEEL]);
        }
        let venv = self.tools.join("venv");
        let marker = venv.join("neonkit-requirements.txt");
        let have = fs::read_to_string(&marker).unwrap_or_default();
        if !reqs.iter().all(|r| have.lines().any(|l| l == *r)) {
            if !venv.join("bin/python").exists() {
                let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
                run_cmd(Command::new(python).arg("-m").arg("venv").arg(&venv));
            }
            run_cmd(
                Command::new(venv.join("bin/python")).args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"]).args(&reqs),
            );
            let mut all: Vec<&str> = have.lines().chain(reqs.iter().copied()).collect();
            all.sort();
            all.dedup();
            fs::write(&marker, all.join("\n") + "\n").unwrap();
        }
        if !self.opts.release {
            return;
        }
        if self.opts.cross {
            let cross: Vec<&str> = self.targets().iter().map(|t| t.triple).filter(|t| *t != HOST).collect();
            run_cmd(Command::new("rustup").args(["target", "add"]).args(&cross));
        }
        let zig = self.tools.join("zig");
        fs::create_dir_all(&zig).unwrap();
        let python = venv.join("bin/python");
        for t in TARGETS {
            // rustc and the cc crate name targets and linkers zig picks itself: drop those flags.
            let cc = format!(
                "#!/usr/bin/env bash\n\
                 # zig cc for {triple}, written by `cargo xtask dist`.\n\
                 args=()\n\
                 skip=0\n\
                 for a in \"$@\"; do\n\
                 \x20 if [ $skip = 1 ]; then skip=0; continue; fi\n\
                 \x20 case \"$a\" in\n\
                 \x20   --target=*|-fuse-ld=*|-B*gcc-ld*) ;;\n\
                 \x20   --target) skip=1 ;;\n\
                 \x20   *) args+=(\"$a\") ;;\n\
                 \x20 esac\n\
                 done\n\
                 exec {python} -m ziglang cc -target {zig} \"${{args[@]}}\"\n",
                triple = t.triple,
                python = python.display(),
                zig = t.zig,
            );
            let ar = format!("#!/bin/sh\nexec {} -m ziglang ar \"$@\"\n", python.display());
            write_executable(&zig.join(format!("{}-cc", t.triple)), &cc);
            write_executable(&zig.join(format!("{}-ar", t.triple)), &ar);
        }
    }

    // ---- python ---------------------------------------------------------------------------

    fn python(&mut self) {
        let out = self.out.join("python");
        reset_dir(&out);
        let maturin = self.venv_bin("maturin");
        for t in self.targets().into_iter().filter(|t| t.python) {
            let mut cmd = Command::new(&maturin);
            cmd.arg("build").arg("--out").arg(&out).current_dir(self.root.join("python"));
            if self.opts.release {
                // glibc 2.17 (zig links against it), checked by maturin's own audit and by auditwheel below.
                cmd.args(["--release", "--target", t.triple, "--compatibility", "manylinux2014"]);
            } else {
                // The interpreter python/test.sh builds with, by its full path: then maturin sets the
                // same PYO3_PYTHON as that build and cargo reuses its artifacts.
                cmd.args(["--profile", "dev"]);
                let py = self.root.join("target/py-venv/bin/python");
                if py.exists() {
                    cmd.arg("-i").arg(py);
                }
            }
            self.cargo_env(&mut cmd);
            let t0 = Instant::now();
            run_cmd(&mut cmd);
            self.times.push((format!("python: wheel {}", t.triple), t0.elapsed().as_secs_f64()));
        }
        if self.opts.release {
            let t0 = Instant::now();
            run_cmd(Command::new(&maturin).arg("sdist").arg("--out").arg(&out).current_dir(self.root.join("python")));
            let sdist = files_ending(&out, ".tar.gz").pop().unwrap_or_else(|| fail("maturin wrote no sdist"));
            let list = capture(Command::new("tar").arg("tzf").arg(&sdist));
            for needed in ["/spec/generated/neon-openapi.yaml", "/crates/neonkit-emulator/Cargo.toml", "/pyproject.toml"] {
                if !list.lines().any(|l| l.ends_with(needed)) {
                    fail(&format!("{} lacks {needed}: it would not build from source", sdist.display()));
                }
            }
            self.times.push(("python: sdist".into(), t0.elapsed().as_secs_f64()));
            for wheel in files_ending(&out, ".whl") {
                let text = capture(Command::new(self.venv_bin("auditwheel")).arg("show").arg(&wheel));
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let name = wheel.file_name().unwrap().to_string_lossy().to_string();
                // "… is consistent with the following platform tag: "manylinux_2_17_x86_64". …"
                let tag = text
                    .split("platform tag: \"")
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .unwrap_or_else(|| fail(&format!("auditwheel show {name}: no platform tag in: {text}")));
                if !tag.starts_with("manylinux_2_17_") {
                    fail(&format!("auditwheel show {name}: {tag}, not manylinux_2_17 (manylinux2014)"));
                }
                println!("auditwheel show {name}: {text}");
                self.notes.push(format!("auditwheel show {name}: platform tag \"{tag}\""));
            }
        }
    }

    // ---- node -----------------------------------------------------------------------------

    fn node(&mut self) {
        let out = self.out.join("node");
        reset_dir(&out);
        let mut addons = Vec::new();
        for t in self.targets() {
            let Some(id) = t.node else { continue };
            let t0 = Instant::now();
            self.cargo_build("neonkit-node", t);
            let lib = self.cdylib(t, "neonkit_node");
            self.notes.push(check_elf(&lib, t, self.opts.release));
            addons.push(format!("{id}={}", lib.display()));
            self.times.push((format!("node: addon {}", t.triple), t0.elapsed().as_secs_f64()));
        }
        let t0 = Instant::now();
        let mut cmd = Command::new("node");
        cmd.arg(self.root.join("node/scripts/pack.js")).arg("--out").arg(&out);
        cmd.arg("--stage").arg(self.work.join("node-stage"));
        for a in &addons {
            cmd.arg("--addon").arg(a);
        }
        print!("{}", capture(&mut cmd));
        self.times.push(("node: npm pack".into(), t0.elapsed().as_secs_f64()));
    }

    // ---- kotlin ---------------------------------------------------------------------------

    fn kotlin(&mut self) {
        let out = self.out.join("kotlin");
        reset_dir(&out);
        let build = self.work.join("kotlin");
        let native = build.join("native");
        reset_dir(&native);
        for t in self.targets() {
            let Some(prefix) = t.jna else { continue };
            let t0 = Instant::now();
            self.cargo_build("neonkit-uniffi", t);
            let lib = self.cdylib(t, "neonkit_uniffi");
            self.notes.push(check_elf(&lib, t, self.opts.release));
            fs::create_dir_all(native.join(prefix)).unwrap();
            fs::copy(&lib, native.join(prefix).join("libneonkit_uniffi.so")).unwrap();
            self.times.push((format!("kotlin: library {}", t.triple), t0.elapsed().as_secs_f64()));
        }
        let t0 = Instant::now();
        let pom = self.root.join("bindings/uniffi/kotlin/pom.xml");
        let mut cmd = Command::new("mvn");
        cmd.args(["-B", "-q", "-Dstyle.color=never", "-f"]).arg(&pom);
        // A release build goes to the local repository (`mvn install`); the test's dev build is
        // installed there by the install test, from target/dist-dev.
        cmd.arg(if self.opts.release { "install" } else { "package" });
        cmd.arg("-Dmaven.test.skip=true");
        cmd.arg(format!("-Dneonkit.build.dir={}", build.display()));
        cmd.arg(format!("-Dneonkit.native.dir={}", native.display()));
        run_cmd(&mut cmd);
        let version = pom_version(&pom);
        let jar = build.join(format!("neonkit-{version}.jar"));
        let listing = capture(Command::new("jar").arg("tf").arg(&jar));
        for t in self.targets() {
            let Some(prefix) = t.jna else { continue };
            let entry = format!("{prefix}/libneonkit_uniffi.so");
            if !listing.lines().any(|l| l == entry) {
                fail(&format!("{} has no {entry}", jar.display()));
            }
            self.notes.push(format!("{}: carries {entry}", jar.file_name().unwrap().to_string_lossy()));
        }
        fs::copy(&jar, out.join(format!("neonkit-{version}.jar"))).unwrap();
        fs::copy(&pom, out.join(format!("neonkit-{version}.pom"))).unwrap();
        self.times.push(("kotlin: jar (mvn)".into(), t0.elapsed().as_secs_f64()));
    }

    // ---- summary --------------------------------------------------------------------------

    fn summary(&self, total: f64) {
        println!("\n==> dist: {} in {}", if self.opts.release { "release" } else { "dev" }, rel(&self.root, &self.out));
        for (name, secs) in &self.times {
            println!("  {name:38} {secs:7.1} s");
        }
        println!("  {:38} {total:7.1} s", "total");
        for note in &self.notes {
            println!("  {note}");
        }
        for kind in ["python", "node", "kotlin"] {
            let dir = self.out.join(kind);
            let Ok(entries) = fs::read_dir(&dir) else { continue };
            let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
            files.sort();
            for f in files {
                let size = fs::metadata(&f).unwrap().len();
                println!("  {:70} {:8.2} MB", rel(&self.root, &f), size as f64 / 1e6);
            }
        }
    }
}

/// `readelf`'s view of a built library: the machine, the C library it needs and, for glibc in a
/// release build, that no symbol needs a glibc newer than 2.17. Returns a line for the summary.
fn check_elf(lib: &Path, t: &Target, release: bool) -> String {
    let name = lib.file_name().unwrap().to_string_lossy().to_string();
    let header = capture(Command::new("readelf").arg("-h").arg(lib));
    let machine = header.lines().find_map(|l| l.trim().strip_prefix("Machine:")).unwrap_or("").trim().to_string();
    if !machine.contains(t.machine) {
        fail(&format!("{}: machine {machine:?}, expected {} for {}", lib.display(), t.machine, t.triple));
    }
    let dynamic = capture(Command::new("readelf").arg("-d").arg(lib));
    let needed: Vec<String> = dynamic
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| l.split('[').nth(1).map(|s| s.trim_end_matches(']').to_string()))
        .collect();
    let versions = capture(Command::new("readelf").arg("-V").arg(lib));
    let mut glibc: Vec<(u32, u32)> = versions
        .split("GLIBC_")
        .skip(1)
        .filter_map(|s| {
            let v: String = s.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            let mut p = v.split('.').map(|n| n.parse::<u32>().ok());
            Some((p.next()??, p.next().flatten().unwrap_or(0)))
        })
        .collect();
    glibc.sort();
    let max = glibc.last().copied();
    if t.musl {
        if max.is_some() || !needed.iter().any(|n| n.starts_with("libc.")) {
            fail(&format!("{}: expected a musl libc dependency, got {needed:?}, glibc {max:?}", lib.display()));
        }
    } else if release && max.is_some_and(|m| m > (2, 17)) {
        fail(&format!("{}: needs glibc {}.{}, more than manylinux2014's 2.17", lib.display(), max.unwrap().0, max.unwrap().1));
    }
    let file = capture(Command::new("file").arg("-b").arg(lib));
    let libc = match max {
        Some((a, b)) => format!("glibc >= {a}.{b}"),
        None => "musl".to_string(),
    };
    format!("{} {name}: {} ({libc}; needs {})", t.triple, file.trim(), needed.join(" "))
}

fn pom_version(pom: &Path) -> String {
    // The project's own <version>: the first one after </parent> or <artifactId>neonkit</artifactId>.
    let text = fs::read_to_string(pom).unwrap();
    let after = text.split("<artifactId>neonkit</artifactId>").nth(1).unwrap_or_else(|| fail("pom.xml: no artifactId neonkit"));
    after
        .split("<version>")
        .nth(1)
        .and_then(|s| s.split("</version>").next())
        .unwrap_or_else(|| fail("pom.xml: no version"))
        .trim()
        .to_string()
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

fn reset_dir(dir: &Path) {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).unwrap_or_else(|e| fail(&format!("mkdir {}: {e}", dir.display())));
}

fn files_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .map(|r| r.flatten().map(|e| e.path()).filter(|p| p.to_string_lossy().ends_with(suffix)).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn write_executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    if fs::read_to_string(path).ok().as_deref() != Some(text) {
        fs::write(path, text).unwrap();
    }
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().to_string();
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        s.push(' ');
        // A script passed inline (python -c, node -e) is shown by its first line.
        match a.trim_start().split_once('\n') {
            Some((first, _)) => s.push_str(&format!("'{first} …'")),
            None => s.push_str(&a),
        }
    }
    s
}

/// Runs a command with its output on the console; a failure ends dist.
fn run_cmd(cmd: &mut Command) {
    println!("$ {}", describe(cmd));
    match cmd.status() {
        Ok(s) if s.success() => {}
        Ok(s) => fail(&format!("`{}` failed ({s})", describe(cmd))),
        Err(e) => fail(&format!("could not run `{}`: {e}", describe(cmd))),
    }
}

/// Runs a command and returns its standard output (its standard error goes to the console).
fn capture(cmd: &mut Command) -> String {
    let out = output(cmd.stderr(Stdio::inherit()));
    if !out.status.success() {
        fail(&format!("`{}` failed ({}): {}", describe(cmd), out.status, String::from_utf8_lossy(&out.stdout)));
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn output(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| fail(&format!("could not run `{}`: {e}", describe(cmd))))
}

/// The environment of the install tests: what a machine without Rust has. The variables of
/// cargo's (`cargo run` sets CARGO, LD_LIBRARY_PATH with target/ in it, …) are gone, and PATH
/// keeps no directory that holds cargo, rustc or rustup.
fn clean_env() -> (BTreeMap<String, OsString>, String) {
    const KEEP: &[&str] = &[
        "HOME",
        "USER",
        "LOGNAME",
        "LANG",
        "LC_ALL",
        "TERM",
        "TMPDIR",
        "JAVA_HOME",
        "PYENV_ROOT",
        "PYENV_VERSION",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "NODE_EXTRA_CA_CERTS",
        "PIP_CERT",
        "REQUESTS_CA_BUNDLE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "no_proxy",
        "CI",
    ];
    let mut env: BTreeMap<String, OsString> = BTreeMap::new();
    for k in KEEP {
        if let Some(v) = std::env::var_os(k) {
            env.insert(k.to_string(), v);
        }
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| !["cargo", "rustc", "rustup"].iter().any(|b| d.join(b).exists()))
        .filter(|d| !d.to_string_lossy().contains(".cargo"))
        .collect();
    let clean = std::env::join_paths(&dirs).unwrap().to_string_lossy().into_owned();
    env.insert("PATH".into(), clean.clone().into());
    (env, clean)
}

mod install_test {
    //! The install tests: each package of this platform, as built above, installed into a fresh
    //! environment with no cargo or rustc on PATH, then a real call against the emulator it ships.
    use super::*;

    const PYTHON_CHECK: &str = r#"
import shutil, sys, sysconfig
assert shutil.which("cargo") is None and shutil.which("rustc") is None, "cargo or rustc on PATH"
import neonkit
from neonkit import NotFoundError
from neonkit.testing import Emulator
site = sysconfig.get_paths()["purelib"]
assert neonkit.__file__.startswith(site), f"neonkit imported from {neonkit.__file__}, not the venv's {site}"
assert neonkit._native.__file__.startswith(site), neonkit._native.__file__
with Emulator() as emu:
    neon = emu.client()
    project = neon.projects.create(body={"project": {"name": "install-test"}}).project
    assert neon.projects.get(project.id).project.name == "install-test"
    assert [b.name for b in neon.branches.iter(project.id)], "no default branch"
    try:
        neon.projects.get("missing-project-123")
        raise AssertionError("no NotFoundError")
    except NotFoundError as e:
        assert e.status == 404, e.status
print(f"python: {neonkit._native.__file__}: project {project.id} made and read on the emulator")
"#;

    const NODE_CHECK: &str = r#"
'use strict';
const assert = require('node:assert');
const { execSync } = require('node:child_process');
assert.throws(() => execSync('command -v cargo', { stdio: 'ignore', shell: '/bin/sh' }), 'cargo on PATH');
const { NotFoundError } = require('neonkit');
const { startEmulator } = require('neonkit/testing');
// scripts/ is not among the package's exports: by path.
const path = require('node:path');
const { platformId, packageName, binaryName } = require(path.join(path.dirname(require.resolve('neonkit/package.json')), 'scripts', 'platform.js'));
(async () => {
  const id = platformId();
  const addon = require.resolve(`${packageName(id)}/${binaryName(id)}`);
  assert.ok(require.cache[addon], `the addon was not loaded from ${addon}`);
  const loaded = Object.keys(require.cache).filter((k) => k.endsWith('.node'));
  assert.deepStrictEqual(loaded, [addon]);
  const emu = await startEmulator();
  try {
    const neon = emu.client();
    const { project } = await neon.projects.create({ project: { name: 'install-test' } });
    assert.strictEqual(neon.projects.getSync(project.id).project.name, 'install-test');
    await assert.rejects(neon.projects.get('missing-project-123'), (e) => e instanceof NotFoundError && e.status === 404);
    console.log(`node: ${packageName(id)} (${addon}): project ${project.id} made and read on the emulator`);
  } finally {
    await emu.stop();
  }
})().catch((e) => { console.error(e); process.exit(1); });
"#;

    type Test = fn(&Dist, &Env);

    struct Env {
        vars: BTreeMap<String, OsString>,
        dir: PathBuf,
    }

    impl Env {
        fn cmd(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
            let mut c = Command::new(program);
            c.env_clear().envs(&self.vars).current_dir(&self.dir);
            c
        }
    }

    pub fn all(d: &Dist) {
        println!("\n==> install tests (this machine's packages, a fresh environment, no cargo on PATH)");
        if std::env::consts::ARCH != "x86_64" || std::env::consts::OS != "linux" {
            println!("install: skipped: only x86_64 Linux packages are built here");
            return;
        }
        let (vars, path) = clean_env();
        let dir = d.work.join("install-test");
        reset_dir(&dir);
        let env = Env { vars, dir: dir.clone() };
        // The check the brief asks for: cargo is not there.
        let probe = output(env.cmd("sh").args(["-c", "command -v cargo || command -v rustc"]));
        if probe.status.success() {
            fail(&format!("the clean PATH still finds {}", String::from_utf8_lossy(&probe.stdout).trim()));
        }
        println!("PATH={path}\n(command -v cargo: not found)");
        let mut results = Vec::new();
        let tests: [(&str, Test); 3] = [("python", python), ("node", node), ("kotlin", kotlin)];
        for (kind, test) in tests {
            if !d.opts.wants(kind) {
                continue;
            }
            let t0 = Instant::now();
            test(d, &env);
            results.push(format!("install {kind}: {:.1} s", t0.elapsed().as_secs_f64()));
        }
        for r in &results {
            println!("  {r}");
        }
        println!("install: {} passed, 0 failed", results.len());
    }

    fn checked(cmd: &mut Command) -> String {
        println!("$ {}", describe(cmd));
        let out = output(cmd);
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        print!("{text}");
        if !out.status.success() {
            fail(&format!("`{}` failed ({})", describe(cmd), out.status));
        }
        text
    }

    fn python(d: &Dist, env: &Env) {
        let wheel = files_ending(&d.out.join("python"), ".whl")
            .into_iter()
            .find(|w| w.to_string_lossy().contains("x86_64"))
            .unwrap_or_else(|| fail("no x86_64 wheel to test (run the python step)"));
        // The one dependency, downloaded as a wheel beforehand (with the normal environment): the
        // install itself uses no index and builds nothing.
        let wheelhouse = env.dir.join("wheelhouse");
        run_cmd(
            Command::new(d.venv_bin("python"))
                .args(["-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--only-binary", ":all:", "-d"])
                .arg(&wheelhouse)
                .arg("typing_extensions>=4.6"),
        );
        let venv = env.dir.join("python-venv");
        checked(env.cmd("python3").args(["-m", "venv"]).arg(&venv));
        checked(
            env.cmd(venv.join("bin/python"))
                .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index", "--only-binary", ":all:"])
                .arg("--find-links")
                .arg(&wheelhouse)
                .arg(&wheel),
        );
        checked(env.cmd(venv.join("bin/python")).arg("-c").arg(PYTHON_CHECK));
    }

    fn node(d: &Dist, env: &Env) {
        let out = d.out.join("node");
        let tgz = |name: &str| {
            files_ending(&out, ".tgz")
                .into_iter()
                .find(|f| {
                    let n = f.file_name().unwrap().to_string_lossy();
                    n.strip_prefix(name).is_some_and(|rest| rest.starts_with('-') && rest[1..].starts_with(|c: char| c.is_ascii_digit()))
                })
                .unwrap_or_else(|| fail(&format!("no {name} package in {}", out.display())))
        };
        let main = tgz("neonkit");
        let platform = tgz("neonkit-linux-x64-gnu");
        let npm_install = |app: &Path, extra: &[&str], packages: &[&Path]| {
            reset_dir(app);
            fs::write(app.join("package.json"), "{\"name\": \"install-test\", \"version\": \"1.0.0\", \"private\": true}\n").unwrap();
            // --offline: everything comes from the tarballs (the other platforms' packages are
            // optional and skipped); --foreground-scripts shows what the install script did.
            let mut cmd = env.cmd("npm");
            cmd.current_dir(app).args(["install", "--offline", "--no-audit", "--no-fund", "--foreground-scripts"]);
            cmd.args(extra).args(packages);
            checked(&mut cmd)
        };
        // The platform package with the main one, as npm installs them from the registry.
        let app = env.dir.join("node-app");
        let log = npm_install(&app, &[], &[&platform, &main]);
        if !log.contains("using the prebuilt addon neonkit-linux-x64-gnu") {
            fail("the install script did not report the prebuilt addon");
        }
        if log.contains("cargo") {
            fail("the install mentions cargo");
        }
        checked(env.cmd("node").current_dir(&app).arg("-e").arg(NODE_CHECK));
        // Without it (optional dependencies omitted): the install says so, require fails naming the platform.
        let bare = env.dir.join("node-app-no-addon");
        let log = npm_install(&bare, &["--omit=optional"], &[&main]);
        if !log.contains("no prebuilt addon for linux-x64-gnu") {
            fail("without the platform package, the install script did not warn");
        }
        let out = output(env.cmd("node").current_dir(&bare).args(["-e", "require('neonkit')"]));
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.success() || !err.contains("no native addon for this platform, linux-x64-gnu") {
            fail(&format!("require('neonkit') without an addon: expected an error naming linux-x64-gnu, got: {err}"));
        }
        println!("node: without neonkit-linux-x64-gnu, require('neonkit') fails naming linux-x64-gnu");
    }

    fn kotlin(d: &Dist, env: &Env) {
        let out = d.out.join("kotlin");
        let jar = files_ending(&out, ".jar").pop().unwrap_or_else(|| fail("no jar to test (run the kotlin step)"));
        let pom = files_ending(&out, ".pom").pop().unwrap_or_else(|| fail("no pom to test"));
        // The local repository keeps third-party artifacts; neonkit's is removed first, so what the
        // consumer gets is this jar.
        let home = env.vars.get("HOME").map(PathBuf::from).unwrap_or_else(|| fail("HOME is not set"));
        let _ = fs::remove_dir_all(home.join(".m2/repository/dev/neonkit/neonkit"));
        checked(
            env.cmd("mvn")
                .args(["-B", "-q", "-Dstyle.color=never", "org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file"])
                .arg(format!("-Dfile={}", jar.display()))
                .arg(format!("-DpomFile={}", pom.display())),
        );
        let build = env.dir.join("kotlin-consumer");
        checked(
            env.cmd("mvn")
                .args(["-B", "-q", "-Dstyle.color=never", "-f"])
                .arg(d.root.join("bindings/uniffi/kotlin/consumer/pom.xml"))
                .arg("test")
                .arg(format!("-Dconsumer.build.dir={}", build.display())),
        );
        let reports = files_ending(&build.join("surefire-reports"), ".xml");
        let report = reports.iter().map(|r| fs::read_to_string(r).unwrap()).collect::<String>();
        if reports.is_empty() || !report.contains("tests=\"1\"") || !report.contains("failures=\"0\"") || !report.contains("errors=\"0\"") {
            fail("the consumer's test did not run and pass (surefire reports)");
        }
        println!("kotlin: the consumer (dev.neonkit:neonkit:0.1.0 by coordinates) ran its test against the emulator");
    }
}
