//! API keys, personal and organization (project-scoped ones too): the Bearer tokens
//! the server accepts, listed, created (the token shown once) and revoked.

use crate::handlers::{bad, not_found, ok, org_id_checked, rng, s, Auth, Req, R};
use crate::server::Inner;
use crate::state::{ApiKeyRec, Store, OWNER_ID};
use crate::util::{self, rfc3339};
use serde_json::{json, Value};

impl Store {
    pub fn auth_for_key(&mut self, token: &str) -> Option<Auth> {
        let i = *self.key_tokens.get(token)?;
        let k = &mut self.keys[i];
        if k.revoked {
            return None;
        }
        k.last_used_at = Some(crate::clock::now());
        Some(Auth {
            method: if k.org_id.is_some() { "api_key_org" } else { "api_key_user" },
            org_id: k.org_id.clone(),
            project_id: k.project_id.clone(),
        })
    }
}

pub(crate) fn list_api_keys(st: &Store, org: Option<&str>) -> R {
    let v: Vec<Value> = st.keys.iter().filter(|k| !k.revoked && k.org_id.as_deref() == org).map(|k| k.render_list_item()).collect();
    ok(Value::Array(v))
}

pub(crate) fn create_api_key(inner: &Inner, st: &mut Store, r: &Req, org: Option<String>) -> R {
    let name = s(&r.body, "key_name").unwrap_or_default().to_string();
    let project_id = s(&r.body, "project_id").map(String::from);
    if let Some(pid) = &project_id {
        match st.projects.get(pid) {
            Some(p) if p.deleted_at.is_none() && Some(&p.org_id) == org.as_ref() => {}
            _ => return Err(not_found(&format!("project {pid:?}"))),
        }
    }
    let token = format!("napi_{}", util::token(&mut *rng(inner), 60));
    st.next_key_id += 1;
    let k = ApiKeyRec {
        id: st.next_key_id,
        name,
        token: token.clone(),
        created_at: crate::clock::now(),
        org_id: org,
        project_id,
        revoked: false,
        last_used_at: None,
    };
    let mut v = json!({
        "id": k.id, "key": token, "name": k.name, "created_at": rfc3339(k.created_at), "created_by": OWNER_ID,
    });
    if let Some(p) = &k.project_id {
        v["project_id"] = json!(p);
    }
    st.key_tokens.insert(token, st.keys.len());
    st.keys.push(k);
    ok(v)
}

pub(crate) fn revoke_api_key(st: &mut Store, r: &Req, org: Option<&str>) -> R {
    let id: i64 = r.pp("key_id").parse().map_err(|_| bad("key_id must be an integer"))?;
    let k = st.keys.iter_mut().find(|k| k.id == id && k.org_id.as_deref() == org).ok_or_else(|| not_found(&format!("API key {id}")))?;
    k.revoked = true;
    ok(k.render_revoked())
}

pub(crate) fn list_org_api_keys(st: &Store, r: &Req) -> R {
    let org = org_id_checked(st, r)?;
    list_api_keys(st, Some(&org))
}

pub(crate) fn create_org_api_key(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let org = org_id_checked(st, r)?;
    create_api_key(inner, st, r, Some(org))
}

pub(crate) fn revoke_org_api_key(st: &mut Store, r: &Req) -> R {
    let org = org_id_checked(st, r)?;
    revoke_api_key(st, r, Some(&org))
}
