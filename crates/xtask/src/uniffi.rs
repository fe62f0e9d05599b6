//! Generates the uniffi binding's shims from the spec, and `cargo xtask bindgen`.
//!
//! - `bindings/uniffi/src/generated/api.rs`: one uniffi Object per resource
//!   namespace (`ProjectsApi`, …) with, per operation, an async method, a
//!   `…Blocking` method and, for paginated operations, a pager method; a query
//!   Record per operation with optional query parameters; the namespace getters
//!   of `NeonClient`. Each method only converts: it hands the operation, its path
//!   values, its query parameters by name and its body to the core's kernel
//!   (`Client::call_op`, `Client::pager_by_id`), which checks and runs them.
//! - test dispatch tables for Kotlin and Swift: operationId → the generated
//!   method, which the scenario runners and the surface check call.
//!
//! Design (see bindings/uniffi/README.md): path parameters are positional
//! (`Long` for integer ids), required query parameters positional, optional ones
//! in the operation's query Record, JSON bodies as JSON text, multipart bodies
//! as a list of `MultipartPart`, JSON responses as JSON text, binary responses
//! as bytes.

use std::fmt::Write;
use std::path::Path;
use std::process::Command;

use crate::naming::{self, Lang};
use crate::spec::{Op, PathKind, ResponseKind, Spec, Ty};

/// Every generated file of the uniffi binding: (path from the repo root, contents).
pub fn files(spec: &Spec) -> Vec<(String, String)> {
    vec![
        ("bindings/uniffi/src/generated/api.rs".to_string(), rust_api(spec)),
        ("bindings/uniffi/kotlin/src/test/kotlin/dev/neonkit/generated/Dispatch.kt".to_string(), kotlin_dispatch(spec)),
        ("bindings/uniffi/swift/Tests/NeonKitTests/Generated/Dispatch.swift".to_string(), swift_dispatch(spec)),
        ("bindings/uniffi/kotlin/src/main/kotlin/dev/neonkit/models/generated/Models.kt".to_string(), kotlin_models(spec)),
        ("bindings/uniffi/swift/Sources/NeonKit/Generated/Models.swift".to_string(), swift_models(spec)),
    ]
}

/// How a query parameter travels: its Rust type and how each value becomes text.
#[derive(Clone, Copy, PartialEq)]
enum QKind {
    Str,
    Int,
    Float,
    Bool,
    StrList,
    IntList,
}

fn qkind(spec: &Spec, ty: &Ty) -> QKind {
    match ty {
        Ty::I32 | Ty::I64 | Ty::U64 => QKind::Int,
        Ty::F64 => QKind::Float,
        Ty::Bool => QKind::Bool,
        Ty::Array(inner) => match qkind(spec, inner) {
            QKind::Int => QKind::IntList,
            _ => QKind::StrList,
        },
        Ty::Named(n) => match spec.model(n).map(|m| &m.kind) {
            Some(crate::spec::ModelKind::Alias(t)) => qkind(spec, t),
            _ => QKind::Str,
        },
        _ => QKind::Str,
    }
}

fn q_rust_ty(k: QKind) -> &'static str {
    match k {
        QKind::Str => "String",
        QKind::Int => "i64",
        QKind::Float => "f64",
        QKind::Bool => "bool",
        QKind::StrList => "Vec<String>",
        QKind::IntList => "Vec<i64>",
    }
}

/// Lines that push `(name, text)` pairs for one value into `q` (the kernel resolves the names).
fn q_push(k: QKind, name: &str, access: &str) -> String {
    match k {
        QKind::Str => format!("q.push(({name:?}.into(), {access}));"),
        QKind::Int | QKind::Float | QKind::Bool => format!("q.push(({name:?}.into(), {access}.to_string()));"),
        QKind::StrList => format!("for v in {access} {{ q.push(({name:?}.into(), v)); }}"),
        QKind::IntList => format!("for v in {access} {{ q.push(({name:?}.into(), v.to_string())); }}"),
    }
}

/// Query parameters passed positionally (required ones, except org_id, which
/// the client's default may supply).
fn positional_query(op: &Op) -> Vec<&crate::spec::Param> {
    op.query_params.iter().filter(|p| p.required && p.name != "org_id").collect()
}

fn record_query(op: &Op) -> Vec<&crate::spec::Param> {
    op.query_params.iter().filter(|p| !(p.required && p.name != "org_id")).collect()
}

