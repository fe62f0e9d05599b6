//! Branches: create (a copy of the parent's databases and roles, with endpoints),
//! list (sorted, `pagination.next`), count, get, update, delete (soft or hard), set
//! default, recover and the branch's schema.

use crate::families::endpoints::new_endpoint;
use crate::handlers::{
    bad, body_obj, branch_of, check_lock, conflict, new_ops, next_page, not_found, ok, project, project_mut, ready_at, rng, s, Reply, Req,
    R,
};
use crate::server::Inner;
use crate::state::{Branch, Endpoint, Store};
use crate::util::{self, rfc3339};
use serde_json::{json, Value};
use std::time::{Instant, SystemTime};

pub(crate) fn create_branch(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let bid = format!("br-{}", util::neon_name(&mut *rng(inner)));
    let p = project_mut(st, r)?;
    let b = body_obj(r, "branch");
    let parent = match s(b, "parent_id") {
        Some(id) => branch_of(p, id)?.clone(),
        None => p.default_branch().ok_or_else(|| not_found("default branch"))?.clone(),
    };
    let name = s(b, "name").map(String::from).unwrap_or_else(|| bid.clone());
    // a duplicate name is a 409 even while operations run (as for databases and roles):
    // a client racing another creator of the same name learns that it lost, not to retry
    if p.branches.iter().any(|x| x.name == name && x.deleted_at.is_none()) {
        return Err(conflict(format!("branch with name {name:?} already exists")));
    }
    check_lock(p, r)?;
    let now = crate::clock::now();
    let init_source = s(b, "init_source").unwrap_or("parent-data").to_string();
    let lsn = p.next_lsn();
    let branch = Branch {
        id: bid.clone(),
        name,
        parent_id: Some(parent.id.clone()),
        parent_lsn: Some(s(b, "parent_lsn").map(String::from).unwrap_or(lsn)),
        parent_timestamp: Some(s(b, "parent_timestamp").map(String::from).unwrap_or_else(|| rfc3339(now))),
        default: false,
        protected: b.get("protected").and_then(|x| x.as_bool()).unwrap_or(false),
        expires_at: s(b, "expires_at").map(String::from),
        init_source: init_source.clone(),
        created_at: now,
        updated_at: now,
        ready_at: ready_at(r),
        // parent-data and schema-only branches both carry the parent's databases
        databases: parent.databases.clone(),
        roles: parent.roles.clone(),
        deleted_at: None,
        restored_from: None,
        logical_size: parent.logical_size,
        pending_from: "init",
        last_reset_at: None,
        restore_status: None,
        restored_as: None,
    };
    let mut branch = branch;
    for d in branch.databases.iter_mut() {
        d.created_at = now;
        d.updated_at = now;
    }
    let mut actions: Vec<(&'static str, Option<String>, Option<String>)> = vec![("create_branch", Some(bid.clone()), None)];
    let mut eps = Vec::new();
    let t = Instant::now();
    if let Some(list) = r.body.get("endpoints").and_then(|e| e.as_array()) {
        let des = p.default_endpoint_settings.clone();
        let region = p.region_id.clone();
        for opts in list {
            let kind = s(opts, "type").unwrap_or("read_write");
            if kind == "read_write" && (eps.iter().any(|e: &Endpoint| e.kind == "read_write")) {
                return Err(bad("a branch can have only one read-write endpoint"));
            }
            let ep = new_endpoint(inner, r, &bid, &region, kind, opts, &des);
            actions.push(("start_compute", Some(bid.clone()), Some(ep.id.clone())));
            eps.push(ep);
        }
    }
    let mut out = json!({
        "branch": branch.render(&p.id, t),
        "endpoints": eps.iter().map(|e| e.render(&p.id, t)).collect::<Vec<_>>(),
        "roles": branch.roles.iter().map(|x| x.render(&bid, false)).collect::<Vec<_>>(),
        "databases": branch.databases.iter().map(|d| d.render(&bid)).collect::<Vec<_>>(),
    });
    if let Some(ep) = eps.iter().find(|e| e.kind == "read_write").or(eps.first()) {
        let uris: Vec<Value> = branch
            .databases
            .iter()
            .filter_map(|d| {
                branch.roles.iter().find(|x| x.name == d.owner_name).map(|role| inner.backing().connection_details(role, &d.name, ep))
            })
            .collect();
        out["connection_uris"] = json!(uris);
    }
    // the parent's data as of now (a schema-only branch: without the rows)
    let backing = inner.backing();
    backing.copy(&parent.id, &parent.databases, &parent.roles, &bid, &branch.roles)?;
    if init_source == "schema-only" {
        backing.empty_tables(&bid, &branch.databases)?;
    }
    p.branches.push(branch);
    p.endpoints.extend(eps);
    out["operations"] = json!(new_ops(inner, p, r, &actions));
    Ok(Reply::Json(None, out))
}

pub(crate) fn list_branches(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let t = Instant::now();
    let sort_by = r.q("sort_by").unwrap_or("updated_at");
    let sort_order = r.q("sort_order").unwrap_or("desc");
    let include_deleted = r.q_bool("include_deleted");
    let search = r.q("search").map(|x| x.to_lowercase());
    let mut all: Vec<&Branch> = p
        .branches
        .iter()
        .filter(|b| include_deleted || b.deleted_at.is_none())
        .filter(|b| search.as_ref().map(|s| b.name.to_lowercase().contains(s) || b.id.contains(s)).unwrap_or(true))
        .collect();
    // stable: creation order breaks ties
    all.sort_by(|a, b| {
        let o = match sort_by {
            "name" => a.name.cmp(&b.name),
            "created_at" => a.created_at.cmp(&b.created_at),
            _ => a.updated_at.cmp(&b.updated_at),
        };
        o.then_with(|| a.created_at.cmp(&b.created_at)).then_with(|| a.id.cmp(&b.id))
    });
    if sort_order == "desc" {
        all.reverse();
    }
    let (page, next) = next_page(r, &all, |b| b.id.clone())?;
    let mut pagination = json!({"sort_by": sort_by, "sort_order": sort_order});
    if let Some(n) = next {
        pagination["next"] = json!(n);
    }
    ok(json!({
        "branches": page.iter().map(|b| b.render(&p.id, t)).collect::<Vec<_>>(),
        "annotations": {},
        "pagination": pagination,
    }))
}

pub(crate) fn count_branches(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let search = r.q("search").map(|x| x.to_lowercase());
    let n = p
        .branches
        .iter()
        .filter(|b| b.deleted_at.is_none())
        .filter(|b| search.as_ref().map(|s| b.name.to_lowercase().contains(s)).unwrap_or(true))
        .count();
    ok(json!({"count": n}))
}

fn annotation(branch_id: &str, created: SystemTime) -> Value {
    json!({
        "object": {"type": "console/branch", "id": branch_id},
        "value": {},
        "created_at": rfc3339(created),
        "updated_at": rfc3339(created),
    })
}

pub(crate) fn get_branch(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = branch_of(p, r.pp("branch_id"))?;
    ok(json!({"branch": b.render(&p.id, Instant::now()), "annotation": annotation(&b.id, b.created_at)}))
}

pub(crate) fn update_branch(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    check_lock(p, r)?;
    let bid = r.pp("branch_id").to_string();
    branch_of(p, &bid)?;
    let b = body_obj(r, "branch");
    if let Some(n) = s(b, "name") {
        if p.branches.iter().any(|x| x.name == n && x.id != bid && x.deleted_at.is_none()) {
            return Err(conflict(format!("branch with name {n:?} already exists")));
        }
    }
    let pid = p.id.clone();
    let br = p.branch_mut(&bid).unwrap();
    if let Some(n) = s(b, "name") {
        br.name = n.to_string();
    }
    if let Some(x) = b.get("protected").and_then(|x| x.as_bool()) {
        br.protected = x;
    }
    match b.get("expires_at") {
        Some(Value::Null) => br.expires_at = None,
        Some(Value::String(e)) => br.expires_at = Some(e.clone()),
        _ => {}
    }
    br.updated_at = crate::clock::now();
    let v = br.render(&pid, Instant::now());
    let ops = new_ops(inner, p, r, &[]);
    ok(json!({"branch": v, "operations": ops}))
}

pub(crate) fn delete_branch(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    let b = branch_of(p, &bid)?;
    if b.default {
        return Err(bad("cannot delete the project's default branch"));
    }
    if b.protected {
        return Err(bad("cannot delete a protected branch"));
    }
    if p.branches.iter().any(|c| c.parent_id.as_deref() == Some(bid.as_str()) && c.deleted_at.is_none()) {
        return Err(bad("cannot delete a branch that has child branches"));
    }
    check_lock(p, r)?;
    let hard = r.q_bool("hard_delete");
    // soft-deleted, its databases refuse connections until it is recovered
    if hard {
        inner.backing().drop_all(&b.id, &b.databases, &b.roles)?;
    } else {
        inner.backing().set_open(&b.id, &b.databases, &b.roles, false)?;
    }
    let t = Instant::now();
    let eps: Vec<String> = p.endpoints.iter().filter(|e| e.branch_id == bid).map(|e| e.id.clone()).collect();
    p.endpoints.retain(|e| e.branch_id != bid);
    let pid = p.id.clone();
    let br = p.branch_mut(&bid).unwrap();
    br.deleted_at = Some(crate::clock::now());
    br.updated_at = crate::clock::now();
    let v = br.render(&pid, t);
    if hard {
        p.branches.retain(|b| b.id != bid);
    }
    let mut actions: Vec<(&'static str, Option<String>, Option<String>)> =
        eps.into_iter().map(|e| ("suspend_compute", Some(bid.clone()), Some(e))).collect();
    actions.push(("delete_timeline", Some(bid.clone()), None));
    let ops = new_ops(inner, p, r, &actions);
    ok(json!({"branch": v, "operations": ops}))
}

pub(crate) fn set_default_branch(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    check_lock(p, r)?;
    let bid = r.pp("branch_id").to_string();
    branch_of(p, &bid)?;
    let now = crate::clock::now();
    for b in p.branches.iter_mut() {
        let d = b.id == bid;
        if b.default != d {
            b.default = d;
            b.updated_at = now;
        }
    }
    let v = p.branch(&bid).unwrap().render(&p.id, Instant::now());
    let ops = new_ops(inner, p, r, &[]);
    ok(json!({"branch": v, "operations": ops}))
}

pub(crate) fn recover_branch(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id");
    let b = p.branches.iter_mut().find(|b| b.id == bid).ok_or_else(|| not_found(&format!("branch {bid:?}")))?;
    if b.deleted_at.is_none() {
        return Err(bad("branch is not deleted"));
    }
    inner.backing().set_open(&b.id, &b.databases, &b.roles, true)?;
    b.deleted_at = None;
    b.updated_at = crate::clock::now();
    let v = b.render(&p.id, Instant::now());
    ok(json!({"branch": v, "endpoints": []}))
}

pub(crate) fn branch_schema(inner: &Inner, st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = branch_of(p, r.pp("branch_id"))?;
    let db = r.q("db_name").unwrap_or_default();
    if !b.databases.iter().any(|d| d.name == db) {
        return Err(not_found(&format!("database {db:?}")));
    }
    if let None | Some("sql") = r.q("format") {
        if let Some(sql) = inner.backing().schema_dump(&b.id, db)? {
            return ok(json!({"sql": sql}));
        }
    }
    let sql =
        format!("--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database {db} (branch {})\n\nSET statement_timeout = 0;\n", b.id);
    if r.q("format") == Some("json") {
        return ok(json!({"json": {"tables": []}}));
    }
    ok(json!({"sql": sql}))
}
