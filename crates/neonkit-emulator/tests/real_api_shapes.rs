//! Where the emulator follows what the real Neon API was seen to accept and send
//! (recorded traffic) rather than only what the spec allows: boolean query
//! parameters, `last_used_at: null`, filled `default_endpoint_settings`,
//! `branches[].created_by`, `pagination.next` on the last page and the wording of
//! body-decode 400s. Over real HTTP on 127.0.0.1.

use neonkit_emulator::spec::spec;
use neonkit_emulator::{Emulator, EmulatorConfig, DEV_API_KEY};
use serde_json::{json, Value};
use std::time::Duration;

struct T {
    emu: Emulator,
    http: reqwest::Client,
}

impl T {
    async fn new() -> T {
        let config = EmulatorConfig { operation_duration: Duration::ZERO, ..Default::default() };
        T { emu: Emulator::start(config).await.unwrap(), http: reqwest::Client::new() }
    }
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.emu.base_url(), path)
    }
    async fn req_full(&self, method: &str, path: &str, body: Option<Value>) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut rb = self.http.request(method.parse().unwrap(), self.url(path)).bearer_auth(self.emu.api_key());
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        (status, headers, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
    async fn req(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let (s, _, v) = self.req_full(method, path, body).await;
        (s, v)
    }
    async fn get(&self, path: &str) -> (u16, Value) {
        self.req("GET", path, None).await
    }
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.req("POST", path, Some(body)).await
    }
    async fn project(&self, body: Value) -> Value {
        let (s, v) = self.post("/projects", body).await;
        assert_eq!(s, 201, "{v}");
        v
    }
}

/// The body validates against the success schema of `operation_id`.
fn conforms(operation_id: &str, body: &Value) {
    let s = spec();
    let op = s.op(operation_id).unwrap();
    s.validate(op.success_schema.as_ref().unwrap(), body).unwrap_or_else(|e| panic!("{operation_id}: {e}\n{body}"));
}

#[tokio::test]
async fn boolean_query_parameters_take_any_case_and_1_or_0() {
    let t = T::new().await;
    let v = t.project(json!({"project": {"name": "bools"}})).await;
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    let ep = v["endpoints"][0]["id"].as_str().unwrap().to_string();
    let uri = |pooled: &str| format!("/projects/{pid}/connection_uri?database_name=neondb&role_name=neondb_owner&pooled={pooled}");
    // what Neon's Python client sends (Python's str(True)), and the other accepted forms
    for yes in ["True", "true", "TRUE", "tRuE", "1"] {
        let (s, c) = t.get(&uri(yes)).await;
        assert_eq!(s, 200, "pooled={yes}: {c}");
        assert!(c["uri"].as_str().unwrap().contains(&format!("@{ep}-pooler.")), "pooled={yes}: {c}");
    }
    for no in ["False", "false", "FALSE", "0"] {
        let (s, c) = t.get(&uri(no)).await;
        assert_eq!(s, 200, "pooled={no}: {c}");
        assert!(c["uri"].as_str().unwrap().contains(&format!("@{ep}.")), "pooled={no}: {c}");
    }
    for bad in ["yes", "2", "", "truee", "on"] {
        let (s, e) = t.get(&uri(bad)).await;
        assert_eq!(s, 400, "pooled={bad}: {e}");
        assert!(e["message"].as_str().unwrap().contains("\"pooled\""), "the message names the parameter: {e}");
    }

    // every boolean query parameter parses the same way
    let (s, b) = t.post(&format!("/projects/{pid}/branches"), json!({"branch": {"name": "gone"}})).await;
    assert_eq!(s, 201, "{b}");
    let bid = b["branch"]["id"].as_str().unwrap().to_string();
    assert_eq!(t.req("DELETE", &format!("/projects/{pid}/branches/{bid}"), None).await.0, 200);
    let (s, l) = t.get(&format!("/projects/{pid}/branches?include_deleted=True")).await;
    assert_eq!(s, 200, "{l}");
    assert!(l["branches"].as_array().unwrap().iter().any(|x| x["id"] == bid.as_str()), "{l}");
    let (_, l) = t.get(&format!("/projects/{pid}/branches?include_deleted=0")).await;
    assert!(!l["branches"].as_array().unwrap().iter().any(|x| x["id"] == bid.as_str()), "{l}");
    assert_eq!(t.get(&format!("/projects/{pid}/branches?include_deleted=maybe")).await.0, 400);

    let (s, b) = t.post(&format!("/projects/{pid}/branches"), json!({"branch": {"name": "hard"}})).await;
    assert_eq!(s, 201, "{b}");
    let hard = b["branch"]["id"].as_str().unwrap().to_string();
    assert_eq!(t.req("DELETE", &format!("/projects/{pid}/branches/{hard}?hard_delete=TRUE"), None).await.0, 200);
    let (_, l) = t.get(&format!("/projects/{pid}/branches?include_deleted=1")).await;
    assert!(!l["branches"].as_array().unwrap().iter().any(|x| x["id"] == hard.as_str()), "hard-deleted: {l}");

    let other = t.project(json!({"project": {"name": "deleted"}})).await;
    let other_id = other["project"]["id"].as_str().unwrap().to_string();
    assert_eq!(t.req("DELETE", &format!("/projects/{other_id}"), None).await.0, 200);
    let (s, l) = t.get("/projects?recoverable=True").await;
    assert_eq!(s, 200, "{l}");
    let ids: Vec<&str> = l["projects"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [other_id.as_str()]);
    let (s, e) = t.get("/projects?recoverable=nope").await;
    assert_eq!(s, 400);
    assert!(e["message"].as_str().unwrap().contains("\"recoverable\""), "{e}");
}