/// Doc comment lines that are safe in Rust, KDoc and Swift doc comments.
fn docs(op: &Op, indent: &str) -> String {
    let mut text = op.summary.trim().to_string();
    if let Some(d) = &op.description {
        let first: String = d.trim().split("\n\n").next().unwrap_or("").to_string();
        if !first.is_empty() && first != text {
            text.push_str("\n\n");
            text.push_str(&first);
        }
    }
    let text = text.replace("*/", "* /").replace("/*", "/ *");
    let mut out = crate::rust::doc_lines(&text, indent);
    let _ = writeln!(out, "{indent}///");
    let _ = writeln!(out, "{indent}/// `{} {}` (operationId `{}`).", op.method.to_uppercase(), op.path, op.id);
    if op.returns_operations {
        let _ = writeln!(out, "{indent}/// Waits for the operations it starts unless the client (`withWait(false)`) says otherwise.");
    }
    match &op.response {
        ResponseKind::Json(Ty::Named(n)) => {
            let _ = writeln!(out, "{indent}/// Returns the JSON of `{n}` (typed view: Kotlin `dev.neonkit.models.{n}(json)`, Swift `NeonModels.{n}(text: json)`).");
        }
        ResponseKind::Json(Ty::Array(t)) => {
            if let Ty::Named(n) = t.as_ref() {
                let _ = writeln!(out, "{indent}/// Returns a JSON array of `{n}`.");
            }
        }
        _ => {}
    }
    if op.deprecated {
        let _ = writeln!(out, "{indent}/// Deprecated by the API.");
    }
    out
}

struct Sig {
    /// Parameters after `&self`.
    params: Vec<String>,
    /// `default(...)` entries.
    defaults: Vec<String>,
    /// Statements building `path`, `q` and `body`.
    prep: String,
}

fn signature(spec: &Spec, op: &Op, for_pager: bool) -> Sig {
    let mut params = Vec::new();
    let mut defaults = Vec::new();
    let mut prep = String::new();
    let mut path_vals = Vec::new();
    for p in &op.path_params {
        let id = naming::uniffi_ident(&p.name);
        if p.path_kind == PathKind::Integer {
            params.push(format!("{id}: i64"));
            path_vals.push(format!("{id}.to_string()"));
        } else {
            params.push(format!("{id}: String"));
            path_vals.push(id);
        }
    }
    let _ = writeln!(prep, "        let path: Vec<String> = vec![{}];", path_vals.join(", "));
    let _ = writeln!(prep, "        #[allow(unused_mut)]\n        let mut q: Vec<(String, String)> = Vec::new();");
    for p in positional_query(op) {
        let id = naming::uniffi_ident(&p.name);
        let k = qkind(spec, &p.ty);
        params.push(format!("{id}: {}", q_rust_ty(k)));
        let _ = writeln!(prep, "        {}", q_push(k, &p.name, &id));
    }
    let (body_param, body_default) = match (&op.body, for_pager) {
        (Some(b), false) => {
            let (ty, conv) = if b.multipart { ("Vec<crate::MultipartPart>", "crate::parts_body") } else { ("String", "crate::json_body") };
            if b.required {
                let _ = writeln!(prep, "        let body = {conv}(Some(body));");
                (Some(format!("body: {ty}")), None)
            } else {
                let _ = writeln!(prep, "        let body = {conv}(body);");
                (Some(format!("body: Option<{ty}>")), Some("body = None".to_string()))
            }
        }
        _ => {
            let _ = writeln!(prep, "        let body = Body::None;");
            (None, None)
        }
    };
    if let Some(bp) = &body_param {
        if body_default.is_none() {
            params.push(bp.clone());
        }
    }
    if !record_query(op).is_empty() {
        params.push(format!("query: Option<{}>", naming::query_type(&op.id, Lang::Kotlin)));
        defaults.push("query = None".to_string());
        let _ = writeln!(prep, "        if let Some(query) = query {{ query.push_pairs(&mut q); }}");
    }
    if let (Some(bp), Some(d)) = (body_param, body_default) {
        params.push(bp);
        defaults.push(d);
    }
    Sig { params, defaults, prep }
}

fn lead(params: &[String]) -> String {
    params.iter().map(|p| format!(", {p}")).collect()
}

