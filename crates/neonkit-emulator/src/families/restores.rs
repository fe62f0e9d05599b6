//! Restores. `restoreProjectBranch` gives a branch the data of another branch's
//! history (from its parent's head it is "reset from parent"), keeping its id and
//! endpoints; `restoreSnapshot` brings a snapshot's data back as a new branch, which
//! `finalizeRestoreBranch` (or `finalize_restore: true` at once) swaps in for the
//! branch it was restored for.

use crate::handlers::{bad, branch_of, check_lock, conflict, new_ops, not_found, ok, project_mut, ready_at, rng, s, ApiError, Req, R};
use crate::server::Inner;
use crate::state::{Branch, Project, Store};
use crate::util::{self, rfc3339};
use serde_json::{json, Value};
use std::time::{Instant, SystemTime};

/// An operation to record: its action, branch and endpoint.
type Action = (&'static str, Option<String>, Option<String>);

pub(crate) fn handle(inner: &Inner, st: &mut Store, r: &Req) -> R {
    match r.op.operation_id.as_str() {
        "restoreProjectBranch" => restore_branch(inner, st, r),
        "restoreSnapshot" => restore_snapshot(inner, st, r),
        _ => finalize_restore_branch(inner, st, r),
    }
}

fn live_children(p: &Project, id: &str) -> Vec<String> {
    p.branches.iter().filter(|b| b.deleted_at.is_none() && b.parent_id.as_deref() == Some(id)).map(|b| b.id.clone()).collect()
}

fn name_taken(p: &Project, name: &str, except: Option<&str>) -> bool {
    p.branches.iter().any(|b| b.deleted_at.is_none() && b.name == name && Some(b.id.as_str()) != except)
}

/// Endpoints moving from one branch to another restart there.
fn moves(from: &str, to: &str, endpoint_ids: &[String]) -> Vec<Action> {
    let suspend = endpoint_ids.iter().map(|e| ("suspend_compute", Some(from.to_string()), Some(e.clone())));
    let start = endpoint_ids.iter().map(|e| ("start_compute", Some(to.to_string()), Some(e.clone())));
    suspend.chain(start).collect()
}

/// BranchRestoreRequest: `source_branch_id` (the branch itself needs `source_lsn` or
/// `source_timestamp`), and `preserve_under_name`, required when the branch has
/// children or is restored from itself, which keeps the previous state as a new
/// branch that the children move to.
fn restore_branch(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let backup_id = format!("br-{}", util::neon_name(&mut *rng(inner)));
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    branch_of(p, &bid)?;
    let src_id = s(&r.body, "source_branch_id").unwrap_or_default().to_string();
    let src = branch_of(p, &src_id)?.clone();
    let from_itself = src_id == bid;
    let (source_lsn, source_timestamp) = (s(&r.body, "source_lsn"), s(&r.body, "source_timestamp"));
    if from_itself && source_lsn.is_none() && source_timestamp.is_none() {
        return Err(bad("source_lsn or source_timestamp is required when source_branch_id is the branch itself"));
    }
    let children = live_children(p, &bid);
    let preserve = s(&r.body, "preserve_under_name").filter(|n| !n.is_empty());
    if preserve.is_none() {
        if from_itself {
            return Err(bad("preserve_under_name is required when source_branch_id is the branch itself"));
        }
        if !children.is_empty() {
            return Err(bad(format!("preserve_under_name is required: branch {bid:?} has child branches")));
        }
    }
    if let Some(name) = preserve {
        if name_taken(p, name, None) {
            return Err(conflict(format!("branch with name {name:?} already exists")));
        }
    }
    check_lock(p, r)?;
    let (backing, cur) = (inner.backing(), p.branch(&bid).unwrap());
    if preserve.is_some() {
        // the previous state, kept as the preserved branch
        backing.copy(&bid, &cur.databases, &cur.roles, &backup_id, &cur.roles)?;
    }
    // restored from itself there is no point-in-time recovery: the data stays
    if !from_itself {
        backing.drop_all(&bid, &cur.databases, &cur.roles)?;
        backing.copy(&src_id, &src.databases, &src.roles, &bid, &src.roles)?;
    }
    let now = crate::clock::now();
    let head_lsn = p.next_lsn();
    if let Some(name) = preserve {
        let previous = p.branch(&bid).unwrap().clone();
        p.branches.push(Branch {
            id: backup_id.clone(),
            name: name.to_string(),
            default: false,
            protected: false,
            expires_at: None,
            created_at: now,
            updated_at: now,
            ready_at: Instant::now(),
            pending_from: "init",
            last_reset_at: None,
            restore_status: None,
            restored_as: None,
            ..previous
        });
        for c in p.branches.iter_mut().filter(|b| children.contains(&b.id)) {
            c.parent_id = Some(backup_id.clone());
        }
    }
    let pid = p.id.clone();
    let br = p.branch_mut(&bid).unwrap();
    if !from_itself {
        // the source's data at its head: what was written on this branch is gone
        br.databases = src.databases.clone();
        br.roles = src.roles.clone();
        br.logical_size = src.logical_size;
    }
    // restored from itself, the branch continues from its preserved past
    br.parent_id = if from_itself { Some(backup_id) } else { Some(src_id) };
    br.parent_lsn = Some(source_lsn.map(String::from).unwrap_or(head_lsn));
    br.parent_timestamp = Some(source_timestamp.map(String::from).unwrap_or_else(|| rfc3339(now)));
    br.last_reset_at = Some(now);
    br.updated_at = now;
    br.ready_at = ready_at(r);
    br.pending_from = "resetting";
    let v = br.render(&pid, Instant::now());
    let eps: Vec<String> = p.endpoints.iter().filter(|e| e.branch_id == bid).map(|e| e.id.clone()).collect();
    let mut actions: Vec<Action> = eps.iter().map(|e| ("suspend_compute", Some(bid.clone()), Some(e.clone()))).collect();
    actions.push(("create_timeline", Some(bid.clone()), None));
    actions.extend(eps.iter().map(|e| ("start_compute", Some(bid.clone()), Some(e.clone()))));
    let ops = new_ops(inner, p, r, &actions);
    ok(json!({"branch": v, "operations": ops}))
}

/// A new branch with the snapshot's data, child of the branch it is restored for
/// (`target_branch_id`, else the snapshot's source branch); `finalize_restore: true`
/// swaps it in for that branch at once.
fn restore_snapshot(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let bid = format!("br-{}", util::neon_name(&mut *rng(inner)));
    let p = project_mut(st, r)?;
    let id = r.pp("snapshot_id");
    let snap = p.snapshots.iter().find(|x| x.id == id).ok_or_else(|| not_found(&format!("snapshot {id:?}")))?.clone();
    let target = match s(&r.body, "target_branch_id") {
        Some(t) => branch_of(p, t)?.clone(),
        None => p.branch(&snap.source_branch_id).cloned().ok_or_else(|| {
            not_found(&format!("branch {:?} (the snapshot's source branch; give target_branch_id)", snap.source_branch_id))
        })?,
    };
    let finalize_now = r.body.get("finalize_restore").and_then(|x| x.as_bool()).unwrap_or(false);
    let name =
        s(&r.body, "name").map(String::from).or_else(|| r.q("name").map(String::from)).unwrap_or_else(|| format!("{}-restored", snap.name));
    // finalized at once it takes the target's name, so its own is never seen
    if !finalize_now && name_taken(p, &name, None) {
        return Err(conflict(format!("branch with name {name:?} already exists")));
    }
    check_lock(p, r)?;
    inner.backing().copy(&snap.id, &snap.databases, &snap.roles, &bid, &snap.roles)?;
    let now = crate::clock::now();
    let mut databases = snap.databases.clone();
    for d in databases.iter_mut() {
        d.created_at = now;
        d.updated_at = now;
    }
    p.branches.push(Branch {
        id: bid.clone(),
        name,
        parent_id: Some(target.id.clone()),
        parent_lsn: Some(snap.lsn.clone()),
        parent_timestamp: Some(rfc3339(snap.created_at)),
        default: false,
        protected: false,
        expires_at: None,
        init_source: "parent-data".into(),
        created_at: now,
        updated_at: now,
        ready_at: ready_at(r),
        databases,
        roles: snap.roles.clone(),
        deleted_at: None,
        restored_from: Some(snap.id.clone()),
        logical_size: snap.logical_size,
        pending_from: "init",
        last_reset_at: None,
        restore_status: Some("restored"),
        restored_as: Some(target.id.clone()),
    });
    let mut actions: Vec<Action> = vec![("create_branch", Some(bid.clone()), None)];
    if finalize_now {
        match swap_in(p, &bid, None, now) {
            Ok(moves) => actions.extend(moves),
            Err(e) => {
                // nothing of a refused restore stays behind
                p.branches.retain(|b| b.id != bid);
                let _ = inner.backing().drop_all(&bid, &snap.databases, &snap.roles);
                return Err(e);
            }
        }
    }
    let t = Instant::now();
    let branch = p.branch(&bid).unwrap().render(&p.id, t);
    let endpoints: Vec<Value> = p.endpoints.iter().filter(|e| e.branch_id == bid).map(|e| e.render(&p.id, t)).collect();
    let ops = new_ops(inner, p, r, &actions);
    ok(json!({"branch": branch, "endpoints": endpoints, "operations": ops}))
}

fn finalize_restore_branch(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    let old_name = s(&r.body, "name").filter(|n| !n.is_empty());
    check_swap(p, &bid, old_name)?;
    check_lock(p, r)?;
    let actions = swap_in(p, &bid, old_name, crate::clock::now())?;
    let ops = new_ops(inner, p, r, &actions);
    ok(json!({"operations": ops}))
}

/// Why the restored branch `id` cannot replace its target (renamed `old_name`), if it cannot.
fn check_swap(p: &Project, id: &str, old_name: Option<&str>) -> Result<(), ApiError> {
    let restored = branch_of(p, id)?;
    if restored.restore_status != Some("restored") {
        return Err(bad(format!("branch {id:?} is not an un-finalized snapshot restore")));
    }
    let target_id = restored.restored_as.as_deref().unwrap_or_default();
    let Some(target) = p.branch(target_id) else {
        return Err(conflict(format!("branch {target_id:?}, which this restore was to replace, no longer exists")));
    };
    if let Some(n) = old_name {
        if name_taken(p, n, Some(target_id)) {
            return Err(conflict(format!("branch with name {n:?} already exists")));
        }
    }
    let read_write_on = |b: &str| p.endpoints.iter().any(|e| e.branch_id == b && e.kind == "read_write");
    if read_write_on(id) && read_write_on(target_id) {
        return Err(conflict(format!(
            "branch {id:?} has a read-write endpoint and the read-write endpoint of {:?} would move to it; delete the restored branch's first",
            target.name
        )));
    }
    Ok(())
}

/// The swap of a finalized restore: the restored branch takes the target's name,
/// default flag and endpoints; the target is renamed (`old_name`, else
/// `<name>_old_<time>` as Neon names a branch's previous state). Returns the
/// endpoint restarts it causes.
fn swap_in(p: &mut Project, id: &str, old_name: Option<&str>, now: SystemTime) -> Result<Vec<Action>, ApiError> {
    check_swap(p, id, old_name)?;
    let target_id = p.branch(id).unwrap().restored_as.clone().unwrap_or_default();
    let target = p.branch(&target_id).unwrap().clone();
    let old_name = match old_name {
        Some(n) => n.to_string(),
        None => {
            let base = format!("{}_old_{}", target.name, rfc3339(now));
            let mut candidate = base.clone();
            let mut n = 1;
            while name_taken(p, &candidate, None) {
                n += 1;
                candidate = format!("{base}_{n}");
            }
            candidate
        }
    };
    let moved: Vec<String> = p.endpoints.iter().filter(|e| e.branch_id == target_id).map(|e| e.id.clone()).collect();
    for e in p.endpoints.iter_mut().filter(|e| e.branch_id == target_id) {
        e.branch_id = id.to_string();
        e.updated_at = now;
    }
    let old = p.branch_mut(&target_id).unwrap();
    old.name = old_name;
    old.default = false;
    old.updated_at = now;
    let restored = p.branch_mut(id).unwrap();
    restored.name = target.name.clone();
    restored.default = target.default;
    restored.restore_status = Some("finalized");
    restored.updated_at = now;
    Ok(moves(&target_id, id, &moved))
}