#[tokio::test]
async fn api_keys_send_last_used_at_null_until_used() {
    let t = T::new().await;
    let (s, k) = t.post("/api_keys", json!({"key_name": "ci"})).await;
    assert_eq!(s, 200, "{k}");
    let (_, list) = t.get("/api_keys").await;
    conforms("listApiKeys", &list);
    let item = list[0].as_object().unwrap();
    assert!(item.contains_key("last_used_at"), "present, not left out: {list}");
    assert_eq!(item["last_used_at"], Value::Null);

    // once used, a time
    let token = k["key"].as_str().unwrap();
    let r = t.http.get(t.url("/projects")).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let (_, list) = t.get("/api_keys").await;
    conforms("listApiKeys", &list);
    assert!(list[0]["last_used_at"].is_string(), "{list}");

    // the revoke response has the field too
    let (_, unused) = t.post("/api_keys", json!({"key_name": "unused"})).await;
    let (s, r) = t.req("DELETE", &format!("/api_keys/{}", unused["id"]), None).await;
    assert_eq!(s, 200, "{r}");
    conforms("revokeApiKey", &r);
    assert!(r.as_object().unwrap().contains_key("last_used_at"), "{r}");
    assert_eq!(r["last_used_at"], Value::Null);

    // and the organization's keys
    let (_, orgs) = t.get("/users/me/organizations").await;
    let org = orgs["organizations"][0]["id"].as_str().unwrap().to_string();
    let (s, ok) = t.post(&format!("/organizations/{org}/api_keys"), json!({"key_name": "org"})).await;
    assert_eq!(s, 200, "{ok}");
    let (_, list) = t.get(&format!("/organizations/{org}/api_keys")).await;
    conforms("listOrgApiKeys", &list);
    assert!(list[0].as_object().unwrap().contains_key("last_used_at"), "{list}");
    assert_eq!(list[0]["last_used_at"], Value::Null);
}

