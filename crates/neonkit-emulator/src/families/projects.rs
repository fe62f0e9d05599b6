//! Projects: list (with `recoverable`), create (the first branch, endpoint, database
//! and owner role, with `connection_uris`), get, update, delete and recover; a project's
//! permissions (shares by email) and JWKS.

use crate::families::endpoints::{cu, new_endpoint};
use crate::handlers::{
    bad, body_obj, check_lock, conflict, err, new_ops, not_found, ok, paginate_limit, project, project_mut, ready_at, rng, s, Reply, Req, R,
};
use crate::server::Inner;
use crate::state::{Branch, Database, Project, Role, Store, DEFAULT_REGION, REGIONS};
use crate::util;
use serde_json::{json, Value};
use std::time::Instant;

pub(crate) fn list_projects(st: &Store, r: &Req) -> R {
    let limit = paginate_limit(r, 10);
    let search = r.q("search").map(|s| s.to_lowercase());
    let org_filter = r.auth.org_id.clone().or_else(|| r.q("org_id").map(String::from));
    if let Some(o) = &org_filter {
        if st.org(o).is_none() {
            return Err(not_found(&format!("organization {o:?}")));
        }
    }
    let recoverable = r.q_bool("recoverable");
    let all: Vec<&Project> = st
        .projects_in_order()
        .into_iter()
        .filter(|p| if recoverable { p.deleted_at.is_some() } else { p.deleted_at.is_none() })
        .filter(|p| r.auth.project_id.as_ref().map(|s| *s == p.id).unwrap_or(true))
        .filter(|p| org_filter.as_ref().map(|o| *o == p.org_id).unwrap_or(true))
        .filter(|p| search.as_ref().map(|s| p.name.to_lowercase().contains(s) || p.id.contains(s)).unwrap_or(true))
        .collect();
    let start = match r.q("cursor").filter(|c| !c.is_empty()) {
        Some(c) => match all.iter().position(|p| p.id == c) {
            Some(i) => i + 1,
            None => match st.projects.get(c) {
                // a cursor naming a project no longer listed: continue after its position
                Some(cp) => all.iter().position(|p| p.seq > cp.seq).unwrap_or(all.len()),
                None => return Err(bad(format!("invalid cursor {c:?}"))),
            },
        },
        None => 0,
    };
    let page: Vec<&Project> = all.iter().skip(start).take(limit).copied().collect();
    let org_name = |id: &str| st.org(id).map(|o| o.name.as_str()).unwrap_or("");
    let cursor = page.last().map(|p| p.id.as_str()).or_else(|| r.q("cursor").filter(|c| !c.is_empty()));
    // written from the state in one pass (no Value tree, no serde per field): the 400-project
    // list is the emulator's largest common body; the bytes are what serde_json would give
    let mut bytes = Vec::with_capacity(256 + 1024 * page.len());
    bytes.extend_from_slice(br#"{"applications":{},"integrations":{},"#);
    if let Some(c) = cursor {
        bytes.extend_from_slice(br#""pagination":{"cursor":"#);
        crate::util::write_json_str(&mut bytes, c);
        bytes.extend_from_slice(b"},");
    }
    bytes.extend_from_slice(br#""projects":["#);
    for (i, p) in page.iter().enumerate() {
        if i > 0 {
            bytes.push(b',');
        }
        p.list_item(org_name(&p.org_id)).write_json(&mut bytes);
    }
    bytes.extend_from_slice(b"]}");
    Ok(Reply::Bytes("application/json", bytes))
}

pub(crate) fn list_shared_projects() -> R {
    ok(json!({"projects": []}))
}

pub(crate) fn get_project(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    ok(json!({"project": p.render()}))
}

/// The real API's project `default_endpoint_settings` always carry the compute
/// limits and suspend timeout; what a request leaves out gets the defaults. A given
/// minimum above 0.25 also raises the default maximum, which may not be below it.
fn fill_endpoint_defaults(des: &mut Value) {
    if !des.is_object() {
        *des = json!({});
    }
    let min = cu(des, "autoscaling_limit_min_cu", 0.25);
    let o = des.as_object_mut().unwrap();
    o.entry("autoscaling_limit_min_cu").or_insert(json!(0.25));
    o.entry("autoscaling_limit_max_cu").or_insert(json!(min.max(0.25)));
    o.entry("suspend_timeout_seconds").or_insert(json!(0));
}

pub(crate) fn create_project(inner: &Inner, st: &mut Store, r: &Req) -> R {
    if r.auth.project_id.is_some() {
        return Err(err(403, "a project-scoped API key cannot create projects"));
    }
    let body = body_obj(r, "project");
    let region_id = s(body, "region_id").unwrap_or(DEFAULT_REGION).to_string();
    if !REGIONS.iter().any(|(id, ..)| *id == region_id) {
        return Err(bad(format!("region {region_id:?} is not supported")));
    }
    let org_id = match (s(body, "org_id"), &r.auth.org_id) {
        (Some(given), Some(key_org)) if given != key_org => return Err(err(403, "this API key belongs to another organization")),
        (Some(given), _) => {
            if st.org(given).is_none() {
                return Err(not_found(&format!("organization {given:?}")));
            }
            given.to_string()
        }
        (None, Some(key_org)) => key_org.clone(),
        (None, None) => st.default_org().id.clone(),
    };
    let now = crate::clock::now();
    let (id, branch_id, password) = {
        let mut g = rng(inner);
        (util::neon_name(&mut *g), format!("br-{}", util::neon_name(&mut *g)), util::password(&mut *g))
    };
    let name = s(body, "name").unwrap_or(&id).to_string();
    let b = body.get("branch").cloned().unwrap_or(Value::Null);
    let branch_name = s(&b, "name").unwrap_or("main").to_string();
    let role_name = s(&b, "role_name").unwrap_or("neondb_owner").to_string();
    let db_name = s(&b, "database_name").unwrap_or("neondb").to_string();
    let des = body.get("default_endpoint_settings").cloned().unwrap_or_else(|| json!({}));
    let mut des_full = des.clone();
    for k in ["autoscaling_limit_min_cu", "autoscaling_limit_max_cu"] {
        if let Some(v) = body.get(k) {
            des_full[k] = v.clone();
        }
    }
    fill_endpoint_defaults(&mut des_full);
    st.project_seq += 1;
    st.next_db_id += 1;
    let db_id = st.next_db_id;
    let mut p = Project {
        id: id.clone(),
        seq: st.project_seq,
        name,
        region_id: region_id.clone(),
        pg_version: body.get("pg_version").and_then(|v| v.as_i64()).unwrap_or(17),
        provisioner: s(body, "provisioner").unwrap_or("k8s-neonvm").to_string(),
        store_passwords: body.get("store_passwords").and_then(|v| v.as_bool()).unwrap_or(true),
        history_retention_seconds: body.get("history_retention_seconds").and_then(|v| v.as_i64()).unwrap_or(86_400),
        settings: body.get("settings").cloned().unwrap_or_else(|| json!({"allowed_ips": {"ips": [], "protected_branches_only": false}, "enable_logical_replication": false, "block_public_connections": false, "block_vpc_connections": false})),
        default_endpoint_settings: des_full.clone(),
        org_id,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        branches: Vec::new(),
        endpoints: Vec::new(),
        operations: Vec::new(),
        snapshots: Vec::new(),
        permissions: Vec::new(),
        jwks: Vec::new(),
        lsn: 0x14E_DAC8,
    };
    let branch = Branch {
        id: branch_id.clone(),
        name: branch_name,
        parent_id: None,
        parent_lsn: None,
        parent_timestamp: None,
        default: true,
        protected: false,
        expires_at: None,
        init_source: "parent-data".into(),
        created_at: now,
        updated_at: now,
        ready_at: ready_at(r),
        databases: vec![Database { id: db_id, name: db_name.clone(), owner_name: role_name.clone(), created_at: now, updated_at: now }],
        roles: vec![Role { name: role_name, password, protected: false, no_login: false, created_at: now, updated_at: now }],
        deleted_at: None,
        restored_from: None,
        logical_size: 30_785_536,
        pending_from: "init",
        last_reset_at: None,
        restore_status: None,
        restored_as: None,
    };
    let ep = new_endpoint(inner, r, &branch_id, &region_id, "read_write", &des_full, &des_full);
    let ep_id = ep.id.clone();
    let t = Instant::now();
    let backing = inner.backing();
    backing.create_role(&branch_id, &branch.roles[0])?;
    backing.create_database(&branch_id, &branch.databases[0])?;
    let conn = backing.connection_details(&branch.roles[0], &db_name, &ep);
    let branch_json = branch.render(&id, t);
    let db_json = branch.databases[0].render(&branch_id);
    let role_json = branch.roles[0].render(&branch_id, true);
    let ep_json = ep.render(&id, t);
    p.branches.push(branch);
    p.endpoints.push(ep);
    let ops =
        new_ops(inner, &mut p, r, &[("create_timeline", Some(branch_id.clone()), None), ("start_compute", Some(branch_id), Some(ep_id))]);
    let project_json = p.render();
    st.projects.insert(id, p);
    Ok(Reply::Json(
        None,
        json!({
            "project": project_json,
            "connection_uris": [conn],
            "roles": [role_json],
            "databases": [db_json],
            "operations": ops,
            "branch": branch_json,
            "endpoints": [ep_json],
        }),
    ))
}

pub(crate) fn update_project(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    check_lock(p, r)?;
    let body = body_obj(r, "project");
    if let Some(n) = s(body, "name") {
        p.name = n.to_string();
    }
    if let Some(v) = body.get("settings").and_then(|v| v.as_object()) {
        let mut cur = p.settings.as_object().cloned().unwrap_or_default();
        for (k, x) in v {
            cur.insert(k.clone(), x.clone());
        }
        p.settings = Value::Object(cur);
    }
    if let Some(v) = body.get("default_endpoint_settings") {
        let mut des = v.clone();
        fill_endpoint_defaults(&mut des);
        p.default_endpoint_settings = des;
    }
    if let Some(h) = body.get("history_retention_seconds").and_then(|v| v.as_i64()) {
        p.history_retention_seconds = h;
    }
    p.updated_at = crate::clock::now();
    let ops = new_ops(inner, p, r, &[]);
    ok(json!({"project": p.render(), "operations": ops}))
}

pub(crate) fn delete_project(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    for b in p.branches.iter().filter(|b| b.deleted_at.is_none()) {
        inner.backing().set_open(&b.id, &b.databases, &b.roles, false)?;
    }
    p.deleted_at = Some(crate::clock::now());
    let v = p.render();
    // operations of a deleted project finish at once; keys scoped to it stop working
    let pid = p.id.clone();
    for k in st.keys.iter_mut().filter(|k| k.project_id.as_deref() == Some(pid.as_str())) {
        k.revoked = true;
    }
    ok(json!({"project": v}))
}

pub(crate) fn recover_project(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let id = r.pp("project_id");
    let p = match st.projects.get_mut(id) {
        Some(p) if p.deleted_at.is_some() => p,
        Some(_) => return Err(bad(format!("project {id:?} is not deleted"))),
        None => return Err(not_found(&format!("project {id:?}"))),
    };
    for b in p.branches.iter().filter(|b| b.deleted_at.is_none()) {
        inner.backing().set_open(&b.id, &b.databases, &b.roles, true)?;
    }
    p.deleted_at = None;
    p.updated_at = crate::clock::now();
    let t = Instant::now();
    let branches: Vec<Value> = p.branches.iter().filter(|b| b.deleted_at.is_none()).map(|b| b.render(&p.id, t)).collect();
    ok(json!({"project": p.render(), "branches": branches}))
}

pub(crate) fn list_permissions(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    ok(json!({"project_permissions": p.permissions}))
}

pub(crate) fn grant_permission(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let id = util::uuid(&mut *rng(inner));
    let p = project_mut(st, r)?;
    let email = s(&r.body, "email").unwrap_or_default().to_string();
    if p.permissions.iter().any(|x| x["granted_to_email"] == email.as_str()) {
        return Err(conflict(format!("project is already shared with {email}")));
    }
    let v = json!({"id": id, "granted_to_email": email, "granted_at": util::now_rfc3339()});
    p.permissions.push(v.clone());
    ok(v)
}

pub(crate) fn revoke_permission(st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let id = r.pp("permission_id");
    let i = p.permissions.iter().position(|x| x["id"] == id).ok_or_else(|| not_found("permission"))?;
    let mut v = p.permissions.remove(i);
    v["revoked_at"] = json!(util::now_rfc3339());
    ok(v)
}

pub(crate) fn get_jwks(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    ok(json!({"jwks": p.jwks}))
}

pub(crate) fn add_jwks(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let id = util::uuid(&mut *rng(inner));
    let p = project_mut(st, r)?;
    check_lock(p, r)?;
    let now = util::now_rfc3339();
    let mut v = json!({
        "id": id, "project_id": p.id, "jwks_url": r.body["jwks_url"], "provider_name": r.body["provider_name"],
        "created_at": now, "updated_at": now,
    });
    for k in ["branch_id", "jwt_audience", "role_names"] {
        if let Some(x) = r.body.get(k) {
            v[k] = x.clone();
        }
    }
    p.jwks.push(v.clone());
    let bid = s(&r.body, "branch_id").map(String::from).or_else(|| p.default_branch().map(|b| b.id.clone()));
    let ops = new_ops(inner, p, r, &[("apply_config", bid, None)]);
    ok(json!({"jwks": v, "operations": ops}))
}

pub(crate) fn delete_jwks(st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let id = r.pp("jwks_id");
    let i = p.jwks.iter().position(|x| x["id"] == id).ok_or_else(|| not_found("JWKS"))?;
    ok(p.jwks.remove(i))
}
