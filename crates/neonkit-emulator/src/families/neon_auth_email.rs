//! Neon Auth's email provider per branch (and the deprecated project-level email
//! server, which is the default branch's): `shared` until a custom SMTP server
//! (`standard`) is saved. Responses are `NeonAuthEmailServerConfigResponse`: an
//! update answers with the password redacted (empty), a read with the stored one
//! (every emulator caller may read project credentials). An update with an empty
//! password keeps the stored one. A standard server needs a host name, a port
//! (1–65535), a username, a password and a sender address (else 400).
//!
//! `sendNeonAuthEmailProviderTest` needs a Better Auth integration on the branch and
//! a saved standard provider (else 400); it sends nothing, and reports a failure
//! only for a host that cannot resolve (`localhost` or one under `.invalid`).

use crate::handlers::{bad, branch_of, ok, project, s, ApiError, Req, R};
use crate::state::Store;
use serde_json::{json, Value};

const SHARED_SENDER: &str = "noreply@auth.neon.tech";
const SHARED_NAME: &str = "Neon Auth";

/// The project and branch the request configures.
fn target(st: &Store, r: &Req) -> Result<(String, String), ApiError> {
    let p = project(st, r)?;
    let bid = match r.p("branch_id") {
        Some(b) => branch_of(p, b)?.id.clone(),
        None => p.default_branch().map(|b| b.id.clone()).unwrap_or_default(),
    };
    Ok((p.id.clone(), bid))
}

fn key(pid: &str, bid: &str) -> String {
    format!("neon_auth_email:{pid}/{bid}")
}

fn stored(st: &Store, pid: &str, bid: &str) -> Value {
    st.singletons
        .get(&key(pid, bid))
        .cloned()
        .unwrap_or_else(|| json!({"type": "shared", "sender_email": SHARED_SENDER, "sender_name": SHARED_NAME}))
}

fn render(cfg: &Value, with_password: bool) -> Value {
    let mut v = cfg.clone();
    if v["type"] == "standard" && !with_password {
        v["password"] = json!("");
    }
    v
}

/// What an SMTP server needs that the schema leaves open: a host name, a port, a
/// username, a password (given, or kept from before) and a sender address.
fn check_smtp(b: &Value, password: &Value) -> Result<(), ApiError> {
    let host = s(b, "host").unwrap_or_default();
    let labels_ok = host.split('.').all(|l| !l.is_empty() && l.len() <= 63 && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'));
    if host.len() > 253 || !host.contains('.') || !labels_ok {
        return Err(bad("host: not a host name"));
    }
    if !b["port"].as_i64().is_some_and(|p| (1..=65_535).contains(&p)) {
        return Err(bad("port: must be from 1 to 65535"));
    }
    if s(b, "username").unwrap_or_default().trim().is_empty() {
        return Err(bad("username: must not be empty"));
    }
    if password.as_str().unwrap_or_default().is_empty() {
        return Err(bad("password: must not be empty"));
    }
    let sender = s(b, "sender_email").unwrap_or_default();
    let valid_sender = sender.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !local.contains(char::is_whitespace)
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    });
    if !valid_sender {
        return Err(bad(format!("sender_email: {sender:?} is not an email address")));
    }
    Ok(())
}

pub(crate) fn handle(st: &mut Store, r: &Req) -> R {
    let (pid, bid) = target(st, r)?;
    match r.op.operation_id.as_str() {
        "getNeonAuthEmailProvider" | "getNeonAuthEmailServer" => ok(render(&stored(st, &pid, &bid), true)),
        "updateNeonAuthEmailProvider" | "updateNeonAuthEmailServer" => {
            let b = &r.body;
            // without a `type` only a shared config passes the spec's oneOf
            let kind = s(b, "type").unwrap_or("shared");
            let before = stored(st, &pid, &bid);
            let cfg = if kind == "standard" {
                let mut password = b["password"].clone();
                if password == "" && before["type"] == "standard" {
                    password = before["password"].clone();
                }
                check_smtp(b, &password)?;
                json!({
                    "type": "standard",
                    "host": b["host"], "port": b["port"], "username": b["username"], "password": password,
                    "sender_email": b["sender_email"], "sender_name": b["sender_name"],
                })
            } else {
                json!({
                    "type": "shared",
                    "sender_email": b.get("sender_email").cloned().unwrap_or(json!(SHARED_SENDER)),
                    "sender_name": b.get("sender_name").cloned().unwrap_or(json!(SHARED_NAME)),
                })
            };
            st.singletons.insert(key(&pid, &bid), cfg.clone());
            ok(render(&cfg, false))
        }
        _ => {
            let integration = st.collections.get("neon_auth").and_then(|c| c.get(&format!("{pid}/{bid}"))).map(|v| &v["integration"]);
            let Some(integration) = integration else {
                return Err(bad("Neon Auth is not enabled for this branch"));
            };
            if integration["auth_provider"] != "better_auth" {
                return Err(bad("testing the email provider needs a Better Auth integration"));
            }
            let cfg = stored(st, &pid, &bid);
            if cfg["type"] != "standard" {
                return Err(bad("the branch uses the shared email provider: save a custom SMTP provider first"));
            }
            let host = cfg["host"].as_str().unwrap_or_default().to_ascii_lowercase();
            if host == "localhost" || host.ends_with(".invalid") || host == "invalid" {
                return ok(json!({"success": false, "error_message": format!("dial tcp: lookup {host}: no such host")}));
            }
            ok(json!({"success": true}))
        }
    }
}