#[tokio::test]
async fn project_default_endpoint_settings_are_filled_with_the_defaults() {
    let t = T::new().await;
    let defaults = json!({"autoscaling_limit_min_cu": 0.25, "autoscaling_limit_max_cu": 0.25, "suspend_timeout_seconds": 0});
    let v = t.project(json!({"project": {"name": "plain"}})).await;
    conforms("createProject", &v);
    assert_eq!(v["project"]["default_endpoint_settings"], defaults);
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    let (_, g) = t.get(&format!("/projects/{pid}")).await;
    conforms("getProject", &g);
    assert_eq!(g["project"]["default_endpoint_settings"], defaults);
    let (_, l) = t.get("/projects").await;
    conforms("listProjects", &l);
    assert_eq!(l["projects"][0]["default_endpoint_settings"], defaults);
    // a body without a project name or anything else gets them too
    let v = t.project(json!({"project": {}})).await;
    assert_eq!(v["project"]["default_endpoint_settings"], defaults);

    // what a request gives is kept, the defaults fill the rest
    let v = t
        .project(json!({"project": {"default_endpoint_settings": {"suspend_timeout_seconds": 300, "pg_settings": {"work_mem": "8MB"}}}}))
        .await;
    conforms("createProject", &v);
    assert_eq!(
        v["project"]["default_endpoint_settings"],
        json!({"autoscaling_limit_min_cu": 0.25, "autoscaling_limit_max_cu": 0.25, "suspend_timeout_seconds": 300, "pg_settings": {"work_mem": "8MB"}})
    );
    let v = t
        .project(json!({"project": {"default_endpoint_settings": {"autoscaling_limit_min_cu": 0.5, "autoscaling_limit_max_cu": 4}}}))
        .await;
    assert_eq!(
        v["project"]["default_endpoint_settings"],
        json!({"autoscaling_limit_min_cu": 0.5, "autoscaling_limit_max_cu": 4, "suspend_timeout_seconds": 0})
    );
    // a minimum above the default maximum raises the maximum with it
    let v = t.project(json!({"project": {"default_endpoint_settings": {"autoscaling_limit_min_cu": 1}}})).await;
    assert_eq!(
        v["project"]["default_endpoint_settings"],
        json!({"autoscaling_limit_min_cu": 1, "autoscaling_limit_max_cu": 1.0, "suspend_timeout_seconds": 0})
    );
    // the project's first endpoint follows them
    assert_eq!(v["endpoints"][0]["autoscaling_limit_min_cu"], 1.0);
    assert_eq!(v["endpoints"][0]["autoscaling_limit_max_cu"], 1.0);
}

#[tokio::test]
async fn branches_have_created_by() {
    let t = T::new().await;
    let check = |what: &str, b: &Value| {
        let c = b["created_by"].as_object().unwrap_or_else(|| panic!("{what}: no created_by object in {b}"));
        assert!(c["name"].as_str().is_some_and(|n| !n.is_empty()), "{what}: {b}");
        assert!(c["image"].is_string(), "{what}: {b}");
    };
    let v = t.project(json!({"project": {"name": "who"}})).await;
    conforms("createProject", &v);
    check("createProject", &v["branch"]);
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    let (s, b) = t.post(&format!("/projects/{pid}/branches"), json!({"branch": {"name": "dev"}})).await;
    assert_eq!(s, 201, "{b}");
    conforms("createProjectBranch", &b);
    check("createProjectBranch", &b["branch"]);
    let bid = b["branch"]["id"].as_str().unwrap().to_string();
    let (_, g) = t.get(&format!("/projects/{pid}/branches/{bid}")).await;
    conforms("getProjectBranch", &g);
    check("getProjectBranch", &g["branch"]);
    let (_, l) = t.get(&format!("/projects/{pid}/branches")).await;
    conforms("listProjectBranches", &l);
    assert_eq!(l["branches"].as_array().unwrap().len(), 2);
    for b in l["branches"].as_array().unwrap() {
        check("listProjectBranches", b);
    }
}

/// Walks a `pagination.next` listing one item at a time, as a client that stops
/// on an empty page does; returns the ids in order.
async fn walk(t: &T, path: &str, key: &str, id: impl Fn(&Value) -> String, operation_id: &str) -> Vec<String> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut cursor: Option<String> = None;
    let mut ids = Vec::new();
    for _ in 0..20 {
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit=1&cursor={c}"),
            None => format!("{path}{sep}limit=1"),
        };
        let (s, v) = t.get(&url).await;
        assert_eq!(s, 200, "{url}: {v}");
        conforms(operation_id, &v);
        let page = v[key].as_array().unwrap();
        if page.is_empty() {
            assert!(v["pagination"].get("next").is_none(), "no item to point at: {v}");
            return ids;
        }
        // present on every page with items, the last one included: the page's last id
        let next = v["pagination"]["next"].as_str().unwrap_or_else(|| panic!("{url}: no pagination.next in {v}"));
        assert_eq!(next, id(page.last().unwrap()), "{v}");
        assert_ne!(Some(next), cursor.as_deref(), "the cursor moves on");
        ids.extend(page.iter().map(&id));
        cursor = Some(next.to_string());
    }
    panic!("{path}: the walk never reached an empty page");
}