fn rust_api(spec: &Spec) -> String {
    let mut out = naming::spec_header(Lang::Rust);
    out.push_str("//! The resource namespaces of `NeonClient`, one method per operation of the spec\n");
    out.push_str("//! (async, `…_blocking`, and a pager for paginated operations), and the query\n");
    out.push_str("//! Records. See bindings/uniffi/README.md for how arguments and results travel.\n\n");
    out.push_str("#![allow(clippy::all, unused_imports, deprecated)]\n\n");
    out.push_str("use std::sync::Arc;\n\nuse neonkit::operations::*;\n\nuse neonkit::kernel::Body;\n\nuse crate::{bytes, empty, here, run, text, NeonClient, NeonError, NeonPager};\n\n");

    // Query records.
    for op in spec.ops.iter() {
        let fields = record_query(op);
        if fields.is_empty() {
            continue;
        }
        let _ = writeln!(out, "/// The optional query parameters of `{}`.", op.id);
        let _ = writeln!(out, "#[derive(Clone, Default, uniffi::Record)]\npub struct {} {{", naming::query_type(&op.id, Lang::Kotlin));
        for p in &fields {
            if let Some(d) = &p.doc {
                let d = d.replace("*/", "* /").replace("/*", "/ *");
                out.push_str(&crate::rust::doc_lines(&d, "    "));
            }
            let k = qkind(spec, &p.ty);
            let _ = writeln!(out, "    #[uniffi(default = None)]\n    pub {}: Option<{}>,", naming::uniffi_ident(&p.name), q_rust_ty(k));
        }
        out.push_str("}\n\n");
        let _ = writeln!(
            out,
            "impl {} {{\n    fn push_pairs(self, q: &mut Vec<(String, String)>) {{",
            naming::query_type(&op.id, Lang::Kotlin)
        );
        for p in &fields {
            let k = qkind(spec, &p.ty);
            let _ = writeln!(out, "        if let Some(v) = self.{} {{ {} }}", naming::uniffi_ident(&p.name), q_push(k, &p.name, "v"));
        }
        out.push_str("    }\n}\n\n");
    }

    // Namespace getters.
    let namespaces = naming::namespaces();
    out.push_str("#[uniffi::export]\nimpl NeonClient {\n");
    for ns in &namespaces {
        if !spec.ops.iter().any(|o| &o.ns == ns) {
            continue;
        }
        let _ = writeln!(
            out,
            "    /// Operations on {}.\n    pub fn {ns}(&self) -> Arc<{t}> {{\n        Arc::new({t} {{ client: self.client.clone() }})\n    }}\n",
            ns.replace('_', " "),
            t = naming::ns_type(ns, Lang::Kotlin)
        );
    }
    out.push_str("}\n\n");

    for ns in &namespaces {
        let ops: Vec<&Op> = spec.ops.iter().filter(|o| &o.ns == ns).collect();
        if ops.is_empty() {
            continue;
        }
        let t = naming::ns_type(ns, Lang::Kotlin);
        let _ = writeln!(
            out,
            "/// The `{ns}` namespace: `client.{}()`.\n#[derive(uniffi::Object)]\npub struct {t} {{\n    client: neonkit::Client,\n}}\n",
            naming::lower_camel(ns)
        );
        let _ = writeln!(out, "#[uniffi::export]\nimpl {t} {{");
        for op in ops {
            let sig = signature(spec, op, false);
            let name = naming::uniffi_method(&op.words);
            let (ret, call) = match op.response {
                ResponseKind::Json(_) => ("String", "text"),
                ResponseKind::Empty => ("()", "empty"),
                ResponseKind::Bytes => ("Vec<u8>", "bytes"),
            };
            let attr = if sig.defaults.is_empty() {
                String::new()
            } else {
                format!("    #[uniffi::method(default({}))]\n", sig.defaults.join(", "))
            };
            out.push_str(&docs(op, "    "));
            out.push_str(&attr);
            let _ = writeln!(out, "    pub async fn {name}(&self{}) -> Result<{ret}, NeonError> {{", lead(&sig.params));
            out.push_str(&sig.prep);
            let _ = writeln!(out, "        let c = self.client.clone();\n        run(async move {{ c.call_op(&{}, path, q, body).await }}, {call}).await\n    }}\n", naming::const_name(&op.id));
            let _ = writeln!(out, "    /// The blocking form of `{}`.", naming::lower_camel(&name));
            out.push_str(&attr);
            let _ = writeln!(out, "    pub fn {name}_blocking(&self{}) -> Result<{ret}, NeonError> {{", lead(&sig.params));
            out.push_str(&sig.prep);
            let _ = writeln!(out, "        here(self.client.call_op(&{}, path, q, body), {call})\n    }}\n", naming::const_name(&op.id));
            if let Some(p) = &op.pagination {
                let sig = signature(spec, op, true);
                let attr = if sig.defaults.is_empty() {
                    String::new()
                } else {
                    format!("    #[uniffi::method(default({}))]\n", sig.defaults.join(", "))
                };
                let _ = writeln!(
                    out,
                    "    /// Every `{}` item across all pages of `{}`, as a pager (`nextPage()`, `collectAll()`).",
                    p.items_field,
                    naming::lower_camel(&name)
                );
                out.push_str(&attr);
                let _ = writeln!(
                    out,
                    "    pub fn {}(&self{}) -> Arc<NeonPager> {{",
                    naming::iter_name(&naming::uniffi_method(&op.words), Lang::Rust),
                    lead(&sig.params)
                );
                out.push_str(&sig.prep);
                let _ = writeln!(
                    out,
                    "        let _ = body;\n        NeonPager::new(self.client.pager_by_id({}.id, path, q))\n    }}\n",
                    naming::const_name(&op.id)
                );
            }
        }
        out.push_str("}\n\n");
    }
    out
}

// ---------------------------------------------------------------------------
// Test dispatch tables

/// Kotlin/Swift argument expressions for one call, read from the runner's `Args`.
struct ForeignArgs {
    kotlin: Vec<String>,
    swift: Vec<String>,
}

