//! Organizations: the organization, its members, invitations and spending limit, and
//! the current user's organizations.

use crate::handlers::{bad, next_page, not_found, ok, org_id_checked, rng, Req, R};
use crate::server::Inner;
use crate::state::{Store, OWNER_ID};
use crate::util;
use serde_json::{json, Value};

pub(crate) fn get_organization(st: &Store, r: &Req) -> R {
    let org = org_id_checked(st, r)?;
    ok(st.org(&org).unwrap().render())
}

pub(crate) fn org_members(st: &Store, r: &Req) -> R {
    let org = org_id_checked(st, r)?;
    let o = st.org(&org).unwrap();
    let sort_by = r.q("sort_by").unwrap_or("joined_at");
    let sort_order = r.q("sort_order").unwrap_or("desc");
    let mut all = o.members.clone();
    all.sort_by(|a, b| {
        let key = |m: &Value| match sort_by {
            "email" => m["user"]["email"].as_str().unwrap_or("").to_string(),
            "role" => m["member"]["role"].as_str().unwrap_or("").to_string(),
            _ => m["member"]["joined_at"].as_str().unwrap_or("").to_string(),
        };
        key(a).cmp(&key(b)).then_with(|| a["member"]["id"].as_str().cmp(&b["member"]["id"].as_str()))
    });
    if sort_order == "desc" {
        all.reverse();
    }
    let (page, next) = next_page(r, &all, |m| m["member"]["id"].as_str().unwrap_or_default().to_string())?;
    let mut pagination = json!({"sort_by": sort_by, "sort_order": sort_order});
    if let Some(n) = next {
        pagination["next"] = json!(n);
    }
    ok(json!({"members": page, "pagination": pagination}))
}

pub(crate) fn org_member(st: &mut Store, r: &Req, action: Option<&str>) -> R {
    let org = org_id_checked(st, r)?;
    let mid = r.pp("member_id").to_string();
    let o = st.org_mut(&org).unwrap();
    let i = o.members.iter().position(|m| m["member"]["id"] == mid.as_str()).ok_or_else(|| not_found("member"))?;
    match action {
        None => ok(o.members[i]["member"].clone()),
        Some("update") => {
            let role = r.body["role"].clone();
            if role != "admin"
                && o.members[i]["member"]["role"] == "admin"
                && o.members.iter().filter(|m| m["member"]["role"] == "admin").count() == 1
            {
                return Err(bad("cannot demote the organization's only admin"));
            }
            o.members[i]["member"]["role"] = role;
            ok(o.members[i]["member"].clone())
        }
        _ => {
            if o.members[i]["member"]["user_id"] == OWNER_ID {
                return Err(bad("cannot remove yourself from the organization"));
            }
            o.members.remove(i);
            ok(json!({}))
        }
    }
}

pub(crate) fn get_invitations(st: &Store, r: &Req) -> R {
    let org = org_id_checked(st, r)?;
    ok(json!({"invitations": st.org(&org).unwrap().invitations}))
}

pub(crate) fn create_invitations(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let org = org_id_checked(st, r)?;
    let invites = r.body["invitations"].as_array().cloned().unwrap_or_default();
    let mut created = Vec::new();
    {
        let mut g = rng(inner);
        for inv in invites {
            created.push(json!({
                "id": util::uuid(&mut *g),
                "email": inv["email"],
                "org_id": org,
                "invited_by": OWNER_ID,
                "invited_at": util::now_rfc3339(),
                "role": inv["role"],
            }));
        }
    }
    let o = st.org_mut(&org).unwrap();
    o.invitations.extend(created.iter().cloned());
    ok(json!({"invitations": created}))
}

pub(crate) fn current_user_organizations(st: &Store, r: &Req) -> R {
    let orgs: Vec<Value> = match &r.auth.org_id {
        Some(o) => st.org(o).map(|o| vec![o.render()]).unwrap_or_default(),
        None => st.orgs.iter().map(|o| o.render()).collect(),
    };
    ok(json!({"organizations": orgs}))
}

pub(crate) fn spending_limit(st: &mut Store, r: &Req) -> R {
    let org = org_id_checked(st, r)?;
    let o = st.org_mut(&org).unwrap();
    match r.op.operation_id.as_str() {
        "setOrganizationSpendingLimit" => {
            o.spending_limit_cents = r.body["spending_limit_cents"].as_i64();
            ok(json!({"spending_limit_cents": o.spending_limit_cents}))
        }
        "deleteOrganizationSpendingLimit" => {
            o.spending_limit_cents = None;
            ok(json!({}))
        }
        _ => ok(json!({"spending_limit_cents": o.spending_limit_cents})),
    }
}
