//! Snapshots of a branch: create (a copy of its databases), list, update and delete.
//! Restoring one is `restores`.

use crate::handlers::{body_obj, branch_of, check_lock, new_ops, not_found, ok, project, project_mut, rng, s, Reply, Req, R};
use crate::server::Inner;
use crate::state::{Role, Snapshot, Store};
use crate::util;
use serde_json::json;

pub(crate) fn create_snapshot(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let id = format!("snap-{}", util::neon_name(&mut *rng(inner)));
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    branch_of(p, &bid)?;
    check_lock(p, r)?;
    let lsn = r.q("lsn").map(String::from).unwrap_or_else(|| p.next_lsn());
    let source = p.branch(&bid).unwrap();
    let snap = Snapshot {
        id: id.clone(),
        name: r.q("name").map(String::from).unwrap_or_else(|| format!("{bid}-snapshot")),
        source_branch_id: bid.clone(),
        lsn,
        created_at: crate::clock::now(),
        expires_at: r.q("expires_at").map(String::from),
        databases: source.databases.clone(),
        roles: source.roles.clone(),
        logical_size: source.logical_size,
    };
    // the snapshot's own copy, owned by roles that cannot log in
    let keepers: Vec<Role> = snap.roles.iter().map(|x| Role { no_login: true, ..x.clone() }).collect();
    inner.backing().copy(&bid, &snap.databases, &snap.roles, &snap.id, &keepers)?;
    let v = snap.render();
    p.snapshots.push(snap);
    let ops = new_ops(inner, p, r, &[("create_branch", Some(bid), None)]);
    ok(json!({"snapshot": v, "operations": ops}))
}

pub(crate) fn list_snapshots(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    ok(json!({"snapshots": p.snapshots.iter().map(|s| s.render()).collect::<Vec<_>>()}))
}

pub(crate) fn delete_snapshot(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let id = r.pp("snapshot_id");
    let i = p.snapshots.iter().position(|x| x.id == id).ok_or_else(|| not_found(&format!("snapshot {id:?}")))?;
    check_lock(p, r)?;
    let snap = &p.snapshots[i];
    inner.backing().drop_all(&snap.id, &snap.databases, &snap.roles)?;
    let snap = p.snapshots.remove(i);
    let ops = new_ops(inner, p, r, &[("delete_timeline", Some(snap.source_branch_id), None)]);
    Ok(Reply::Json(None, json!({"operations": ops})))
}

pub(crate) fn update_snapshot(st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let id = r.pp("snapshot_id");
    let snap = p.snapshots.iter_mut().find(|x| x.id == id).ok_or_else(|| not_found(&format!("snapshot {id:?}")))?;
    if let Some(n) = s(body_obj(r, "snapshot"), "name") {
        snap.name = n.to_string();
    }
    ok(json!({"snapshot": snap.render()}))
}