fn k_getter(k: QKind) -> &'static str {
    match k {
        QKind::Str => "str",
        QKind::Int => "long",
        QKind::Float => "double",
        QKind::Bool => "bool",
        QKind::StrList => "strList",
        QKind::IntList => "longList",
    }
}

fn foreign_args(spec: &Spec, op: &Op, for_pager: bool) -> ForeignArgs {
    let mut kotlin = Vec::new();
    let mut swift = Vec::new();
    for p in &op.path_params {
        let f = naming::lower_camel(&naming::uniffi_ident(&p.name));
        // The value the surface check sends when the caller gives none: valid
        // for the parameter's kind, so the call reaches the server.
        let dummy = match p.path_kind {
            PathKind::Id => "surface-check-1",
            PathKind::Slug => "surfacecheck1",
            PathKind::Uuid => "00000000-0000-4000-8000-000000000001",
            PathKind::Integer => "1",
            PathKind::Name => "surface_check",
        };
        if p.path_kind == PathKind::Integer {
            kotlin.push(format!("`{f}` = a.pathLong({:?}, {dummy}L)", p.name));
            swift.push(format!("{f}: try a.pathLong({:?}, {dummy})", p.name));
        } else {
            kotlin.push(format!("`{f}` = a.path({:?}, {dummy:?})", p.name));
            swift.push(format!("{f}: try a.path({:?}, {dummy:?})", p.name));
        }
    }
    for p in positional_query(op) {
        let f = naming::lower_camel(&naming::uniffi_ident(&p.name));
        let g = k_getter(qkind(spec, &p.ty));
        kotlin.push(format!("`{f}` = a.{g}Required({:?})", p.name));
        swift.push(format!("{f}: try a.{g}Required({:?})", p.name));
    }
    let body_required = op.body.as_ref().map(|b| b.required).unwrap_or(false);
    let multipart = op.body.as_ref().map(|b| b.multipart).unwrap_or(false);
    if !for_pager && body_required {
        if multipart {
            kotlin.push("body = a.partsRequired()".into());
            swift.push("body: try a.partsRequired()".into());
        } else {
            kotlin.push("body = a.bodyRequired()".into());
            swift.push("body: try a.bodyRequired()".into());
        }
    }
    let rq = record_query(op);
    if !rq.is_empty() {
        let kf: Vec<String> = rq
            .iter()
            .map(|p| {
                format!("`{}` = a.{}({:?})", naming::lower_camel(&naming::uniffi_ident(&p.name)), k_getter(qkind(spec, &p.ty)), p.name)
            })
            .collect();
        let sf: Vec<String> = rq
            .iter()
            .map(|p| format!("{}: a.{}({:?})", naming::lower_camel(&naming::uniffi_ident(&p.name)), k_getter(qkind(spec, &p.ty)), p.name))
            .collect();
        kotlin.push(format!("query = {}({})", naming::query_type(&op.id, Lang::Kotlin), kf.join(", ")));
        swift.push(format!("query: {}({})", naming::query_type(&op.id, Lang::Kotlin), sf.join(", ")));
    }
    if !for_pager && op.body.is_some() && !body_required {
        if multipart {
            kotlin.push("body = a.parts()".into());
            swift.push("body: a.parts()".into());
        } else {
            kotlin.push("body = a.body()".into());
            swift.push("body: a.body()".into());
        }
    }
    ForeignArgs { kotlin, swift }
}

fn kotlin_dispatch(spec: &Spec) -> String {
    let mut out = naming::spec_header(Lang::Kotlin);
    out.push_str("// operationId → the generated Kotlin method, for the scenario runner and the surface check.\n");
    out.push_str("@file:Suppress(\"DEPRECATION\", \"UNUSED_VARIABLE\")\n\npackage dev.neonkit.generated\n\nimport dev.neonkit.*\nimport dev.neonkit.testing.Args\n\n");
    out.push_str("object Dispatch {\n");
    let _ = writeln!(out, "    /// Every operationId that has a generated method ({}).", spec.ops.len());
    out.push_str("    val operationIds: List<String> = listOf(\n");
    for op in &spec.ops {
        let _ = writeln!(out, "        {:?},", op.id);
    }
    out.push_str("    )\n\n");
    out.push_str("    /// Calls the operation's suspend method; returns its result (String, ByteArray or Unit).\n");
    out.push_str("    suspend fun call(c: NeonClient, id: String, a: Args): Any = when (id) {\n");
    for op in &spec.ops {
        let fa = foreign_args(spec, op, false);
        let _ = writeln!(
            out,
            "        {:?} -> c.{}().{}({})",
            op.id,
            naming::lower_camel(&op.ns),
            naming::lower_camel(&naming::uniffi_method(&op.words)),
            fa.kotlin.join(", ")
        );
    }
    out.push_str("        else -> throw IllegalArgumentException(\"no operation $id\")\n    }\n\n");
    out.push_str("    /// Calls the operation's blocking method.\n");
    out.push_str("    fun callBlocking(c: NeonClient, id: String, a: Args): Any = when (id) {\n");
    for op in &spec.ops {
        let fa = foreign_args(spec, op, false);
        let _ = writeln!(
            out,
            "        {:?} -> c.{}().{}Blocking({})",
            op.id,
            naming::lower_camel(&op.ns),
            naming::lower_camel(&naming::uniffi_method(&op.words)),
            fa.kotlin.join(", ")
        );
    }
    out.push_str("        else -> throw IllegalArgumentException(\"no operation $id\")\n    }\n\n");
    out.push_str("    /// The pager of a paginated operation.\n");
    out.push_str("    fun pager(c: NeonClient, id: String, a: Args): NeonPager = when (id) {\n");
    for op in spec.ops.iter().filter(|o| o.pagination.is_some()) {
        let fa = foreign_args(spec, op, true);
        let _ = writeln!(
            out,
            "        {:?} -> c.{}().{}({})",
            op.id,
            naming::lower_camel(&op.ns),
            naming::lower_camel(&naming::iter_name(&naming::uniffi_method(&op.words), Lang::Rust)),
            fa.kotlin.join(", ")
        );
    }
    out.push_str("        else -> throw IllegalArgumentException(\"$id is not paginated\")\n    }\n}\n");
    out
}

