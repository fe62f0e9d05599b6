//! Endpoints: create (one read-write per branch), list (a project's, a branch's), get,
//! update, delete, start/suspend/restart; and `getConnectionURI`, which resolves a
//! branch's endpoint, database and role to a URI.

use crate::handlers::{
    bad, body_obj, branch_of, check_lock, conflict, new_ops, not_found, ok, project, project_mut, ready_at, rng, s, ApiError, Reply, Req, R,
};
use crate::server::Inner;
use crate::state::{Endpoint, Project, Store};
use crate::util;
use serde_json::{json, Value};
use std::time::Instant;

pub(super) fn cu(v: &Value, k: &str, default: f64) -> f64 {
    v.get(k).and_then(|x| x.as_f64()).unwrap_or(default)
}

pub(super) fn new_endpoint(
    inner: &Inner,
    r: &Req,
    branch_id: &str,
    region_id: &str,
    kind: &str,
    opts: &Value,
    defaults: &Value,
) -> Endpoint {
    let now = crate::clock::now();
    let id = format!("ep-{}", util::neon_name(&mut *rng(inner)));
    let min_cu = cu(opts, "autoscaling_limit_min_cu", cu(defaults, "autoscaling_limit_min_cu", 0.25));
    let max_cu = cu(opts, "autoscaling_limit_max_cu", cu(defaults, "autoscaling_limit_max_cu", min_cu.max(2.0)));
    Endpoint {
        id,
        name: s(opts, "name").map(String::from),
        branch_id: branch_id.to_string(),
        region_id: region_id.to_string(),
        kind: kind.to_string(),
        min_cu,
        max_cu: max_cu.max(min_cu),
        suspend_timeout_seconds: opts
            .get("suspend_timeout_seconds")
            .or_else(|| defaults.get("suspend_timeout_seconds"))
            .and_then(|x| x.as_i64())
            .unwrap_or(0),
        pooler_enabled: opts.get("pooler_enabled").and_then(|x| x.as_bool()).unwrap_or(false),
        disabled: opts.get("disabled").and_then(|x| x.as_bool()).unwrap_or(false),
        passwordless_access: opts.get("passwordless_access").and_then(|x| x.as_bool()).unwrap_or(true),
        provisioner: s(opts, "provisioner").unwrap_or("k8s-neonvm").to_string(),
        settings: opts.get("settings").cloned().unwrap_or_else(|| json!({})),
        created_at: now,
        updated_at: now,
        state_from: "init",
        state_to: "active",
        state_at: ready_at(r),
        started_at: Some(now),
        suspended_at: None,
    }
}

pub(crate) fn create_endpoint(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let body = body_obj(r, "endpoint");
    let bid = s(body, "branch_id").unwrap_or_default().to_string();
    branch_of(p, &bid)?;
    let kind = s(body, "type").unwrap_or("read_write");
    if kind == "read_write" && p.endpoints.iter().any(|e| e.branch_id == bid && e.kind == "read_write") {
        return Err(conflict("the branch already has a read-write endpoint"));
    }
    if let Some(rid) = s(body, "region_id") {
        if rid != p.region_id {
            return Err(bad("the endpoint's region must match the project's region"));
        }
    }
    check_lock(p, r)?;
    let des = p.default_endpoint_settings.clone();
    let region = p.region_id.clone();
    let ep = new_endpoint(inner, r, &bid, &region, kind, body, &des);
    let v = ep.render(&p.id, Instant::now());
    let eid = ep.id.clone();
    p.endpoints.push(ep);
    let ops = new_ops(inner, p, r, &[("start_compute", Some(bid), Some(eid))]);
    Ok(Reply::Json(None, json!({"endpoint": v, "operations": ops})))
}

pub(crate) fn list_endpoints(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let t = Instant::now();
    ok(json!({"endpoints": p.endpoints.iter().map(|e| e.render(&p.id, t)).collect::<Vec<_>>()}))
}

pub(crate) fn list_branch_endpoints(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = branch_of(p, r.pp("branch_id"))?;
    let t = Instant::now();
    ok(json!({"endpoints": p.endpoints.iter().filter(|e| e.branch_id == b.id).map(|e| e.render(&p.id, t)).collect::<Vec<_>>()}))
}

fn find_endpoint<'a>(p: &'a Project, r: &Req) -> Result<&'a Endpoint, ApiError> {
    let id = r.pp("endpoint_id");
    p.endpoints.iter().find(|e| e.id == id).ok_or_else(|| not_found(&format!("endpoint {id:?}")))
}

pub(crate) fn get_endpoint(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let e = find_endpoint(p, r)?;
    ok(json!({"endpoint": e.render(&p.id, Instant::now())}))
}

