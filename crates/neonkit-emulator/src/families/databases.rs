//! A branch's databases: list, get, create, update (rename, owner) and delete.

use crate::handlers::{bad, body_obj, branch_of, check_lock, conflict, new_ops, not_found, ok, project, project_mut, s, Reply, Req, R};
use crate::server::Inner;
use crate::state::{Database, Store};
use serde_json::json;

pub(crate) fn list_databases(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = branch_of(p, r.pp("branch_id"))?;
    ok(json!({"databases": b.databases.iter().map(|d| d.render(&b.id)).collect::<Vec<_>>()}))
}

pub(crate) fn get_database(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = branch_of(p, r.pp("branch_id"))?;
    let name = r.pp("database_name");
    let d = b.databases.iter().find(|d| d.name == name).ok_or_else(|| not_found(&format!("database {name:?}")))?;
    ok(json!({"database": d.render(&b.id)}))
}

pub(crate) fn create_database(inner: &Inner, st: &mut Store, r: &Req) -> R {
    st.next_db_id += 1;
    let db_id = st.next_db_id;
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    let b = branch_of(p, &bid)?;
    let body = body_obj(r, "database");
    let name = s(body, "name").unwrap_or_default().to_string();
    let owner = s(body, "owner_name").unwrap_or_default().to_string();
    if name.is_empty() {
        return Err(bad("database name must not be empty"));
    }
    if b.databases.iter().any(|d| d.name == name) {
        return Err(conflict(format!("database with name {name:?} already exists")));
    }
    if !b.roles.iter().any(|x| x.name == owner) {
        return Err(not_found(&format!("role {owner:?}")));
    }
    check_lock(p, r)?;
    let now = crate::clock::now();
    let d = Database { id: db_id, name, owner_name: owner, created_at: now, updated_at: now };
    inner.backing().create_database(&bid, &d)?;
    let v = d.render(&bid);
    p.branch_mut(&bid).unwrap().databases.push(d);
    let ep = p.endpoints.iter().find(|e| e.branch_id == bid && e.kind == "read_write").map(|e| e.id.clone());
    let ops = new_ops(inner, p, r, &[("apply_config", Some(bid), ep)]);
    Ok(Reply::Json(None, json!({"database": v, "operations": ops})))
}

pub(crate) fn update_database(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    let b = branch_of(p, &bid)?;
    let name = r.pp("database_name").to_string();
    if !b.databases.iter().any(|d| d.name == name) {
        return Err(not_found(&format!("database {name:?}")));
    }
    let body = body_obj(r, "database");
    if let Some(n) = s(body, "name") {
        if n != name && b.databases.iter().any(|d| d.name == n) {
            return Err(conflict(format!("database with name {n:?} already exists")));
        }
    }
    if let Some(o) = s(body, "owner_name") {
        if !b.roles.iter().any(|x| x.name == o) {
            return Err(not_found(&format!("role {o:?}")));
        }
    }
    check_lock(p, r)?;
    inner.backing().alter_database(&bid, &name, s(body, "name"), s(body, "owner_name"))?;
    let br = p.branch_mut(&bid).unwrap();
    let d = br.databases.iter_mut().find(|d| d.name == name).unwrap();
    if let Some(n) = s(body, "name") {
        d.name = n.to_string();
    }
    if let Some(o) = s(body, "owner_name") {
        d.owner_name = o.to_string();
    }
    d.updated_at = crate::clock::now();
    let v = d.render(&bid);
    let ep = p.endpoints.iter().find(|e| e.branch_id == bid && e.kind == "read_write").map(|e| e.id.clone());
    let ops = new_ops(inner, p, r, &[("apply_config", Some(bid), ep)]);
    ok(json!({"database": v, "operations": ops}))
}

pub(crate) fn delete_database(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    let b = branch_of(p, &bid)?;
    let name = r.pp("database_name").to_string();
    if !b.databases.iter().any(|d| d.name == name) {
        return Err(not_found(&format!("database {name:?}")));
    }
    check_lock(p, r)?;
    inner.backing().drop_database(&bid, &name)?;
    let br = p.branch_mut(&bid).unwrap();
    let i = br.databases.iter().position(|d| d.name == name).unwrap();
    let d = br.databases.remove(i);
    let v = d.render(&bid);
    let ep = p.endpoints.iter().find(|e| e.branch_id == bid && e.kind == "read_write").map(|e| e.id.clone());
    let ops = new_ops(inner, p, r, &[("apply_config", Some(bid), ep)]);
    ok(json!({"database": v, "operations": ops}))
}