fn swift_dispatch(spec: &Spec) -> String {
    let mut out = naming::spec_header(Lang::Swift);
    out.push_str("// operationId → the generated Swift method, for the scenario runner and the surface check.\n");
    out.push_str("import Foundation\n@testable import NeonKit\n\n");
    out.push_str("enum Dispatch {\n");
    out.push_str("    static let operationIds: [String] = [\n");
    for op in &spec.ops {
        let _ = writeln!(out, "        {:?},", op.id);
    }
    out.push_str("    ]\n\n");
    out.push_str("    /// Calls the operation's async method; returns its result (String, Data or Void).\n");
    out.push_str("    static func call(_ c: NeonClient, _ id: String, _ a: Args) async throws -> Any {\n        switch id {\n");
    for op in &spec.ops {
        let fa = foreign_args(spec, op, false);
        let _ = writeln!(
            out,
            "        case {:?}: return try await c.{}().{}({})",
            op.id,
            naming::lower_camel(&op.ns),
            naming::lower_camel(&naming::uniffi_method(&op.words)),
            fa.swift.join(", ")
        );
    }
    out.push_str("        default: throw DispatchError.unknown(id)\n        }\n    }\n\n");
    out.push_str("    /// Calls the operation's blocking method.\n");
    out.push_str("    static func callBlocking(_ c: NeonClient, _ id: String, _ a: Args) throws -> Any {\n        switch id {\n");
    for op in &spec.ops {
        let fa = foreign_args(spec, op, false);
        let _ = writeln!(
            out,
            "        case {:?}: return try c.{}().{}Blocking({})",
            op.id,
            naming::lower_camel(&op.ns),
            naming::lower_camel(&naming::uniffi_method(&op.words)),
            fa.swift.join(", ")
        );
    }
    out.push_str("        default: throw DispatchError.unknown(id)\n        }\n    }\n\n");
    out.push_str("    /// The pager of a paginated operation.\n");
    out.push_str("    static func pager(_ c: NeonClient, _ id: String, _ a: Args) throws -> NeonPager {\n        switch id {\n");
    for op in spec.ops.iter().filter(|o| o.pagination.is_some()) {
        let fa = foreign_args(spec, op, true);
        let _ = writeln!(
            out,
            "        case {:?}: return try c.{}().{}({})",
            op.id,
            naming::lower_camel(&op.ns),
            naming::lower_camel(&naming::iter_name(&naming::uniffi_method(&op.words), Lang::Rust)),
            fa.swift.join(", ")
        );
    }
    out.push_str("        default: throw DispatchError.unknown(id)\n        }\n    }\n}\n\nenum DispatchError: Error {\n    case unknown(String)\n}\n");
    out
}

// ---------------------------------------------------------------------------
// cargo xtask bindgen

fn run(cmd: &mut Command) {
    eprintln!("+ {cmd:?}");
    let status = cmd.status().unwrap_or_else(|e| panic!("could not run {cmd:?}: {e}"));
    if !status.success() {
        eprintln!("command failed ({status}): {cmd:?}");
        std::process::exit(1);
    }
}

