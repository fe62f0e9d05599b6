//! Functions per branch: list (`pagination.next`), get, update, delete, and deployments
//! (multipart bodies).

use crate::handlers::{branch_scope, next_page, not_found, ok, rng, s, Reply, Req, R};
use crate::server::Inner;
use crate::state::Store;
use crate::util;
use serde_json::{json, Value};

pub(crate) fn functions(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let key = branch_scope(st, r, "functions")?;
    let slug = r.pp("slug").to_string();
    let coll = st.collections.entry(key).or_default();
    match r.op.operation_id.as_str() {
        "listProjectBranchFunctions" => {
            let all: Vec<&Value> = coll.values().collect();
            let (page, next) = next_page(r, &all, |f| s(f, "slug").unwrap_or_default().to_string())?;
            let mut pagination = json!({});
            if let Some(n) = next {
                pagination["next"] = json!(n);
            }
            ok(json!({"functions": page, "pagination": pagination}))
        }
        "createProjectBranchFunctionDeployment" => {
            let now = util::now_rfc3339();
            let f = coll.entry(slug.clone()).or_insert_with(|| {
                json!({
                    "id": util::uuid(&mut *rng(inner)),
                    "slug": slug,
                    "name": slug,
                    "invocation_url": format!("https://{}-{}.functions.neon.tech", slug, r.pp("branch_id")),
                    "created_at": now,
                })
            });
            let next = f["current_deployment"]["id"].as_i64().unwrap_or(0) + 1;
            let runtime = multipart_field(&r.raw_body, "runtime").unwrap_or_else(|| "nodejs24".to_string());
            let dep =
                json!({"id": next, "status": "completed", "memory_mib": 256, "runtime": runtime, "created_at": now, "environment": []});
            f["current_deployment"] = dep.clone();
            f["active_deployment"] = dep.clone();
            Ok(Reply::Json(None, json!({"deployment": dep})))
        }
        op => {
            let Some(f) = coll.get_mut(&slug) else {
                return Err(not_found(&format!("function {slug:?}")));
            };
            match op {
                "getProjectBranchFunction" => ok(json!({"function": f})),
                "updateProjectBranchFunction" => {
                    if let Some(n) = s(&r.body, "name") {
                        f["name"] = json!(n);
                    }
                    ok(json!({"function": f}))
                }
                _ => {
                    coll.remove(&slug);
                    Ok(Reply::Empty(None))
                }
            }
        }
    }
}

/// A text field of a multipart/form-data body (enough for `runtime`).
pub(crate) fn multipart_field(body: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let marker = format!("name=\"{name}\"");
    let at = text.find(&marker)?;
    let rest = &text[at + marker.len()..];
    let start = rest.find("\r\n\r\n")? + 4;
    let end = rest[start..].find("\r\n")?;
    Some(rest[start..start + end].to_string())
}
