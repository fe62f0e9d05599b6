//! Project members: the project's organization members with their per-project roles.
//!
//! A member's effective project permission is the higher of its explicit grant (set
//! with `setProjectMemberRole`, removed with `removeProjectMemberRole`) and the
//! default its organization role carries: `admin` and `editor` → EDITOR, `member`
//! and `viewer` → VIEWER, `collaborator` → none (unassigned). The project's creator
//! (the emulator's user, an org admin) holds an explicit ADMIN grant from the start,
//! so it manages the project's members; lowering its own effective permission needs
//! `confirm_self_demotion=true`, and removing its own grant (back to EDITOR, without
//! manage access) `confirm_self_lockout=true`. Without ADMIN, managing members is a
//! 403 and the listing leaves unassigned members out. An organization API key is not
//! a member: it manages every project of its organization.

use super::pagination;
use crate::handlers::{bad, err, next_page, not_found, ok, project, ApiError, Req, R};
use crate::state::{Store, OWNER_ID, USER_NAME};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const LEVELS: [&str; 3] = ["VIEWER", "EDITOR", "ADMIN"];

fn rank(level: Option<&str>) -> usize {
    level.and_then(|l| LEVELS.iter().position(|x| *x == l)).map(|i| i + 1).unwrap_or(0)
}

fn org_default(org_role: &str) -> Option<&'static str> {
    match org_role {
        "admin" | "editor" => Some("EDITOR"),
        "member" | "viewer" => Some("VIEWER"),
        _ => None,
    }
}

/// One org member as the project sees it.
struct View {
    member_id: String,
    user_id: String,
    email: String,
    org_role: String,
    default: Option<&'static str>,
    explicit: Option<String>,
}

impl View {
    fn effective(&self) -> Option<&str> {
        let d = self.default;
        let e = self.explicit.as_deref();
        if rank(e) >= rank(d) {
            e.or(d)
        } else {
            d
        }
    }
    fn is_caller(&self) -> bool {
        self.user_id == OWNER_ID
    }
    fn render(&self) -> Value {
        let mut v = json!({
            "member_id": self.member_id,
            "user_id": self.user_id,
            "email": self.email,
            "name": if self.is_caller() { USER_NAME.to_string() } else { self.email.split('@').next().unwrap_or_default().to_string() },
            "org_role": self.org_role,
        });
        let source = match (self.explicit.as_deref(), self.default) {
            (Some(e), d) if rank(Some(e)) >= rank(d) => "explicit",
            (_, Some(_)) => "org_role_default",
            _ => "unassigned",
        };
        v["grant_source"] = json!(source);
        if let Some(d) = self.default {
            v["org_default_project_permission"] = json!(d);
        }
        if let Some(e) = &self.explicit {
            v["explicit_project_permission"] = json!(e);
        }
        if let Some(e) = self.effective() {
            v["effective_project_permission"] = json!(e);
            v["project_role"] = json!(e.to_lowercase());
        }
        v
    }
}

fn grants_key(pid: &str) -> String {
    format!("project_members:{pid}")
}

/// The project's members, sorted by email; the grants start with the creator's ADMIN.
fn views(st: &mut Store, r: &Req) -> Result<Vec<View>, ApiError> {
    let p = project(st, r)?;
    let (pid, org_id) = (p.id.clone(), p.org_id.clone());
    let members = st.org(&org_id).ok_or_else(|| not_found(&format!("project {pid:?}")))?.members.clone();
    let grants = st.collections.entry(grants_key(&pid)).or_insert_with(|| {
        let creator = members.iter().find(|m| m["member"]["user_id"] == OWNER_ID);
        let mut g = BTreeMap::new();
        if let Some(id) = creator.and_then(|m| m["member"]["id"].as_str()) {
            g.insert(id.to_string(), json!("ADMIN"));
        }
        g
    });
    let mut out: Vec<View> = members
        .iter()
        .map(|m| {
            let id = m["member"]["id"].as_str().unwrap_or_default().to_string();
            let org_role = m["member"]["role"].as_str().unwrap_or("member").to_string();
            View {
                explicit: grants.get(&id).and_then(|g| g.as_str()).map(String::from),
                member_id: id,
                user_id: m["member"]["user_id"].as_str().unwrap_or_default().to_string(),
                email: m["user"]["email"].as_str().unwrap_or_default().to_string(),
                default: org_default(&org_role),
                org_role,
            }
        })
        .collect();
    out.sort_by(|a, b| a.email.cmp(&b.email).then_with(|| a.member_id.cmp(&b.member_id)));
    Ok(out)
}

/// Whether the caller may manage the project's members.
fn caller_manages(r: &Req, views: &[View]) -> bool {
    r.auth.org_id.is_some() || views.iter().any(|v| v.is_caller() && v.effective() == Some("ADMIN"))
}

pub(crate) fn handle(st: &mut Store, r: &Req) -> R {
    let all = views(st, r)?;
    let manages = caller_manages(r, &all);
    if r.op.operation_id == "listProjectMembers" {
        let visible: Vec<&View> = all.iter().filter(|v| manages || v.effective().is_some()).collect();
        let (page, next) = next_page(r, &visible, |v| v.member_id.clone())?;
        return ok(json!({
            "project_members": page.iter().map(|v| v.render()).collect::<Vec<_>>(),
            "pagination": pagination(next),
        }));
    }
    let mid = r.pp("member_id");
    let target = all.iter().find(|v| v.member_id == mid).ok_or_else(|| not_found(&format!("member {mid:?}")))?;
    if !manages {
        return Err(err(403, "managing project members requires the ADMIN project role"));
    }
    let before = target.effective().map(String::from);
    let explicit =
        if r.op.operation_id == "setProjectMemberRole" { Some(r.body["role"].as_str().unwrap_or("viewer").to_uppercase()) } else { None };
    let after = View {
        member_id: target.member_id.clone(),
        user_id: target.user_id.clone(),
        email: target.email.clone(),
        org_role: target.org_role.clone(),
        default: target.default,
        explicit: explicit.clone(),
    };
    let lowered = rank(after.effective()) < rank(before.as_deref());
    if target.is_caller() && r.auth.org_id.is_none() && lowered {
        let (from, to) = (before.as_deref().unwrap_or("none"), after.effective().unwrap_or("none"));
        if r.op.operation_id == "setProjectMemberRole" && !r.q_bool("confirm_self_demotion") {
            return Err(bad(format!(
                "this lowers your own project permission ({from} → {to}); repeat the request with confirm_self_demotion=true to confirm"
            ))
            .with_code("self_demotion_not_confirmed"));
        }
        let loses_manage = before.as_deref() == Some("ADMIN") && after.effective() != Some("ADMIN");
        if r.op.operation_id == "removeProjectMemberRole" && loses_manage && !r.q_bool("confirm_self_lockout") {
            return Err(bad(format!(
                "removing your own role takes away your manage access to this project ({from} → {to}); repeat the request with confirm_self_lockout=true to confirm"
            ))
            .with_code("self_lockout_not_confirmed"));
        }
    }
    let grants = st.collections.entry(grants_key(r.pp("project_id"))).or_default();
    match &explicit {
        Some(level) => grants.insert(after.member_id.clone(), json!(level)),
        None => grants.remove(&after.member_id),
    };
    let mut v = after.render();
    if let Some(o) = v.as_object_mut() {
        o.remove("grant_source");
        o.insert("project_id".into(), json!(r.pp("project_id")));
        o.insert("credential_rotation_recommended".into(), json!(lowered));
        o.insert("org_api_key_rotation_recommended".into(), json!(lowered));
    }
    ok(v)
}
