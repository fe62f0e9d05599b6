//! A project's operations: listed newest first with a cursor, and one by id.

use crate::handlers::{bad, not_found, ok, paginate_limit, project, Req, R};
use crate::state::{OpRec, Store};
use serde_json::json;
use std::time::Instant;

pub(crate) fn list_operations(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let t = Instant::now();
    let limit = paginate_limit(r, 10);
    // newest first
    let all: Vec<&OpRec> = p.operations.iter().rev().collect();
    let start = match r.q("cursor").filter(|c| !c.is_empty()) {
        Some(c) => match all.iter().position(|o| o.id == c) {
            Some(i) => i + 1,
            None => return Err(bad(format!("invalid cursor {c:?}"))),
        },
        None => 0,
    };
    let page: Vec<&OpRec> = all.into_iter().skip(start).take(limit).collect();
    let mut out = json!({"operations": page.iter().map(|o| o.render(t)).collect::<Vec<_>>()});
    let cursor = page.last().map(|o| o.id.clone()).or_else(|| r.q("cursor").filter(|c| !c.is_empty()).map(String::from));
    if let Some(c) = cursor {
        out["pagination"] = json!({"cursor": c});
    }
    ok(out)
}

pub(crate) fn get_operation(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let id = r.pp("operation_id");
    let o = p.operations.iter().find(|o| o.id == id).ok_or_else(|| not_found(&format!("operation {id:?}")))?;
    ok(json!({"operation": o.render(Instant::now())}))
}
