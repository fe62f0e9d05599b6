//! A branch's roles: list, get, create (`npg_…` passwords), delete, reveal and reset
//! the password.

use crate::handlers::{
    bad, body_obj, branch_of, check_lock, conflict, err, new_ops, not_found, ok, project, project_mut, rng, s, Reply, Req, R,
};
use crate::server::Inner;
use crate::state::{Role, Store};
use crate::util;
use serde_json::json;

pub(crate) fn list_roles(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = branch_of(p, r.pp("branch_id"))?;
    ok(json!({"roles": b.roles.iter().map(|x| x.render(&b.id, false)).collect::<Vec<_>>()}))
}

pub(crate) fn get_role(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = branch_of(p, r.pp("branch_id"))?;
    let name = r.pp("role_name");
    let x = b.roles.iter().find(|x| x.name == name).ok_or_else(|| not_found(&format!("role {name:?}")))?;
    ok(json!({"role": x.render(&b.id, false)}))
}

pub(crate) fn create_role(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let password = util::password(&mut *rng(inner));
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    let b = branch_of(p, &bid)?;
    let body = body_obj(r, "role");
    let name = s(body, "name").unwrap_or_default().to_string();
    if name.is_empty() || name.len() > 63 {
        return Err(bad("role name must be 1 to 63 characters"));
    }
    if b.roles.iter().any(|x| x.name == name) {
        return Err(conflict(format!("role with name {name:?} already exists")));
    }
    check_lock(p, r)?;
    let now = crate::clock::now();
    let role = Role {
        name,
        password,
        protected: false,
        no_login: body.get("no_login").and_then(|x| x.as_bool()).unwrap_or(false),
        created_at: now,
        updated_at: now,
    };
    inner.backing().create_role(&bid, &role)?;
    let v = role.render(&bid, true);
    p.branch_mut(&bid).unwrap().roles.push(role);
    let ep = p.endpoints.iter().find(|e| e.branch_id == bid && e.kind == "read_write").map(|e| e.id.clone());
    let ops = new_ops(inner, p, r, &[("apply_config", Some(bid), ep)]);
    Ok(Reply::Json(None, json!({"role": v, "operations": ops})))
}

pub(crate) fn delete_role(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    let b = branch_of(p, &bid)?;
    let name = r.pp("role_name").to_string();
    let role = b.roles.iter().find(|x| x.name == name).ok_or_else(|| not_found(&format!("role {name:?}")))?;
    if role.protected {
        return Err(bad("cannot delete a protected role"));
    }
    if b.databases.iter().any(|d| d.owner_name == name) {
        return Err(bad(format!("role {name:?} owns databases; change their owner first")));
    }
    check_lock(p, r)?;
    inner.backing().drop_role(&bid, &name)?;
    let br = p.branch_mut(&bid).unwrap();
    let i = br.roles.iter().position(|x| x.name == name).unwrap();
    let v = br.roles.remove(i).render(&bid, false);
    let ep = p.endpoints.iter().find(|e| e.branch_id == bid && e.kind == "read_write").map(|e| e.id.clone());
    let ops = new_ops(inner, p, r, &[("apply_config", Some(bid), ep)]);
    ok(json!({"role": v, "operations": ops}))
}

pub(crate) fn reveal_password(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = branch_of(p, r.pp("branch_id"))?;
    let name = r.pp("role_name");
    let x = b.roles.iter().find(|x| x.name == name).ok_or_else(|| not_found(&format!("role {name:?}")))?;
    if !p.store_passwords {
        return Err(err(412, "storing passwords is disabled for this project"));
    }
    if x.no_login {
        return Err(not_found("password for a NOLOGIN role"));
    }
    ok(json!({"password": x.password}))
}

pub(crate) fn reset_password(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let password = util::password(&mut *rng(inner));
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    let b = branch_of(p, &bid)?;
    let name = r.pp("role_name").to_string();
    if !b.roles.iter().any(|x| x.name == name) {
        return Err(not_found(&format!("role {name:?}")));
    }
    check_lock(p, r)?;
    let br = p.branch_mut(&bid).unwrap();
    let role = br.roles.iter_mut().find(|x| x.name == name).unwrap();
    let changed = Role { password: password.clone(), ..role.clone() };
    inner.backing().set_password(&bid, &changed)?;
    role.password = password;
    role.updated_at = crate::clock::now();
    let v = role.render(&bid, true);
    let ep = p.endpoints.iter().find(|e| e.branch_id == bid && e.kind == "read_write").map(|e| e.id.clone());
    let ops = new_ops(inner, p, r, &[("apply_config", Some(bid), ep)]);
    ok(json!({"role": v, "operations": ops}))
}