/// Builds `neonkit_uniffi` (debug, or release with `--release`) and the
/// workspace's own uniffi-bindgen, then writes the Kotlin and Swift sources.
/// With `--check`, writes nothing and fails when the committed sources differ
/// from what the current library gives.
pub fn bindgen(root: &Path, args: &[String]) {
    let release = args.iter().any(|a| a == "--release");
    let check = args.iter().any(|a| a == "--check");
    let profile = if release { "release" } else { "debug" };
    let target_dir = std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| root.join("target"));
    let target_dir = if target_dir.is_absolute() { target_dir } else { root.join(target_dir) };
    let triple = "x86_64-unknown-linux-gnu";
    let mut build = Command::new("cargo");
    build.current_dir(root).args(["build", "-p", "neonkit-uniffi", "--target", triple]);
    if release {
        build.arg("--release");
    }
    run(&mut build);
    run(Command::new("cargo")
        .current_dir(root)
        .args(["build", "--release", "--manifest-path", "crates/uniffi-bindgen/Cargo.toml", "--target", triple, "--target-dir"])
        .arg(&target_dir));
    let bindgen = target_dir.join(triple).join("release").join("uniffi-bindgen");
    let lib = target_dir.join(triple).join(profile).join("libneonkit_uniffi.so");
    let config = root.join("bindings/uniffi/bindgen.toml");

    let out = target_dir.join("uniffi-bindgen-out");
    let _ = std::fs::remove_dir_all(&out);
    for lang in ["kotlin", "swift"] {
        run(Command::new(&bindgen)
            .current_dir(root)
            .args(["generate", "--library", "--language", lang, "--no-format", "--config"])
            .arg(&config)
            .arg("--out-dir")
            .arg(out.join(lang))
            .arg(&lib));
    }
    // Where each generated file goes. Swift: the sources in Sources/NeonKit, the
    // C header and module map in Sources/NeonKitFFI/include (a C target).
    let mut files: Vec<(std::path::PathBuf, String)> =
        vec![(out.join("kotlin/dev/neonkit/neonkit.kt"), "bindings/uniffi/kotlin/src/main/kotlin/dev/neonkit/neonkit.kt".to_string())];
    for entry in std::fs::read_dir(out.join("swift")).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let dest = if name.ends_with(".swift") {
            format!("bindings/uniffi/swift/Sources/NeonKit/{name}")
        } else if name.ends_with(".h") {
            format!("bindings/uniffi/swift/Sources/NeonKitFFI/include/{name}")
        } else if name.ends_with(".modulemap") {
            "bindings/uniffi/swift/Sources/NeonKitFFI/include/module.modulemap".to_string()
        } else {
            continue;
        };
        files.push((p, dest));
    }
    files.sort_by(|a, b| a.1.cmp(&b.1));
    let mut stale = Vec::new();
    for (src, dest) in &files {
        let mut new = std::fs::read(src).unwrap_or_else(|e| panic!("read {}: {e}", src.display()));
        if dest.ends_with(".kt") {
            new = readable_kotlin_messages(String::from_utf8(new).expect("Kotlin is UTF-8")).into_bytes();
        }
        let full = root.join(dest);
        if std::fs::read(&full).ok().as_deref() == Some(new.as_slice()) {
            continue;
        }
        if check {
            stale.push(dest.clone());
        } else {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, new).unwrap_or_else(|e| panic!("write {dest}: {e}"));
            println!("wrote {dest}");
        }
    }
    if !stale.is_empty() {
        eprintln!("the Kotlin/Swift bindings differ from what the library gives (run `cargo xtask bindgen`):");
        for s in stale {
            eprintln!("  {s}");
        }
        std::process::exit(1);
    }
    if check {
        println!("bindgen: {} Kotlin/Swift files in sync with the library", files.len());
    }
}

/// uniffi makes `NeonException.message` a dump of the fields (`status=409,
/// code=, errorMessage=…`); it becomes the API's message with its context,
/// as every other language reads (`neonMessage` in Extensions.kt).
fn readable_kotlin_messages(kotlin: String) -> String {
    const DUMP: &str = "get() = \"status=${ `status` }, code=${ `code` }, errorMessage=${ `errorMessage` }, requestId=${ `requestId` }, operation=${ `operation` }, pendingOperations=${ `pendingOperations` }, retryable=${ `retryable` }, accepted=${ `accepted` }\"";
    let n = kotlin.matches(DUMP).count();
    assert!(n >= 17, "uniffi's NeonException message getters changed ({n} found): update readable_kotlin_messages");
    kotlin.replace(DUMP, "get() = neonMessage(`errorMessage`, `operation`, `status`, `code`, `requestId`)")
}

// ---------------------------------------------------------------------------
// Typed read-only views of the API's models over the JSON text that calls
// return: Kotlin classes in `dev.neonkit.models`, Swift structs in `NeonModels`.
// A view never fails to build (unknown fields are kept in its JSON, enums are
// open strings), and its `toString`/`description` never prints field values
// (some hold secrets).

/// What a spec type becomes in the views.
enum VTy {
    Str,
    Int,
    Long,
    Double,
    Bool,
    Json,
    Model(String),
    List(Box<VTy>),
    Map(Box<VTy>),
}

