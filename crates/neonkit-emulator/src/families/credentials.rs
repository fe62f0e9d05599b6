//! Scoped credentials per branch: create (the secrets shown once), list, revoke,
//! and the newer reveal (the live secrets again) and rotate (new secrets in place,
//! the old ones gone).
//!
//! What a listing shows is kept per branch (`credentials:{project}/{branch}`); the
//! secrets apart from it, per project (`credential_secrets:{project}`), because
//! reveal and rotate find a credential by project and token id: the branch in
//! their path must exist, but need not be the credential's own.

use super::hex;
use crate::handlers::{branch_scope, not_found, ok, project, rng, s, Reply, Req, R};
use crate::server::Inner;
use crate::state::Store;
use crate::util;
use serde_json::{json, Value};

fn secrets_key(r: &Req) -> String {
    format!("credential_secrets:{}", r.pp("project_id"))
}

/// A new `(api_token, s3_secret_access_key)` pair.
fn new_secrets(inner: &Inner) -> (String, String) {
    let mut g = rng(inner);
    (format!("nct_{}", util::token(&mut *g, 40)), format!("nsk_live_{}", hex(&mut *g, 64)))
}

pub(crate) fn handle(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let key = branch_scope(st, r, "credentials")?;
    match r.op.operation_id.as_str() {
        "createCredential" => {
            let hex_id = hex(&mut *rng(inner), 32);
            let token_id = format!("nak_live_{hex_id}");
            // the first 12 hex digits of the id
            let short = hex_id[..12].to_string();
            let (api_token, s3) = new_secrets(inner);
            let now = util::now_rfc3339();
            let mut meta = json!({
                "token_id": token_id,
                "token_id_short": short,
                "scopes": r.body["scopes"],
                "branch_id": r.pp("branch_id"),
                "principal_type": r.body["principal_type"],
                "created_at": now,
            });
            let mut resp = json!({
                "token_id": token_id,
                "token_id_short": short,
                "api_token": api_token,
                "s3_secret_access_key": s3,
                "scopes": r.body["scopes"],
                "branch_id": r.pp("branch_id"),
                "created_at": now,
            });
            if let Some(n) = s(&r.body, "name") {
                meta["name"] = json!(n);
                resp["name"] = json!(n);
            }
            st.collections.entry(key).or_default().insert(token_id.clone(), meta);
            st.collections
                .entry(secrets_key(r))
                .or_default()
                .insert(token_id, json!({"api_token": api_token, "s3_secret_access_key": s3, "branch_id": r.pp("branch_id")}));
            ok(resp)
        }
        "listCredentials" => {
            let list: Vec<Value> = st.collections.get(&key).map(|c| c.values().cloned().collect()).unwrap_or_default();
            ok(json!({"credentials": list}))
        }
        "revokeCredential" => {
            let id = r.pp("token_id");
            st.collections.get_mut(&key).and_then(|c| c.remove(id)).ok_or_else(|| not_found(&format!("credential {id:?}")))?;
            if let Some(c) = st.collections.get_mut(&secrets_key(r)) {
                c.remove(id);
            }
            Ok(Reply::Empty(None))
        }
        op => {
            let id = r.pp("token_id").to_string();
            let (branch, meta) = live_credential(st, r, &id)?;
            if op == "revealCredential" {
                let sec = &st.collections[&secrets_key(r)][&id];
                return ok(json!({
                    "token_id": id,
                    "api_token": sec["api_token"],
                    "s3_secret_access_key": sec["s3_secret_access_key"],
                }));
            }
            // rotateCredential: only customer-managed credentials; anything else is "not found"
            if meta["principal_type"] != "user" {
                return Err(not_found(&format!("credential {id:?}")));
            }
            let (api_token, s3) = new_secrets(inner);
            let sec = st.collections.get_mut(&secrets_key(r)).and_then(|c| c.get_mut(&id)).expect("a live credential has secrets");
            sec["api_token"] = json!(api_token);
            sec["s3_secret_access_key"] = json!(s3);
            let mut resp = json!({
                "token_id": id,
                "token_id_short": meta["token_id_short"],
                "api_token": api_token,
                "s3_secret_access_key": s3,
                "scopes": meta["scopes"],
                "branch_id": branch,
                "principal_type": "user",
                "created_at": meta["created_at"],
            });
            for k in ["name", "expires_at"] {
                if let Some(v) = meta.get(k) {
                    resp[k] = v.clone();
                }
            }
            ok(resp)
        }
    }
}

/// The credential `id` of the request's project (on any of its live branches):
/// its branch and its listing entry. Revoked (or unknown) ones are 404.
fn live_credential(st: &Store, r: &Req, id: &str) -> Result<(String, Value), crate::handlers::ApiError> {
    let p = project(st, r)?;
    let sec = st.collections.get(&secrets_key(r)).and_then(|c| c.get(id)).ok_or_else(|| not_found(&format!("credential {id:?}")))?;
    let branch = sec["branch_id"].as_str().unwrap_or_default().to_string();
    if p.branch(&branch).is_none() {
        return Err(not_found(&format!("credential {id:?}")));
    }
    let meta = st
        .collections
        .get(&format!("credentials:{}/{branch}", p.id))
        .and_then(|c| c.get(id))
        .cloned()
        .ok_or_else(|| not_found(&format!("credential {id:?}")))?;
    Ok((branch, meta))
}
