//! The Neon Auth integration per branch: enable (and the deprecated project-level
//! create), get, list, disable.

use crate::handlers::{branch_of, conflict, not_found, ok, rng, s, Reply, Req, R};
use crate::server::Inner;
use crate::state::Store;
use crate::util;
use serde_json::{json, Value};

/// Neon Auth per branch: enabling stores an integration; get/list read it; disable removes it.
pub(crate) fn neon_auth(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let op = r.op.operation_id.as_str();
    // the deprecated project-level create names the project and branch in its body
    let (pid, bid) = if op == "createNeonAuthIntegration" {
        (s(&r.body, "project_id").unwrap_or_default().to_string(), s(&r.body, "branch_id").unwrap_or_default().to_string())
    } else {
        (r.pp("project_id").to_string(), r.pp("branch_id").to_string())
    };
    let p = match st.projects.get(&pid) {
        Some(p) if p.deleted_at.is_none() => p,
        _ => return Err(not_found(&format!("project {pid:?}"))),
    };
    if r.auth.project_id.as_ref().map(|x| *x != pid).unwrap_or(false) {
        return Err(not_found(&format!("project {pid:?}")));
    }
    if op == "listNeonAuthIntegrations" {
        let list: Vec<Value> = st
            .collections
            .get("neon_auth")
            .map(|c| c.iter().filter(|(k, _)| k.starts_with(&format!("{pid}/"))).map(|(_, v)| v["integration"].clone()).collect())
            .unwrap_or_default();
        return ok(json!({"data": list}));
    }
    let b = branch_of(p, &bid)?;
    let db = s(&r.body, "database_name").map(String::from).or_else(|| b.databases.first().map(|d| d.name.clone())).unwrap_or_default();
    let key = format!("{pid}/{bid}");
    let coll = st.collections.entry("neon_auth".to_string()).or_default();
    match op {
        "createNeonAuth" | "createNeonAuthIntegration" => {
            if coll.contains_key(&key) {
                return Err(conflict("Neon Auth is already enabled for this branch"));
            }
            let (proj, pubk, secret) = {
                let mut g = rng(inner);
                (util::uuid(&mut *g), util::token(&mut *g, 32), util::token(&mut *g, 48))
            };
            let provider = s(&r.body, "auth_provider").unwrap_or("better_auth").to_string();
            let base_url = format!("https://{bid}.neonauth.us-east-2.aws.neon.tech/neondb/auth");
            let jwks_url = format!("{base_url}/.well-known/jwks.json");
            let created = json!({
                "auth_provider": provider, "auth_provider_project_id": proj, "pub_client_key": format!("pck_{pubk}"),
                "secret_server_key": format!("ssk_{secret}"), "jwks_url": jwks_url, "schema_name": "neon_auth",
                "table_name": "users_sync", "base_url": base_url,
            });
            let integration = json!({
                "auth_provider": provider, "auth_provider_project_id": proj, "branch_id": bid, "db_name": db,
                "created_at": util::now_rfc3339(), "owned_by": "neon", "jwks_url": jwks_url, "base_url": base_url,
            });
            coll.insert(key, json!({"integration": integration}));
            Ok(Reply::Json(None, created))
        }
        "getNeonAuth" => match coll.get(&key) {
            Some(v) => ok(v["integration"].clone()),
            None => Err(not_found("Neon Auth is not enabled for this branch")),
        },
        _ => match coll.remove(&key) {
            Some(_) => Ok(Reply::Empty(None)),
            None => Err(not_found("Neon Auth is not enabled for this branch")),
        },
    }
}
