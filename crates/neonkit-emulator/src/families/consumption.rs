//! Consumption history per project and per branch.

use crate::families::generic::collect_props;
use crate::handlers::{not_found, ok, paginate_limit, rng, Req, R};
use crate::server::Inner;
use crate::spec;
use crate::state::{Project, Store};
use crate::util;
use serde_json::{json, Value};

/// Consumption: one period per project (or branch) of the requested range, with
/// zero usage in one timeframe; cursor pagination over project ids.
pub(crate) fn consumption(inner: &Inner, st: &Store, r: &Req) -> R {
    let s = spec::spec();
    let op = r.op;
    let schema = op.success_schema.as_ref().unwrap();
    let per_branch = op.operation_id == "getConsumptionHistoryPerBranchV2";
    let org = r.auth.org_id.clone().or_else(|| r.q("org_id").map(String::from));
    if let Some(o) = &org {
        if st.org(o).is_none() {
            return Err(not_found(&format!("organization {o:?}")));
        }
    }
    let wanted: Vec<String> = r
        .query
        .iter()
        .filter(|(k, _)| k == "project_ids")
        .flat_map(|(_, v)| v.split(',').map(String::from).collect::<Vec<_>>())
        .filter(|x| !x.is_empty())
        .collect();
    let branch_ids: Vec<String> = r
        .query
        .iter()
        .filter(|(k, _)| k == "branch_ids")
        .flat_map(|(_, v)| v.split(',').map(String::from).collect::<Vec<_>>())
        .filter(|x| !x.is_empty())
        .collect();
    let projects: Vec<&Project> = st
        .projects_in_order()
        .into_iter()
        .filter(|p| p.deleted_at.is_none())
        .filter(|p| org.as_ref().map(|o| *o == p.org_id).unwrap_or(true))
        .filter(|p| r.auth.project_id.as_ref().map(|x| *x == p.id).unwrap_or(true))
        .filter(|p| wanted.is_empty() || wanted.contains(&p.id))
        .collect();
    let start = match r.q("cursor").filter(|c| !c.is_empty()) {
        Some(c) => projects.iter().position(|p| p.id == c).map(|i| i + 1).unwrap_or(projects.len()),
        None => 0,
    };
    let limit = paginate_limit(r, 10);
    let page: Vec<&Project> = projects.into_iter().skip(start).take(limit).collect();
    let key = if per_branch { "branches" } else { "projects" };
    let props = collect_props(s, schema);
    let item_schema = s.deref(props.get(key).unwrap())["items"].clone();
    let period_schema = s.deref(&collect_props(s, &item_schema)["periods"])["items"].clone();
    let tf_schema = s.deref(&collect_props(s, &period_schema)["consumption"])["items"].clone();
    let from = r.q("from").unwrap_or("2025-01-01T00:00:00Z").to_string();
    let to = r.q("to").unwrap_or("2025-01-02T00:00:00Z").to_string();
    let period_id = util::uuid(&mut *rng(inner));
    let period = || {
        let mut tf = s.synth(&tf_schema, None, 100);
        tf["timeframe_start"] = json!(from);
        tf["timeframe_end"] = json!(to);
        if collect_props(s, &tf_schema).contains_key("metrics") {
            let metrics: Vec<Value> = r
                .query
                .iter()
                .filter(|(k, _)| k == "metrics")
                .flat_map(|(_, v)| v.split(',').map(String::from).collect::<Vec<_>>())
                .filter(|m| !m.is_empty())
                .map(|m| json!({"metric_name": m, "value": 0}))
                .collect();
            tf["metrics"] = json!(metrics);
        }
        let mut p = s.synth(&period_schema, None, 100);
        p["period_id"] = json!(period_id);
        p["period_plan"] = json!("launch");
        p["period_start"] = json!(from);
        p["consumption"] = json!([tf]);
        p
    };
    let mut items = Vec::new();
    for p in &page {
        if per_branch {
            for b in p.branches.iter().filter(|b| b.deleted_at.is_none()) {
                if !branch_ids.is_empty() && !branch_ids.contains(&b.id) {
                    continue;
                }
                items.push(json!({"project_id": p.id, "branch_id": b.id, "periods": [period()]}));
            }
        } else {
            items.push(json!({"project_id": p.id, "periods": [period()]}));
        }
    }
    let mut out = json!({ key: items });
    if let Some(last) = page.last() {
        out["pagination"] = json!({"cursor": last.id});
    }
    if s.validate(schema, &out).is_err() {
        out = s.synth_success(op).unwrap_or_else(|| json!({}));
    }
    ok(out)
}