fn vty(spec: &Spec, ty: &Ty, depth: usize) -> VTy {
    match ty {
        Ty::Str | Ty::Bytes => VTy::Str,
        Ty::I32 => VTy::Int,
        Ty::I64 | Ty::U64 => VTy::Long,
        Ty::F64 => VTy::Double,
        Ty::Bool => VTy::Bool,
        Ty::Any => VTy::Json,
        Ty::Array(t) => VTy::List(Box::new(vty(spec, t, depth))),
        Ty::Map(t) => VTy::Map(Box::new(vty(spec, t, depth))),
        Ty::Named(n) => match spec.model(n).map(|m| &m.kind) {
            Some(crate::spec::ModelKind::Struct(_)) => VTy::Model(n.clone()),
            Some(crate::spec::ModelKind::Enum(_)) => VTy::Str,
            Some(crate::spec::ModelKind::Alias(t)) if depth < 8 => vty(spec, t, depth + 1),
            _ => VTy::Json,
        },
    }
}

fn kt_type(t: &VTy) -> String {
    match t {
        VTy::Str => "kotlin.String".into(),
        VTy::Int => "kotlin.Int".into(),
        VTy::Long => "kotlin.Long".into(),
        VTy::Double => "kotlin.Double".into(),
        VTy::Bool => "kotlin.Boolean".into(),
        VTy::Json => "JsonElement".into(),
        VTy::Model(n) => n.clone(),
        VTy::List(e) => format!("kotlin.collections.List<{}>", kt_type(e)),
        VTy::Map(e) => format!("kotlin.collections.Map<kotlin.String, {}>", kt_type(e)),
    }
}

/// A Kotlin expression of type `T?` reading the JsonElement `v`.
fn kt_read(t: &VTy, v: &str, depth: usize) -> String {
    let e = format!("e{depth}");
    match t {
        VTy::Str => format!("asString({v})"),
        VTy::Int => format!("asInt({v})"),
        VTy::Long => format!("asLong({v})"),
        VTy::Double => format!("asDouble({v})"),
        VTy::Bool => format!("asBool({v})"),
        VTy::Json => v.to_string(),
        VTy::Model(n) => format!("asObject({v})?.let {{ {n}(it) }}"),
        VTy::List(inner) => format!("asArray({v})?.mapNotNull {{ {e} -> {} }}", kt_read(inner, &e, depth + 1)),
        VTy::Map(inner) => format!(
            "asObject({v})?.entries?.mapNotNull {{ ({e}k, {e}) -> {}?.let {{ {e}k to it }} }}?.toMap()",
            kt_read(inner, &e, depth + 1)
        ),
    }
}

fn swift_type(t: &VTy) -> String {
    match t {
        VTy::Str => "String".into(),
        VTy::Int | VTy::Long => "Int64".into(),
        VTy::Double => "Double".into(),
        VTy::Bool => "Bool".into(),
        VTy::Json => "Any".into(),
        VTy::Model(n) => format!("NeonModels.{n}"),
        VTy::List(e) => format!("[{}]", swift_type(e)),
        VTy::Map(e) => format!("[String: {}]", swift_type(e)),
    }
}

/// A Swift expression of type `T?` reading the `Any` value `v`.
fn swift_read(t: &VTy, v: &str, depth: usize) -> String {
    let e = format!("e{depth}");
    match t {
        VTy::Str => format!("NeonModels.asString({v})"),
        VTy::Int | VTy::Long => format!("NeonModels.asInt({v})"),
        VTy::Double => format!("NeonModels.asDouble({v})"),
        VTy::Bool => format!("NeonModels.asBool({v})"),
        VTy::Json => format!("Optional<Any>.some({v})"),
        VTy::Model(n) => format!("NeonModels.asObject({v}).map {{ NeonModels.{n}(json: $0) }}"),
        VTy::List(inner) => format!("NeonModels.asArray({v})?.compactMap {{ {e} in {} }}", swift_read(inner, &e, depth + 1)),
        VTy::Map(inner) => format!("NeonModels.asObject({v})?.compactMapValues {{ {e} in {} }}", swift_read(inner, &e, depth + 1)),
    }
}

fn doc_text(doc: &Option<String>) -> Option<String> {
    let d = doc.as_ref()?.trim();
    let first = d.split("\n\n").next().unwrap_or("").trim();
    if first.is_empty() {
        return None;
    }
    Some(first.replace("*/", "* /").replace("/*", "/ *").lines().map(str::trim).collect::<Vec<_>>().join(" "))
}

/// Property names for a model's fields: lowerCamelCase, unique.
fn prop_names(fields: &[crate::spec::Field]) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    fields
        .iter()
        .map(|f| {
            let words: Vec<String> = naming::split_words(&f.json_name).iter().map(|w| w.to_ascii_lowercase()).collect();
            let mut n = naming::camel(&words);
            if n.is_empty() || n.chars().next().unwrap().is_ascii_digit() {
                n = format!("f{n}");
            }
            if matches!(n.as_str(), "neonJson" | "json" | "description") {
                n.push_str("Field");
            }
            while !seen.insert(n.clone()) {
                n.push('_');
            }
            n
        })
        .collect()
}