#[tokio::test]
async fn pagination_next_is_present_on_the_last_page() {
    let t = T::new().await;
    let v = t.project(json!({"project": {"name": "pages"}})).await;
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    let bid = v["branch"]["id"].as_str().unwrap().to_string();
    for name in ["b1", "b2"] {
        assert_eq!(t.post(&format!("/projects/{pid}/branches"), json!({"branch": {"name": name}})).await.0, 201);
    }

    // branches: the last page (the one item "main") has next; passed back, an empty page
    let path = format!("/projects/{pid}/branches?sort_by=name&sort_order=asc");
    let ids = walk(&t, &path, "branches", |b| b["id"].as_str().unwrap().to_string(), "listProjectBranches").await;
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[2], bid);
    let (_, all) = t.get(&path).await;
    assert_eq!(all["branches"].as_array().unwrap().len(), 3);
    assert_eq!(all["pagination"]["next"], bid.as_str(), "one page holding everything is the last page too: {all}");
    let (_, after) = t.get(&format!("{path}&cursor={bid}")).await;
    assert_eq!(after["branches"], json!([]));
    assert_eq!(after["pagination"]["sort_by"], "name");

    // organization members
    let org = v["project"]["org_id"].as_str().unwrap().to_string();
    let member_id = |m: &Value| m["member"]["id"].as_str().unwrap().to_string();
    let ids = walk(&t, &format!("/organizations/{org}/members"), "members", member_id, "getOrganizationMembers").await;
    assert_eq!(ids.len(), 2);

    // functions
    let base = format!("/projects/{pid}/branches/{bid}/functions");
    for slug in ["alpha", "beta"] {
        let form = reqwest::multipart::Form::new()
            .text("runtime", "nodejs24")
            .part("zip", reqwest::multipart::Part::bytes(b"PK".to_vec()).file_name("f.zip"));
        let r = t.http.post(t.url(&format!("{base}/{slug}/deployments"))).bearer_auth(DEV_API_KEY).multipart(form).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 201);
    }
    let slug = |f: &Value| f["slug"].as_str().unwrap().to_string();
    let ids = walk(&t, &base, "functions", slug, "listProjectBranchFunctions").await;
    assert_eq!(ids, ["alpha", "beta"]);
}

#[tokio::test]
async fn body_decode_errors_use_the_real_api_wording() {
    let t = T::new().await;
    // the real API's answer to createProject with `{}`
    let (s, h, e) = t.req_full("POST", "/projects", Some(json!({}))).await;
    assert_eq!(s, 400);
    assert_eq!(
        e,
        json!({
            "code": "",
            "message": "invalid request: decode application/json: invalid: project (field required)",
            "request_id": h["x-neon-ret-request-id"].to_str().unwrap(),
        })
    );

    // other bodies' missing top-level fields
    let v = t.project(json!({"project": {"name": "decode"}})).await;
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    let bid = v["branch"]["id"].as_str().unwrap().to_string();
    let missing = [
        (format!("/projects/{pid}/branches/{bid}/databases"), "database"),
        (format!("/projects/{pid}/branches/{bid}/roles"), "role"),
        (format!("/projects/{pid}/endpoints"), "endpoint"),
        ("/api_keys".to_string(), "key_name"),
    ];
    for (path, field) in missing {
        let (s, e) = t.post(&path, json!({"unrelated": 1})).await;
        assert_eq!(s, 400, "{path}: {e}");
        assert_eq!(e["code"], "");
        assert_eq!(e["message"], format!("invalid request: decode application/json: invalid: {field} (field required)"), "{path}");
    }

    // other decode errors keep the same start
    let prefix = "invalid request: decode application/json: ";
    let (s, e) = t.post("/projects", json!({"project": {"name": 42}})).await;
    assert_eq!(s, 400);
    let m = e["message"].as_str().unwrap();
    assert!(m.starts_with(prefix) && m.contains("name"), "{e}");
    let raw = t
        .http
        .post(t.url("/projects"))
        .bearer_auth(DEV_API_KEY)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 400);
    let e: Value = raw.json().await.unwrap();
    assert!(e["message"].as_str().unwrap().starts_with(prefix), "{e}");
    let (s, e) = t.post("/projects", json!(["project"])).await;
    assert_eq!(s, 400);
    assert!(e["message"].as_str().unwrap().starts_with(prefix), "{e}");
    // a missing field further down is a decode error too, in the same form
    let (s, e) = t.post(&format!("/projects/{pid}/branches/{bid}/databases"), json!({"database": {"name": "x"}})).await;
    assert_eq!(s, 400);
    let m = e["message"].as_str().unwrap();
    assert!(m.starts_with(prefix) && m.contains("owner_name"), "{e}");
}