pub(crate) fn update_endpoint(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let e = find_endpoint(p, r)?.clone();
    let body = body_obj(r, "endpoint");
    if let Some(nb) = s(body, "branch_id") {
        branch_of(p, nb)?;
        if nb != e.branch_id && e.kind == "read_write" && p.endpoints.iter().any(|x| x.branch_id == nb && x.kind == "read_write") {
            return Err(conflict("the target branch already has a read-write endpoint"));
        }
    }
    check_lock(p, r)?;
    let eid = e.id.clone();
    let ep = p.endpoints.iter_mut().find(|x| x.id == eid).unwrap();
    if let Some(nb) = s(body, "branch_id") {
        ep.branch_id = nb.to_string();
    }
    if let Some(v) = body.get("autoscaling_limit_min_cu").and_then(|x| x.as_f64()) {
        ep.min_cu = v;
    }
    if let Some(v) = body.get("autoscaling_limit_max_cu").and_then(|x| x.as_f64()) {
        ep.max_cu = v;
    }
    if ep.max_cu < ep.min_cu {
        ep.max_cu = ep.min_cu;
    }
    if let Some(v) = body.get("suspend_timeout_seconds").and_then(|x| x.as_i64()) {
        ep.suspend_timeout_seconds = v;
    }
    if let Some(v) = body.get("pooler_enabled").and_then(|x| x.as_bool()) {
        ep.pooler_enabled = v;
    }
    if let Some(v) = body.get("disabled").and_then(|x| x.as_bool()) {
        ep.disabled = v;
    }
    if let Some(v) = body.get("passwordless_access").and_then(|x| x.as_bool()) {
        ep.passwordless_access = v;
    }
    if let Some(v) = s(body, "provisioner") {
        ep.provisioner = v.to_string();
    }
    if let Some(v) = s(body, "name") {
        ep.name = Some(v.to_string());
    }
    if let Some(v) = body.get("settings") {
        ep.settings = v.clone();
    }
    ep.updated_at = crate::clock::now();
    let v = ep.render(&p.id, Instant::now());
    let bid = ep.branch_id.clone();
    let ops = new_ops(inner, p, r, &[("apply_config", Some(bid), Some(eid))]);
    ok(json!({"endpoint": v, "operations": ops}))
}

pub(crate) fn delete_endpoint(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let e = find_endpoint(p, r)?.clone();
    check_lock(p, r)?;
    p.endpoints.retain(|x| x.id != e.id);
    let mut v = e.render(&p.id, Instant::now());
    v["updated_at"] = json!(util::now_rfc3339());
    let ops = new_ops(inner, p, r, &[("suspend_compute", Some(e.branch_id.clone()), Some(e.id.clone()))]);
    ok(json!({"endpoint": v, "operations": ops}))
}

pub(crate) fn endpoint_action(inner: &Inner, st: &mut Store, r: &Req, what: &str) -> R {
    let p = project_mut(st, r)?;
    let e = find_endpoint(p, r)?.clone();
    if e.disabled && what != "suspend" {
        return Err(bad("endpoint is disabled"));
    }
    check_lock(p, r)?;
    let now = Instant::now();
    let (cur, _) = e.state(now);
    let ep = p.endpoints.iter_mut().find(|x| x.id == e.id).unwrap();
    let sys = crate::clock::now();
    let actions: Vec<(&'static str, Option<String>, Option<String>)> = match what {
        "start" => {
            ep.state_from = cur;
            ep.state_to = "active";
            ep.started_at = Some(sys);
            vec![("start_compute", Some(e.branch_id.clone()), Some(e.id.clone()))]
        }
        "suspend" => {
            ep.state_from = cur;
            ep.state_to = "idle";
            ep.suspended_at = Some(sys);
            vec![("suspend_compute", Some(e.branch_id.clone()), Some(e.id.clone()))]
        }
        _ => {
            ep.state_from = "init";
            ep.state_to = "active";
            ep.started_at = Some(sys);
            vec![
                ("suspend_compute", Some(e.branch_id.clone()), Some(e.id.clone())),
                ("start_compute", Some(e.branch_id.clone()), Some(e.id.clone())),
            ]
        }
    };
    ep.state_at = ready_at(r);
    ep.updated_at = sys;
    let v = ep.render(&p.id, now);
    let ops = new_ops(inner, p, r, &actions);
    ok(json!({"endpoint": v, "operations": ops}))
}

pub(crate) fn connection_uri(inner: &Inner, st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = match r.q("branch_id") {
        Some(id) => branch_of(p, id)?,
        None => p.default_branch().ok_or_else(|| not_found("default branch"))?,
    };
    let ep = match r.q("endpoint_id") {
        Some(id) => p
            .endpoints
            .iter()
            .find(|e| e.id == id && e.branch_id == b.id)
            .ok_or_else(|| not_found(&format!("endpoint {id:?} of branch {:?}", b.id)))?,
        None => p
            .endpoints
            .iter()
            .find(|e| e.branch_id == b.id && e.kind == "read_write")
            .ok_or_else(|| not_found(&format!("read-write endpoint of branch {:?}", b.id)))?,
    };
    let db = r.q("database_name").unwrap_or_default();
    if !b.databases.iter().any(|d| d.name == db) {
        return Err(not_found(&format!("database {db:?}")));
    }
    let role_name = r.q("role_name").unwrap_or_default();
    let role = b.roles.iter().find(|x| x.name == role_name).ok_or_else(|| not_found(&format!("role {role_name:?}")))?;
    ok(json!({"uri": inner.backing().connection_uri(role, db, ep, r.q_bool("pooled"))}))
}