fn const_ident(value: &str) -> String {
    let mut id: String = value.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    if id.is_empty() || id.chars().next().unwrap().is_ascii_digit() {
        id = format!("V_{id}");
    }
    id
}

fn kotlin_models(spec: &Spec) -> String {
    let mut out = naming::spec_header(Lang::Kotlin);
    out.push_str(
        "// Typed read-only views of the API's models over response JSON: `ProjectResponse(client.projects().get(id)).project.name`.\n",
    );
    out.push_str("@file:Suppress(\"unused\", \"RedundantVisibilityModifier\", \"DEPRECATION\")\n\npackage dev.neonkit.models\n\n");
    out.push_str("import kotlinx.serialization.json.JsonElement\nimport kotlinx.serialization.json.JsonObject\n\n");
    for m in &spec.models {
        match &m.kind {
            crate::spec::ModelKind::Struct(fields) => {
                if let Some(d) = doc_text(&m.doc) {
                    let _ = writeln!(out, "/** {d} */");
                }
                let _ = writeln!(out, "public class {n}(neonJson: JsonObject) : NeonModel(neonJson) {{", n = m.name);
                let _ = writeln!(out, "    /** Reads JSON text (a response body). */\n    public constructor(text: kotlin.String) : this(parseJsonObject(text))");
                for (f, p) in fields.iter().zip(prop_names(fields)) {
                    let t = vty(spec, &f.ty, 0);
                    let mut doc = doc_text(&f.doc).unwrap_or_default();
                    if f.sensitive {
                        doc = format!("{doc} (a secret: never printed by toString)").trim().to_string();
                    }
                    if !doc.is_empty() {
                        let _ = writeln!(out, "    /** {doc} */");
                    }
                    let read = kt_read(&t, "it", 1);
                    if f.required && !f.nullable {
                        let _ = writeln!(out, "    public val `{p}`: {} get() = required({:?}) {{ {read} }}", kt_type(&t), f.json_name);
                    } else {
                        let _ = writeln!(out, "    public val `{p}`: {}? get() = optional({:?}) {{ {read} }}", kt_type(&t), f.json_name);
                    }
                }
                out.push_str("}\n\n");
            }
            crate::spec::ModelKind::Enum(values) => {
                let _ = writeln!(
                    out,
                    "/** The known values of `{}` (an open set: a field of this type is a String and may hold others). */",
                    m.name
                );
                let _ = writeln!(out, "public object {} {{", m.name);
                let mut seen = std::collections::BTreeSet::new();
                for v in values {
                    let mut c = const_ident(v);
                    while !seen.insert(c.clone()) {
                        c.push('_');
                    }
                    let _ = writeln!(out, "    public const val {c}: kotlin.String = {v:?}");
                }
                let list: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
                let _ = writeln!(out, "    public val values: kotlin.collections.List<kotlin.String> = listOf({})", list.join(", "));
                out.push_str("}\n\n");
            }
            _ => {}
        }
    }
    out
}

fn swift_models(spec: &Spec) -> String {
    let mut out = naming::spec_header(Lang::Swift);
    out.push_str(
        "// Typed read-only views of the API's models over response JSON: `try NeonModels.ProjectResponse(text: …).project?.name`.\n",
    );
    out.push_str("import Foundation\n\n");
    for m in &spec.models {
        match &m.kind {
            crate::spec::ModelKind::Struct(fields) => {
                out.push_str("extension NeonModels {\n");
                if let Some(d) = doc_text(&m.doc) {
                    let _ = writeln!(out, "    /// {d}");
                }
                let _ = writeln!(out, "    public struct {}: NeonModelView {{", m.name);
                out.push_str("        public let json: [String: Any]\n        public init(json: [String: Any]) { self.json = json }\n");
                for (f, p) in fields.iter().zip(prop_names(fields)) {
                    let t = vty(spec, &f.ty, 0);
                    if let Some(d) = doc_text(&f.doc) {
                        let _ = writeln!(out, "        /// {d}");
                    }
                    if f.sensitive {
                        out.push_str("        /// A secret: never printed by `description`.\n");
                    }
                    let _ = writeln!(
                        out,
                        "        public var `{p}`: {}? {{ NeonModels.field(json, {:?}) {{ v in {} }} }}",
                        swift_type(&t),
                        f.json_name,
                        swift_read(&t, "v", 1)
                    );
                }
                out.push_str("    }\n}\n\n");
            }
            crate::spec::ModelKind::Enum(values) => {
                out.push_str("extension NeonModels {\n");
                let _ = writeln!(
                    out,
                    "    /// The known values of `{}` (an open set: fields of this type are Strings and may hold others).",
                    m.name
                );
                let _ = writeln!(out, "    public enum {} {{", m.name);
                let list: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
                let _ = writeln!(out, "        public static let values: [String] = [{}]", list.join(", "));
                out.push_str("    }\n}\n\n");
            }
            _ => {}
        }
    }
    out
}
