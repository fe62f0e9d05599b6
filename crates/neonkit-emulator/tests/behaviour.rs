//! One test per behaviour of the emulator, over real HTTP on 127.0.0.1.

use neonkit_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, FaultRates, DEV_API_KEY};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

struct T {
    emu: Emulator,
    http: reqwest::Client,
}

impl T {
    async fn new(config: EmulatorConfig) -> T {
        T { emu: Emulator::start(config).await.unwrap(), http: reqwest::Client::new() }
    }
    async fn default() -> T {
        T::new(EmulatorConfig::default()).await
    }
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.emu.base_url(), path)
    }
    fn admin(&self, path: &str) -> String {
        format!("{}{}", self.emu.base_url().trim_end_matches("/api/v2"), path)
    }
    async fn req_with(&self, key: Option<&str>, method: &str, path: &str, body: Option<Value>) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut rb = self.http.request(method.parse().unwrap(), self.url(path));
        if let Some(k) = key {
            rb = rb.bearer_auth(k);
        }
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
        let (s, _, v) = self.req_with(Some(self.emu.api_key()), method, path, body).await;
        (s, v)
    }
    async fn get(&self, path: &str) -> (u16, Value) {
        self.req("GET", path, None).await
    }
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.req("POST", path, Some(body)).await
    }
    async fn project(&self, name: &str) -> Value {
        let (s, v) = self.post("/projects", json!({"project": {"name": name}})).await;
        assert_eq!(s, 201, "{v}");
        v
    }
    async fn wait_ops(&self, pid: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let (_, v) = self.get(&format!("/projects/{pid}/operations?limit=1000")).await;
            let done = v["operations"].as_array().unwrap().iter().all(|o| o["status"] == "finished");
            if done {
                return;
            }
            assert!(Instant::now() < deadline, "operations never finished");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

fn zero_ops() -> EmulatorConfig {
    EmulatorConfig { operation_duration: Duration::ZERO, ..Default::default() }
}

#[tokio::test]
async fn auth_requires_a_known_bearer_key() {
    let t = T::default().await;
    assert_eq!(t.emu.api_key(), DEV_API_KEY);
    let (s, h, v) = t.req_with(None, "GET", "/projects", None).await;
    assert_eq!(s, 401);
    assert!(!v["message"].as_str().unwrap().is_empty());
    assert!(h.contains_key("x-neon-ret-request-id"));
    let (s, _, _) = t.req_with(Some("wrong"), "GET", "/projects", None).await;
    assert_eq!(s, 401);
    let (s, _, _) = t.req_with(Some(DEV_API_KEY), "GET", "/projects", None).await;
    assert_eq!(s, 200);

    // a configured key replaces the dev key
    let t2 = T::new(EmulatorConfig { api_key: Some("secret-1".into()), ..Default::default() }).await;
    assert_eq!(t2.emu.api_key(), "secret-1");
    assert_eq!(t2.req_with(Some(DEV_API_KEY), "GET", "/projects", None).await.0, 401);
    assert_eq!(t2.req_with(Some("secret-1"), "GET", "/projects", None).await.0, 200);

    // keys created through the API work; revoked ones stop working
    let (s, k) = t.post("/api_keys", json!({"key_name": "ci"})).await;
    assert_eq!(s, 200);
    let token = k["key"].as_str().unwrap().to_string();
    assert!(token.starts_with("napi_"));
    assert_eq!(t.req_with(Some(&token), "GET", "/projects", None).await.0, 200);
    let (_, list) = t.get("/api_keys").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0].get("key").is_none(), "the token is shown once only");
    let (s, r) = t.req("DELETE", &format!("/api_keys/{}", k["id"]), None).await;
    assert_eq!(s, 200);
    assert_eq!(r["revoked"], true);
    assert_eq!(t.req_with(Some(&token), "GET", "/projects", None).await.0, 401);
}

#[tokio::test]
async fn project_creation_makes_neon_defaults() {
    let t = T::default().await;
    let v = t.project("demo").await;
    let pid = v["project"]["id"].as_str().unwrap();
    let parts: Vec<&str> = pid.split('-').collect();
    assert_eq!(parts.len(), 3, "{pid}");
    assert_eq!(parts[2].len(), 8);
    assert!(parts[2].chars().all(|c| c.is_ascii_digit()));
    assert_eq!(v["project"]["name"], "demo");
    assert!(v["project"]["org_id"].as_str().unwrap().starts_with("org-"));
    let b = &v["branch"];
    assert!(b["id"].as_str().unwrap().starts_with("br-"));
    assert_eq!(b["name"], "main");
    assert_eq!(b["default"], true);
    let ep = &v["endpoints"][0];
    let ep_id = ep["id"].as_str().unwrap();
    assert!(ep_id.starts_with("ep-"));
    assert_eq!(ep["type"], "read_write");
    assert_eq!(v["databases"][0]["name"], "neondb");
    assert_eq!(v["databases"][0]["owner_name"], "neondb_owner");
    assert_eq!(v["roles"][0]["name"], "neondb_owner");
    let password = v["roles"][0]["password"].as_str().unwrap();
    assert!(password.starts_with("npg_"));
    let uri = v["connection_uris"][0]["connection_uri"].as_str().unwrap();
    assert_eq!(uri, format!("postgresql://neondb_owner:{password}@{ep_id}.us-east-2.aws.neon.tech/neondb?sslmode=require"));
    assert_eq!(v["connection_uris"][0]["connection_parameters"]["pooler_host"], format!("{ep_id}-pooler.us-east-2.aws.neon.tech"));
    let actions: Vec<&str> = v["operations"].as_array().unwrap().iter().map(|o| o["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create_timeline", "start_compute"]);
    for o in v["operations"].as_array().unwrap() {
        uuid::Uuid::parse_str(o["id"].as_str().unwrap()).unwrap();
    }

    t.wait_ops(pid).await;
    let (s, c) = t.get(&format!("/projects/{pid}/connection_uri?database_name=neondb&role_name=neondb_owner&pooled=true")).await;
    assert_eq!(s, 200);
    assert_eq!(c["uri"], format!("postgresql://neondb_owner:{password}@{ep_id}-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require"));
    let (_, g) = t.get(&format!("/projects/{pid}")).await;
    assert_eq!(g["project"]["id"], pid);
    let (_, pw) = t.get(&format!("/projects/{pid}/branches/{}/roles/neondb_owner/reveal_password", b["id"].as_str().unwrap())).await;
    assert_eq!(pw["password"], password);
}

#[tokio::test]
async fn operations_move_from_scheduling_to_finished() {
    let t = T::new(EmulatorConfig { operation_duration: Duration::from_millis(800), ..Default::default() }).await;
    let v = t.project("ops").await;
    let pid = v["project"]["id"].as_str().unwrap();
    let op_id = v["operations"][0]["id"].as_str().unwrap();
    assert_eq!(v["operations"][0]["status"], "scheduling");
    assert_eq!(v["branch"]["current_state"], "init");
    assert_eq!(v["endpoints"][0]["current_state"], "init");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, o) = t.get(&format!("/projects/{pid}/operations/{op_id}")).await;
    assert_eq!(o["operation"]["status"], "running");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (_, o) = t.get(&format!("/projects/{pid}/operations/{op_id}")).await;
    assert_eq!(o["operation"]["status"], "finished");
    let (_, b) = t.get(&format!("/projects/{pid}/branches/{}", v["branch"]["id"].as_str().unwrap())).await;
    assert_eq!(b["branch"]["current_state"], "ready");
    let (_, e) = t.get(&format!("/projects/{pid}/endpoints/{}", v["endpoints"][0]["id"].as_str().unwrap())).await;
    assert_eq!(e["endpoint"]["current_state"], "active");

    // zero duration: finished immediately
    let t0 = T::new(zero_ops()).await;
    let v = t0.project("fast").await;
    assert!(v["operations"].as_array().unwrap().iter().all(|o| o["status"] == "finished"));
}

#[tokio::test]
async fn endpoint_start_suspend_restart_change_state() {
    let t = T::new(EmulatorConfig { operation_duration: Duration::from_millis(50), ..Default::default() }).await;
    let v = t.project("eps").await;
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    let ep = v["endpoints"][0]["id"].as_str().unwrap().to_string();
    t.wait_ops(&pid).await;
    let (s, r) = t.post(&format!("/projects/{pid}/endpoints/{ep}/suspend"), json!({})).await;
    assert_eq!(s, 200);
    assert_eq!(r["operations"][0]["action"], "suspend_compute");
    t.wait_ops(&pid).await;
    let (_, e) = t.get(&format!("/projects/{pid}/endpoints/{ep}")).await;
    assert_eq!(e["endpoint"]["current_state"], "idle");
    let (s, r) = t.post(&format!("/projects/{pid}/endpoints/{ep}/start"), json!({})).await;
    assert_eq!(s, 200);
    assert_eq!(r["endpoint"]["pending_state"], "active");
    t.wait_ops(&pid).await;
    let (_, e) = t.get(&format!("/projects/{pid}/endpoints/{ep}")).await;
    assert_eq!(e["endpoint"]["current_state"], "active");
    let (s, r) = t.post(&format!("/projects/{pid}/endpoints/{ep}/restart"), json!({})).await;
    assert_eq!(s, 200);
    assert_eq!(r["operations"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn locked_while_a_conflicting_operation_runs() {
    let t = T::new(EmulatorConfig { operation_duration: Duration::from_millis(1500), ..Default::default() }).await;
    let v = t.project("locked").await;
    let pid = v["project"]["id"].as_str().unwrap();
    let (s, h, e) =
        t.req_with(Some(DEV_API_KEY), "POST", &format!("/projects/{pid}/branches"), Some(json!({"branch": {"name": "dev"}}))).await;
    assert_eq!(s, 423);
    assert_eq!(e["message"], "project already has running conflicting operations, scheduling of new ones is prohibited");
    assert_eq!(e["request_id"].as_str().unwrap(), h["x-neon-ret-request-id"].to_str().unwrap());
    // reads are never locked
    assert_eq!(t.get(&format!("/projects/{pid}")).await.0, 200);
    t.wait_ops(pid).await;
    let (s, _) = t.post(&format!("/projects/{pid}/branches"), json!({"branch": {"name": "dev"}})).await;
    assert_eq!(s, 201);

    // locking off
    let t2 = T::new(EmulatorConfig { operation_duration: Duration::from_secs(5), locking: false, ..Default::default() }).await;
    let v = t2.project("unlocked").await;
    let pid = v["project"]["id"].as_str().unwrap();
    assert_eq!(t2.post(&format!("/projects/{pid}/branches"), json!({})).await.0, 201);
}

#[tokio::test]
async fn conflicts_not_found_and_bad_requests() {
    let t = T::new(zero_ops()).await;
    let v = t.project("errs").await;
    let pid = v["project"]["id"].as_str().unwrap();
    let bid = v["branch"]["id"].as_str().unwrap();
    // 409 on duplicate names
    assert_eq!(t.post(&format!("/projects/{pid}/branches"), json!({"branch": {"name": "main"}})).await.0, 409);
    assert_eq!(
        t.post(&format!("/projects/{pid}/branches/{bid}/databases"), json!({"database": {"name": "neondb", "owner_name": "neondb_owner"}}))
            .await
            .0,
        409
    );
    assert_eq!(t.post(&format!("/projects/{pid}/branches/{bid}/roles"), json!({"role": {"name": "neondb_owner"}})).await.0, 409);
    // 404 on unknown ids
    assert_eq!(t.get("/projects/no-such-project-00000000").await.0, 404);
    assert_eq!(t.get(&format!("/projects/{pid}/branches/br-nope-00000000")).await.0, 404);
    assert_eq!(t.get(&format!("/projects/{pid}/endpoints/ep-nope-00000000")).await.0, 404);
    assert_eq!(t.get(&format!("/projects/{pid}/branches/{bid}/databases/nope")).await.0, 404);
    assert_eq!(t.get(&format!("/projects/{pid}/branches/{bid}/roles/nope")).await.0, 404);
    assert_eq!(t.get(&format!("/projects/{pid}/operations/00000000-0000-4000-8000-000000000000")).await.0, 404);
    // 400 on invalid bodies and parameters
    let (s, e) = t.post("/projects", json!({"project": {"name": 42}})).await;
    assert_eq!(s, 400);
    assert!(e["message"].as_str().unwrap().contains("name"), "{e}");
    let (s, _, _) = t.req_with(Some(DEV_API_KEY), "POST", &format!("/projects/{pid}/branches/{bid}/roles"), None).await;
    assert_eq!(s, 400);
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
    assert_eq!(t.post(&format!("/projects/{pid}/endpoints"), json!({"endpoint": {"branch_id": bid, "type": "sideways"}})).await.0, 400);
    assert_eq!(t.get("/projects?limit=0").await.0, 400);
    assert_eq!(t.get("/projects?limit=401").await.0, 400);
    assert_eq!(t.get("/projects?limit=abc").await.0, 400);
    assert_eq!(t.get(&format!("/projects/{pid}/operations?limit=1001")).await.0, 400);
    // unknown routes are Neon-style 404s too
    let (s, h, e) = t.req_with(Some(DEV_API_KEY), "GET", "/nope", None).await;
    assert_eq!(s, 404);
    assert!(e.get("message").is_some() && h.contains_key("x-neon-ret-request-id"));
    // the default branch cannot be deleted
    assert_eq!(t.req("DELETE", &format!("/projects/{pid}/branches/{bid}"), None).await.0, 400);
}

#[tokio::test]
async fn every_response_has_a_request_id_and_errors_have_neon_bodies() {
    let t = T::default().await;
    let (s, h, _) = t.req_with(Some(DEV_API_KEY), "GET", "/regions", None).await;
    assert_eq!(s, 200);
    assert!(!h["x-neon-ret-request-id"].to_str().unwrap().is_empty());
    assert_eq!(h["content-type"], "application/json");
    let (s, h, e) = t.req_with(Some(DEV_API_KEY), "GET", "/projects/missing-project-1", None).await;
    assert_eq!(s, 404);
    let obj = e.as_object().unwrap();
    assert!(obj["code"].is_string() && obj["message"].is_string() && obj["request_id"].is_string());
    assert_eq!(obj["request_id"].as_str().unwrap(), h["x-neon-ret-request-id"].to_str().unwrap());
    // a client-sent X-Request-ID is echoed
    let r = t.http.get(t.url("/projects")).bearer_auth(DEV_API_KEY).header("x-request-id", "my-req-1").send().await.unwrap();
    assert_eq!(r.headers()["x-neon-ret-request-id"], "my-req-1");
}

#[tokio::test]
async fn projects_pagination_cursor_shape() {
    let t = T::new(zero_ops()).await;
    let mut ids = Vec::new();
    for i in 0..25 {
        ids.push(t.project(&format!("p{i}")).await["project"]["id"].as_str().unwrap().to_string());
    }
    // default limit 10
    let (_, v) = t.get("/projects").await;
    assert_eq!(v["projects"].as_array().unwrap().len(), 10);
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/projects?limit=7&cursor={c}"),
            None => "/projects?limit=7".to_string(),
        };
        let (s, v) = t.get(&path).await;
        assert_eq!(s, 200);
        let page = v["projects"].as_array().unwrap();
        // the cursor is present even on the last page, and is the last item's id
        let c = v["pagination"]["cursor"].as_str().expect("cursor present").to_string();
        if let Some(last) = page.last() {
            assert_eq!(last["id"], c.as_str());
        }
        seen.extend(page.iter().map(|p| p["id"].as_str().unwrap().to_string()));
        if page.len() < 7 {
            break;
        }
        cursor = Some(c);
    }
    assert_eq!(seen, ids);
    let (_, v) = t.get("/projects?limit=400").await;
    assert_eq!(v["projects"].as_array().unwrap().len(), 25);
    let (_, v) = t.get("/projects?search=p2").await;
    assert!(v["projects"].as_array().unwrap().iter().all(|p| p["name"].as_str().unwrap().contains("p2")));
}

#[tokio::test]
async fn branches_pagination_next_and_sorting() {
    let t = T::new(zero_ops()).await;
    let v = t.project("branches").await;
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    for name in ["delta", "alpha", "charlie", "bravo"] {
        assert_eq!(t.post(&format!("/projects/{pid}/branches"), json!({"branch": {"name": name}})).await.0, 201);
    }
    let (_, v) = t.get(&format!("/projects/{pid}/branches?sort_by=name&sort_order=asc&limit=2")).await;
    let names: Vec<&str> = v["branches"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["alpha", "bravo"]);
    assert_eq!(v["pagination"]["sort_by"], "name");
    assert_eq!(v["pagination"]["sort_order"], "asc");
    let next = v["pagination"]["next"].as_str().unwrap().to_string();
    let (_, v) = t.get(&format!("/projects/{pid}/branches?sort_by=name&sort_order=asc&limit=2&cursor={next}")).await;
    let names: Vec<&str> = v["branches"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["charlie", "delta"]);
    let next = v["pagination"]["next"].as_str().unwrap().to_string();
    let (_, v) = t.get(&format!("/projects/{pid}/branches?sort_by=name&sort_order=asc&limit=2&cursor={next}")).await;
    let names: Vec<&str> = v["branches"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["main"]);
    // as the real API: next on the last page too, and passed back it gives an empty page
    let next = v["pagination"]["next"].as_str().expect("next on the last page").to_string();
    let (_, v) = t.get(&format!("/projects/{pid}/branches?sort_by=name&sort_order=asc&limit=2&cursor={next}")).await;
    assert_eq!(v["branches"], json!([]));
    assert!(v["pagination"].get("next").is_none(), "no next on an empty page");
    // default: updated_at desc, all of them
    let (_, v) = t.get(&format!("/projects/{pid}/branches")).await;
    assert_eq!(v["branches"].as_array().unwrap().len(), 5);
    assert_eq!(v["pagination"]["sort_order"], "desc");
    assert_eq!(t.get(&format!("/projects/{pid}/branches?sort_by=size")).await.0, 400);
    let (_, c) = t.get(&format!("/projects/{pid}/branches/count")).await;
    assert_eq!(c["count"], 5);
}

#[tokio::test]
async fn operations_pagination_cursor() {
    let t = T::new(zero_ops()).await;
    let v = t.project("opspage").await;
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    for i in 0..5 {
        t.post(&format!("/projects/{pid}/branches"), json!({"branch": {"name": format!("b{i}")}})).await;
    }
    // 2 ops from creation + 5 branch ops
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let q = if cursor.is_empty() { "?limit=3".to_string() } else { format!("?limit=3&cursor={cursor}") };
        let (s, v) = t.get(&format!("/projects/{pid}/operations{q}")).await;
        assert_eq!(s, 200);
        let page = v["operations"].as_array().unwrap().clone();
        cursor = v["pagination"]["cursor"].as_str().unwrap().to_string();
        all.extend(page.iter().map(|o| o["id"].as_str().unwrap().to_string()));
        if page.len() < 3 {
            break;
        }
    }
    assert_eq!(all.len(), 7);
    let mut dedup = all.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), 7);
    assert_eq!(t.get(&format!("/projects/{pid}/operations?limit=1000")).await.0, 200);
}

#[tokio::test]
async fn status_faults_are_aimed_and_counted() {
    let t = T::new(zero_ops()).await;
    t.emu.add_fault(Fault {
        operation_id: Some("listProjects".into()),
        kind: FaultKind::Status { status: 429, retry_after: Some("2".into()) },
        times: Some(2),
    });
    for _ in 0..2 {
        let (s, h, e) = t.req_with(Some(DEV_API_KEY), "GET", "/projects", None).await;
        assert_eq!(s, 429);
        assert_eq!(h["retry-after"], "2");
        assert!(e["message"].is_string());
    }
    assert_eq!(t.get("/projects").await.0, 200);
    assert_eq!(t.emu.request_count("listProjects"), 3);
    // other routes untouched
    assert_eq!(t.get("/regions").await.0, 200);
    t.emu.add_fault(Fault { operation_id: None, kind: FaultKind::Status { status: 423, retry_after: None }, times: None });
    let (s, e) = t.get("/regions").await;
    assert_eq!(s, 423);
    assert_eq!(e["message"], "project already has running conflicting operations, scheduling of new ones is prohibited");
    assert_eq!(t.get("/users/me").await.0, 423);
    t.emu.clear_faults();
    assert_eq!(t.get("/users/me").await.0, 200);
    for status in [500, 503] {
        t.emu.add_fault(Fault {
            operation_id: Some("getActiveRegions".into()),
            kind: FaultKind::Status { status, retry_after: None },
            times: Some(1),
        });
        assert_eq!(t.get("/regions").await.0, status);
    }
}

#[tokio::test]
async fn drop_connection_fault_is_a_connection_error() {
    let t = T::default().await;
    t.emu.add_fault(Fault { operation_id: Some("getActiveRegions".into()), kind: FaultKind::DropConnection, times: Some(1) });
    let r = t.http.get(t.url("/regions")).bearer_auth(DEV_API_KEY).send().await;
    let e = r.expect_err("a dropped connection is not an HTTP response");
    assert!(!e.is_status());
    assert_eq!(t.get("/regions").await.0, 200);
    assert_eq!(t.emu.request_count("getActiveRegions"), 2);
}

#[tokio::test]
async fn truncate_body_fault_cuts_the_body() {
    let t = T::default().await;
    t.emu.add_fault(Fault { operation_id: Some("getActiveRegions".into()), kind: FaultKind::TruncateBody, times: Some(1) });
    let r = t.http.get(t.url("/regions")).bearer_auth(DEV_API_KEY).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let len = r.content_length().unwrap();
    assert!(len > 10);
    assert!(r.bytes().await.is_err(), "the body must end early");
    let (s, v) = t.get("/regions").await;
    assert_eq!(s, 200);
    assert!(v["regions"].is_array());
}

#[tokio::test]
async fn latency_fault_and_configured_latency() {
    let t = T::default().await;
    t.emu.add_fault(Fault { operation_id: Some("getActiveRegions".into()), kind: FaultKind::Latency { ms: 600 }, times: Some(1) });
    let start = Instant::now();
    assert_eq!(t.get("/regions").await.0, 200);
    assert!(start.elapsed() >= Duration::from_millis(600));
    // applied once only
    let start = Instant::now();
    assert_eq!(t.get("/regions").await.0, 200);
    assert!(start.elapsed() < Duration::from_millis(600), "the one-shot latency fault was applied again");

    let t2 = T::new(EmulatorConfig { latency: Duration::from_millis(100), ..Default::default() }).await;
    let start = Instant::now();
    assert_eq!(t2.get("/regions").await.0, 200);
    assert!(start.elapsed() >= Duration::from_millis(100));
}

#[tokio::test]
async fn fail_operation_fault_fails_the_created_operations() {
    let t = T::new(EmulatorConfig { operation_duration: Duration::from_millis(30), ..Default::default() }).await;
    let v = t.project("failing").await;
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    t.wait_ops(&pid).await;
    t.emu.add_fault(Fault {
        operation_id: Some("createProjectBranch".into()),
        kind: FaultKind::FailOperation { error: Some("disk on fire".into()) },
        times: Some(1),
    });
    let (s, b) = t.post(&format!("/projects/{pid}/branches"), json!({"branch": {"name": "doomed"}})).await;
    assert_eq!(s, 201);
    let op = b["operations"][0]["id"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(60)).await;
    let (_, o) = t.get(&format!("/projects/{pid}/operations/{op}")).await;
    assert_eq!(o["operation"]["status"], "failed");
    assert_eq!(o["operation"]["error"], "disk on fire");
}

#[tokio::test]
async fn merge_body_fault_patches_a_handled_answer() {
    let t = T::new(zero_ops()).await;
    let v = t.project("merged").await;
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    let ep = v["endpoints"][0]["id"].as_str().unwrap().to_string();
    let (_, before) = t.get(&format!("/projects/{pid}/endpoints/{ep}")).await;
    // Through the admin API, in its JSON form: replace a value, delete a key, add one.
    let r = t
        .http
        .post(t.admin("/_emulator/faults"))
        .json(&json!({"operation_id": "getProjectEndpoint", "kind": "merge_body", "times": 1, "body": {
            "endpoint": {"current_state": "hibernating", "proxy_host": null, "settings": {"extra_knob": [1, 2]}},
            "added_top_level": true
        }}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let resp = t.http.get(t.url(&format!("/projects/{pid}/endpoints/{ep}"))).bearer_auth(DEV_API_KEY).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let declared = resp.content_length().expect("a Content-Length");
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(declared as usize, bytes.len(), "Content-Length matches the patched body");
    let after: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(after["endpoint"]["current_state"], "hibernating");
    assert!(after["endpoint"].get("proxy_host").is_none(), "null deletes the key: {after}");
    assert_eq!(after["endpoint"]["settings"]["extra_knob"], json!([1, 2]));
    assert_eq!(after["added_top_level"], true);
    // what the patch does not name is the handled answer's
    assert_eq!(after["endpoint"]["id"], before["endpoint"]["id"]);
    assert_eq!(after["endpoint"]["type"], before["endpoint"]["type"]);
    assert_eq!(after["endpoint"]["branch_id"], before["endpoint"]["branch_id"]);
    // times: 1, and the state itself was never changed
    assert_eq!(t.get(&format!("/projects/{pid}/endpoints/{ep}")).await.1, before);
    assert_eq!(t.emu.request_count("getProjectEndpoint"), 3);

    // An error answer is left alone (the fault is still consumed by the request).
    t.emu.add_fault(Fault {
        operation_id: Some("getProjectEndpoint".into()),
        kind: FaultKind::MergeBody { body: json!({"code": "patched"}) },
        times: Some(1),
    });
    let (s, e) = t.get(&format!("/projects/{pid}/endpoints/ep-missing-12345678")).await;
    assert_eq!(s, 404);
    assert_ne!(e["code"], "patched");
    // A mutation is applied and its answer patched; a non-object patch replaces the whole body.
    t.emu.add_fault(Fault {
        operation_id: Some("createProjectBranch".into()),
        kind: FaultKind::MergeBody { body: json!({"branch": {"current_state": "thawing"}}) },
        times: Some(1),
    });
    let (s, b) = t.post(&format!("/projects/{pid}/branches"), json!({"branch": {"name": "patched"}})).await;
    assert_eq!(s, 201);
    assert_eq!(b["branch"]["current_state"], "thawing");
    assert_eq!(b["branch"]["name"], "patched");
    let bid = b["branch"]["id"].as_str().unwrap();
    let (s, got) = t.get(&format!("/projects/{pid}/branches/{bid}")).await;
    assert_eq!(s, 200);
    assert_ne!(got["branch"]["current_state"], "thawing");
    t.emu.add_fault(Fault { operation_id: Some("getActiveRegions".into()), kind: FaultKind::MergeBody { body: json!([1]) }, times: None });
    assert_eq!(t.get("/regions").await.1, json!([1]));
    t.emu.clear_faults();
    assert!(t.get("/regions").await.1["regions"].is_array());
}

#[test]
fn merge_body_fault_json_round_trips() {
    let j = json!({"operation_id": "getProjectEndpoint", "kind": "merge_body", "body": {"endpoint": {"current_state": "hibernating"}}, "times": 1});
    let f: Fault = serde_json::from_value(j.clone()).unwrap();
    match &f.kind {
        FaultKind::MergeBody { body } => assert_eq!(body["endpoint"]["current_state"], "hibernating"),
        other => panic!("{other:?}"),
    }
    assert_eq!(serde_json::to_value(&f).unwrap(), j);
    assert!(serde_json::from_value::<Fault>(json!({"kind": "merge_body"})).is_err(), "body is required");
}

#[tokio::test]
async fn random_fault_rates_apply() {
    let t =
        T::new(EmulatorConfig { fault_rates: FaultRates { status_503: 1.0, ..Default::default() }, seed: Some(7), ..Default::default() })
            .await;
    for _ in 0..5 {
        assert_eq!(t.get("/regions").await.0, 503);
    }
    let t =
        T::new(EmulatorConfig { fault_rates: FaultRates { status_500: 0.5, ..Default::default() }, seed: Some(1), ..Default::default() })
            .await;
    let mut n500 = 0;
    for _ in 0..100 {
        if t.get("/regions").await.0 == 500 {
            n500 += 1;
        }
    }
    assert!((25..=75).contains(&n500), "{n500}");
}

#[tokio::test]
async fn admin_api_drives_faults_counters_config_and_reset() {
    let t = T::new(zero_ops()).await;
    let admin = |p: &str| t.admin(p);
    let r = t
        .http
        .post(admin("/_emulator/faults"))
        .json(&json!({"operation_id": "getProject", "kind": "status", "status": 423, "times": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let v = t.project("admin").await;
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    assert_eq!(t.get(&format!("/projects/{pid}")).await.0, 423);
    assert_eq!(t.get(&format!("/projects/{pid}")).await.0, 423);
    assert_eq!(t.get(&format!("/projects/{pid}")).await.0, 200);
    let c: Value = t.http.get(admin("/_emulator/requests?operation_id=getProject")).send().await.unwrap().json().await.unwrap();
    assert_eq!(c["count"], 3);
    // drop + clear
    t.http.post(admin("/_emulator/faults")).json(&json!({"kind": "drop_connection"})).send().await.unwrap();
    assert!(t.http.get(t.url("/regions")).bearer_auth(DEV_API_KEY).send().await.is_err());
    assert_eq!(t.http.delete(admin("/_emulator/faults")).send().await.unwrap().status().as_u16(), 200);
    assert_eq!(t.get("/regions").await.0, 200);
    // bad fault bodies are 400
    let r = t.http.post(admin("/_emulator/faults")).json(&json!({"kind": "explode"})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    // config: slow operations + locking
    let r: Value = t
        .http
        .patch(admin("/_emulator/config"))
        .json(&json!({"operation_duration_ms": 5000, "locking": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["operation_duration_ms"], 5000);
    let v = t.project("slow").await;
    assert_eq!(v["operations"][0]["status"], "scheduling");
    let pid2 = v["project"]["id"].as_str().unwrap().to_string();
    assert_eq!(t.post(&format!("/projects/{pid2}/branches"), json!({})).await.0, 423);
    t.http.patch(admin("/_emulator/config")).json(&json!({"locking": false})).send().await.unwrap();
    assert_eq!(t.post(&format!("/projects/{pid2}/branches"), json!({})).await.0, 201);
    // reset empties everything
    assert_eq!(t.http.post(admin("/_emulator/reset")).send().await.unwrap().status().as_u16(), 200);
    let (_, l) = t.get("/projects").await;
    assert_eq!(l["projects"].as_array().unwrap().len(), 0);
    assert_eq!(t.get(&format!("/projects/{pid}")).await.0, 404);
}

#[tokio::test]
async fn rate_limits_burst_per_route() {
    let t = T::new(EmulatorConfig { rate_limits: true, ..Default::default() }).await;
    let mut codes = Vec::new();
    let mut retry_after = None;
    let start = Instant::now();
    for _ in 0..50 {
        let (s, h, _) = t.req_with(Some(DEV_API_KEY), "GET", "/regions", None).await;
        if s == 429 {
            retry_after = h.get("retry-after").map(|v| v.to_str().unwrap().to_string());
        }
        codes.push(s);
    }
    assert!(codes[..40].iter().all(|c| *c == 200), "{codes:?}");
    if start.elapsed() < Duration::from_secs(1) {
        // all 50 inside one second: exactly the 40/s burst got through
        assert!(codes[40..].iter().all(|c| *c == 429), "{codes:?}");
    }
    assert!(codes.contains(&429));
    assert!(retry_after.unwrap().parse::<u64>().unwrap() >= 1);
    // per route: another route is not limited
    assert_eq!(t.get("/users/me").await.0, 200);
    // off by default
    let t2 = T::default().await;
    for _ in 0..60 {
        assert_eq!(t2.get("/regions").await.0, 200);
    }
}

#[tokio::test]
async fn project_scoped_keys_see_only_their_project() {
    let t = T::new(zero_ops()).await;
    let a = t.project("a").await;
    let b = t.project("b").await;
    let pa = a["project"]["id"].as_str().unwrap().to_string();
    let pb = b["project"]["id"].as_str().unwrap().to_string();
    let org = a["project"]["org_id"].as_str().unwrap().to_string();
    let (s, k) = t.post(&format!("/organizations/{org}/api_keys"), json!({"key_name": "scoped", "project_id": pa})).await;
    assert_eq!(s, 200, "{k}");
    assert_eq!(k["project_id"], pa.as_str());
    let key = k["key"].as_str().unwrap().to_string();
    let (s, _, v) = t.req_with(Some(&key), "GET", "/projects", None).await;
    assert_eq!(s, 200);
    let ids: Vec<&str> = v["projects"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [pa.as_str()]);
    assert_eq!(t.req_with(Some(&key), "GET", &format!("/projects/{pa}"), None).await.0, 200);
    assert_eq!(t.req_with(Some(&key), "GET", &format!("/projects/{pb}"), None).await.0, 404);
    assert_eq!(t.req_with(Some(&key), "POST", "/projects", Some(json!({"project": {}}))).await.0, 403);
    assert_eq!(t.req_with(Some(&key), "GET", "/api_keys", None).await.0, 403);
    assert_eq!(t.req_with(Some(&key), "DELETE", &format!("/projects/{pa}"), None).await.0, 403);
    // an org key (not scoped) sees the org's projects and reports api_key_org
    let (_, k2) = t.post(&format!("/organizations/{org}/api_keys"), json!({"key_name": "org"})).await;
    let key2 = k2["key"].as_str().unwrap().to_string();
    let (_, _, auth) = t.req_with(Some(&key2), "GET", "/auth", None).await;
    assert_eq!(auth["auth_method"], "api_key_org");
    let (_, _, v) = t.req_with(Some(&key2), "GET", "/projects", None).await;
    assert_eq!(v["projects"].as_array().unwrap().len(), 2);
    assert_eq!(t.req_with(Some(&key2), "GET", "/projects?org_id=org-other-org-00000001", None).await.0, 403);
    let (_, _, auth) = t.req_with(Some(DEV_API_KEY), "GET", "/auth", None).await;
    assert_eq!(auth["auth_method"], "api_key_user");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_clients_lose_no_updates() {
    let t = std::sync::Arc::new(T::new(EmulatorConfig { operation_duration: Duration::ZERO, locking: false, ..Default::default() }).await);
    let v = t.project("busy").await;
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    let mut tasks = Vec::new();
    for i in 0..64 {
        let t = t.clone();
        let pid = pid.clone();
        tasks.push(tokio::spawn(async move {
            let (s, _) = t.post(&format!("/projects/{pid}/branches"), json!({"branch": {"name": format!("c{i}")}})).await;
            assert_eq!(s, 201);
            let (s, _) = t.get(&format!("/projects/{pid}")).await;
            assert_eq!(s, 200);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let (_, c) = t.get(&format!("/projects/{pid}/branches/count")).await;
    assert_eq!(c["count"], 65);
    // duplicate names under concurrency: exactly one wins
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let t = t.clone();
        let pid = pid.clone();
        tasks.push(tokio::spawn(async move { t.post(&format!("/projects/{pid}/branches"), json!({"branch": {"name": "same"}})).await.0 }));
    }
    let mut codes = Vec::new();
    for task in tasks {
        codes.push(task.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 1);
    assert_eq!(codes.iter().filter(|c| **c == 409).count(), 15);
}

#[tokio::test]
async fn a_handler_panic_answers_500_and_the_server_lives_on() {
    let t = T::default().await;
    let r = t.http.get(t.url("/regions")).bearer_auth(DEV_API_KEY).header("x-emulator-panic", "1").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 500);
    assert!(r.headers().contains_key("x-neon-ret-request-id"));
    let v: Value = r.json().await.unwrap();
    assert!(v["message"].is_string());
    assert_eq!(t.get("/regions").await.0, 200);
    assert_eq!(t.post("/projects", json!({"project": {}})).await.0, 201);
}

#[tokio::test]
async fn branch_tree_restore_default_and_recover() {
    let t = T::new(zero_ops()).await;
    let v = t.project("tree").await;
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    let main = v["branch"]["id"].as_str().unwrap().to_string();
    let (_, dev) =
        t.post(&format!("/projects/{pid}/branches"), json!({"branch": {"name": "dev"}, "endpoints": [{"type": "read_write"}]})).await;
    let dev_id = dev["branch"]["id"].as_str().unwrap().to_string();
    assert_eq!(dev["branch"]["parent_id"], main.as_str());
    assert!(dev["connection_uris"][0]["connection_uri"].as_str().unwrap().starts_with("postgresql://neondb_owner:npg_"));
    assert_eq!(dev["databases"][0]["name"], "neondb");
    // one read-write endpoint per branch
    assert_eq!(
        t.post(&format!("/projects/{pid}/endpoints"), json!({"endpoint": {"branch_id": dev_id, "type": "read_write"}})).await.0,
        409
    );
    assert_eq!(t.post(&format!("/projects/{pid}/endpoints"), json!({"endpoint": {"branch_id": dev_id, "type": "read_only"}})).await.0, 201);
    let (_, child) = t.post(&format!("/projects/{pid}/branches"), json!({"branch": {"name": "child", "parent_id": dev_id}})).await;
    assert_eq!(child["branch"]["parent_id"], dev_id.as_str());
    // set default
    let (s, r) = t.post(&format!("/projects/{pid}/branches/{dev_id}/set_as_default"), json!({})).await;
    assert_eq!(s, 200);
    assert_eq!(r["branch"]["default"], true);
    let (_, m) = t.get(&format!("/projects/{pid}/branches/{main}")).await;
    assert_eq!(m["branch"]["default"], false);
    // restore main from dev, keeping a backup
    let (s, r) = t
        .post(
            &format!("/projects/{pid}/branches/{main}/restore"),
            json!({"source_branch_id": dev_id, "preserve_under_name": "main-backup"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (_, l) = t.get(&format!("/projects/{pid}/branches?search=backup")).await;
    assert_eq!(l["branches"].as_array().unwrap().len(), 1);
    // a branch with children can't be deleted; a leaf can, and can be recovered
    assert_eq!(t.req("DELETE", &format!("/projects/{pid}/branches/{dev_id}"), None).await.0, 400);
    let child_id = child["branch"]["id"].as_str().unwrap().to_string();
    assert_eq!(t.req("DELETE", &format!("/projects/{pid}/branches/{child_id}"), None).await.0, 200);
    assert_eq!(t.get(&format!("/projects/{pid}/branches/{child_id}")).await.0, 404);
    assert_eq!(t.post(&format!("/projects/{pid}/branches/{child_id}/recover"), json!({})).await.0, 200);
    assert_eq!(t.get(&format!("/projects/{pid}/branches/{child_id}")).await.0, 200);
    // databases & roles round trip, password reset
    let (s, r) = t.post(&format!("/projects/{pid}/branches/{dev_id}/roles"), json!({"role": {"name": "app"}})).await;
    assert_eq!(s, 201);
    let pw1 = r["role"]["password"].as_str().unwrap().to_string();
    let (_, r) = t.post(&format!("/projects/{pid}/branches/{dev_id}/roles/app/reset_password"), json!({})).await;
    let pw2 = r["role"]["password"].as_str().unwrap().to_string();
    assert_ne!(pw1, pw2);
    let (_, p) = t.get(&format!("/projects/{pid}/branches/{dev_id}/roles/app/reveal_password")).await;
    assert_eq!(p["password"], pw2.as_str());
    assert_eq!(
        t.post(&format!("/projects/{pid}/branches/{dev_id}/databases"), json!({"database": {"name": "app", "owner_name": "app"}})).await.0,
        201
    );
    assert_eq!(t.req("DELETE", &format!("/projects/{pid}/branches/{dev_id}/roles/app"), None).await.0, 400, "owns a database");
    assert_eq!(t.req("DELETE", &format!("/projects/{pid}/branches/{dev_id}/databases/app"), None).await.0, 200);
    assert_eq!(t.req("DELETE", &format!("/projects/{pid}/branches/{dev_id}/roles/app"), None).await.0, 200);
    // project delete + recover
    assert_eq!(t.req("DELETE", &format!("/projects/{pid}"), None).await.0, 200);
    assert_eq!(t.get(&format!("/projects/{pid}")).await.0, 404);
    let (_, l) = t.get("/projects?recoverable=true").await;
    assert_eq!(l["projects"].as_array().unwrap().len(), 1);
    assert_eq!(t.post(&format!("/projects/{pid}/recover"), json!({})).await.0, 200);
    assert_eq!(t.get(&format!("/projects/{pid}")).await.0, 200);
}

#[tokio::test]
async fn long_tail_families_round_trip() {
    let t = T::new(zero_ops()).await;
    let v = t.project("tail").await;
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    let bid = v["branch"]["id"].as_str().unwrap().to_string();
    // buckets
    let base = format!("/projects/{pid}/branches/{bid}/buckets");
    assert_eq!(t.post(&base, json!({"name": "media"})).await.0, 201);
    let (_, l) = t.get(&base).await;
    assert!(l["buckets"].as_array().unwrap().iter().any(|b| b["name"] == "media"), "{l}");
    assert_eq!(t.req("DELETE", &format!("{base}/media"), None).await.0, 204);
    assert_eq!(t.req("DELETE", &format!("{base}/media"), None).await.0, 404);
    let (_, l) = t.get(&base).await;
    assert!(!l["buckets"].as_array().unwrap().iter().any(|b| b["name"] == "media"));
    // snapshots
    let (s, sn) = t.post(&format!("/projects/{pid}/branches/{bid}/snapshot?name=nightly"), json!({})).await;
    assert_eq!(s, 200);
    let sid = sn["snapshot"]["id"].as_str().unwrap().to_string();
    let (_, l) = t.get(&format!("/projects/{pid}/snapshots")).await;
    assert_eq!(l["snapshots"][0]["name"], "nightly");
    let (s, r) = t.post(&format!("/projects/{pid}/snapshots/{sid}/restore"), json!({"name": "restored"})).await;
    assert_eq!(s, 200);
    assert_eq!(r["branch"]["name"], "restored");
    assert_eq!(t.req("DELETE", &format!("/projects/{pid}/snapshots/{sid}"), None).await.0, 202);
    assert_eq!(t.req("DELETE", &format!("/projects/{pid}/snapshots/{sid}"), None).await.0, 404);
    // a config singleton keeps what was written
    let path = format!("/projects/{pid}/branches/{bid}/auth/allow_localhost");
    let (s, _) = t.req("PATCH", &path, Some(json!({"allow_localhost": true}))).await;
    assert_eq!(s, 200);
    let (_, g) = t.get(&path).await;
    assert_eq!(g["allow_localhost"], true);
    // organizations
    let org = v["project"]["org_id"].as_str().unwrap().to_string();
    let (_, o) = t.get(&format!("/organizations/{org}")).await;
    assert_eq!(o["id"], org.as_str());
    assert_eq!(t.get("/organizations/org-unknown-00000000").await.0, 404);
    let (_, inv) =
        t.post(&format!("/organizations/{org}/invitations"), json!({"invitations": [{"email": "x@example.com", "role": "member"}]})).await;
    assert_eq!(inv["invitations"][0]["email"], "x@example.com");
    let (_, l) = t.get(&format!("/organizations/{org}/invitations")).await;
    assert_eq!(l["invitations"].as_array().unwrap().len(), 1);
    let (_, u) = t.get("/users/me/organizations").await;
    assert_eq!(u["organizations"][0]["id"], org.as_str());
}

#[tokio::test]
async fn start_gives_a_loopback_url_and_stop_frees_the_port() {
    // How fast it starts is measured by the benchmarks, not asserted here.
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let url = emu.base_url().to_string();
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with("/api/v2"));
    let port = emu.port();
    emu.stop().await;
    // the port can be bound again: the listener is gone
    let l = std::net::TcpListener::bind(("127.0.0.1", port));
    assert!(l.is_ok());
    drop(l);
    // a fixed port works
    let emu = Emulator::start(EmulatorConfig { port, ..Default::default() }).await.unwrap();
    assert_eq!(emu.port(), port);
    drop(emu);
}

#[test]
fn the_binary_prints_its_base_url_first() {
    use std::io::{BufRead, BufReader};
    let exe = env!("CARGO_BIN_EXE_neonkit-emulator");
    let mut child = std::process::Command::new(exe)
        .args(["--port", "0", "--api-key", "bin-key", "--operation-duration-ms", "0", "--seed", "3"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().to_string();
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with("/api/v2"), "{url}");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let c = reqwest::Client::new();
        let r = c.get(format!("{url}/projects")).bearer_auth("bin-key").send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let r = c.get(format!("{url}/projects")).bearer_auth(DEV_API_KEY).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401);
    });
    child.kill().unwrap();
    let _ = child.wait();
    let bad = std::process::Command::new(exe).arg("--bogus").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[tokio::test]
async fn bucket_objects_paginate_with_next_cursor() {
    let t = T::new(zero_ops()).await;
    let v = t.project("objects").await;
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    let bid = v["branch"]["id"].as_str().unwrap().to_string();
    let base = format!("/projects/{pid}/branches/{bid}/buckets");
    assert_eq!(t.post(&base, json!({"name": "files"})).await.0, 201);
    assert_eq!(t.post(&base, json!({"name": "files"})).await.0, 409);
    for key in ["a.txt", "b.txt", "c.txt", "dir/x.txt", "dir/y.txt"] {
        let enc = key.replace('/', "%2F");
        let (s, p) =
            t.post(&format!("{base}/files/objects/{enc}/presign"), json!({"operation": "upload", "content_type": "text/plain"})).await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["method"], "PUT");
        let r = t.http.put(p["url"].as_str().unwrap()).body(format!("data of {key}")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    let (_, l) = t.get(&format!("{base}/files/objects?limit=2")).await;
    let keys: Vec<&str> = l["objects"].as_array().unwrap().iter().map(|o| o["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["a.txt", "b.txt"]);
    assert_eq!(l["is_truncated"], true);
    let c = l["next_cursor"].as_str().unwrap().to_string();
    let (_, l) = t.get(&format!("{base}/files/objects?limit=2&cursor={c}")).await;
    let keys: Vec<&str> = l["objects"].as_array().unwrap().iter().map(|o| o["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["c.txt", "dir/x.txt"]);
    let c = l["next_cursor"].as_str().unwrap().to_string();
    let (_, l) = t.get(&format!("{base}/files/objects?limit=2&cursor={c}")).await;
    assert_eq!(l["objects"].as_array().unwrap().len(), 1);
    assert_eq!(l["is_truncated"], false);
    assert!(l.get("next_cursor").is_none());
    // folders with a delimiter
    let (_, l) = t.get(&format!("{base}/files/objects?delimiter=/")).await;
    assert_eq!(l["folders"], json!(["dir/"]));
    assert_eq!(l["objects"].as_array().unwrap().len(), 3);
    // download through the API
    let r = t.http.get(t.url(&format!("{base}/files/objects/dir%2Fx.txt/download"))).bearer_auth(DEV_API_KEY).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert_eq!(r.text().await.unwrap(), "data of dir/x.txt");
    // delete by prefix, then one object
    let (s, d) = t.req("DELETE", &format!("{base}/files/objects-by-prefix?prefix=dir/"), None).await;
    assert_eq!(s, 200);
    assert_eq!(d["deleted"], 2);
    assert_eq!(t.req("DELETE", &format!("{base}/files/objects/a.txt"), None).await.0, 204);
    assert_eq!(t.req("DELETE", &format!("{base}/files/objects/a.txt"), None).await.0, 404);
    assert_eq!(t.req("DELETE", &format!("{base}/files"), None).await.0, 204);
    assert_eq!(t.get(&format!("{base}/files/objects")).await.0, 404);
}

#[tokio::test]
async fn credentials_and_functions_round_trip() {
    let t = T::new(zero_ops()).await;
    let v = t.project("fns").await;
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    let bid = v["branch"]["id"].as_str().unwrap().to_string();
    let base = format!("/projects/{pid}/branches/{bid}");
    let (s, c) = t.post(&format!("{base}/credentials"), json!({"name": "ci", "scopes": ["storage:read"], "principal_type": "user"})).await;
    assert_eq!(s, 201, "{c}");
    let tok = c["token_id"].as_str().unwrap().to_string();
    assert!(c["api_token"].as_str().unwrap().starts_with("nct_"));
    let (_, l) = t.get(&format!("{base}/credentials")).await;
    assert_eq!(l["credentials"][0]["token_id"], tok.as_str());
    assert!(l["credentials"][0].get("api_token").is_none(), "the secret is shown once");
    assert_eq!(t.req("DELETE", &format!("{base}/credentials/{tok}"), None).await.0, 204);
    assert_eq!(t.req("DELETE", &format!("{base}/credentials/{tok}"), None).await.0, 404);

    assert_eq!(t.get(&format!("{base}/functions/hello")).await.0, 404);
    let form = reqwest::multipart::Form::new()
        .text("runtime", "nodejs24")
        .part("zip", reqwest::multipart::Part::bytes(b"PK".to_vec()).file_name("f.zip"));
    let r =
        t.http.post(t.url(&format!("{base}/functions/hello/deployments"))).bearer_auth(DEV_API_KEY).multipart(form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["deployment"]["id"], 1);
    assert_eq!(d["deployment"]["runtime"], "nodejs24");
    let (_, f) = t.get(&format!("{base}/functions/hello")).await;
    assert_eq!(f["function"]["slug"], "hello");
    let (s, f) = t.req("PATCH", &format!("{base}/functions/hello"), Some(json!({"name": "Hello"}))).await;
    assert_eq!(s, 200);
    assert_eq!(f["function"]["name"], "Hello");
    let (_, l) = t.get(&format!("{base}/functions")).await;
    assert_eq!(l["functions"].as_array().unwrap().len(), 1);
    assert_eq!(t.req("DELETE", &format!("{base}/functions/hello"), None).await.0, 204);
    assert_eq!(t.get(&format!("{base}/functions/hello")).await.0, 404);
}

#[tokio::test]
async fn neon_auth_enable_get_disable() {
    let t = T::new(zero_ops()).await;
    let v = t.project("auth").await;
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    let bid = v["branch"]["id"].as_str().unwrap().to_string();
    let path = format!("/projects/{pid}/branches/{bid}/auth");
    assert_eq!(t.get(&path).await.0, 404);
    let (s, c) = t.post(&path, json!({"auth_provider": "better_auth"})).await;
    assert_eq!(s, 201);
    assert!(c["secret_server_key"].is_string());
    assert_eq!(t.post(&path, json!({"auth_provider": "better_auth"})).await.0, 409);
    let (s, g) = t.get(&path).await;
    assert_eq!(s, 200);
    assert_eq!(g["branch_id"], bid.as_str());
    assert_eq!(g["db_name"], "neondb");
    let (_, l) = t.get(&format!("/projects/{pid}/auth/integrations")).await;
    assert_eq!(l["data"].as_array().unwrap().len(), 1);
    assert_eq!(t.req("DELETE", &path, Some(json!({}))).await.0, 200);
    assert_eq!(t.get(&path).await.0, 404);
}

#[tokio::test]
async fn quickstart_flow_end_to_end() {
    let t = T::default().await;
    let created = t.project("neonkit-quickstart").await;
    let pid = created["project"]["id"].as_str().unwrap().to_string();
    t.wait_ops(&pid).await;
    let (s, b) =
        t.post(&format!("/projects/{pid}/branches"), json!({"branch": {"name": "dev"}, "endpoints": [{"type": "read_write"}]})).await;
    assert_eq!(s, 201);
    let bid = b["branch"]["id"].as_str().unwrap().to_string();
    let ep = b["endpoints"][0]["id"].as_str().unwrap().to_string();
    t.wait_ops(&pid).await;
    let (s, r) = t.post(&format!("/projects/{pid}/branches/{bid}/roles"), json!({"role": {"name": "app"}})).await;
    assert_eq!(s, 201);
    let pw = r["role"]["password"].as_str().unwrap().to_string();
    t.wait_ops(&pid).await;
    let (s, _) =
        t.post(&format!("/projects/{pid}/branches/{bid}/databases"), json!({"database": {"name": "appdb", "owner_name": "app"}})).await;
    assert_eq!(s, 201);
    t.wait_ops(&pid).await;
    let (s, u) = t.get(&format!("/projects/{pid}/connection_uri?branch_id={bid}&database_name=appdb&role_name=app&pooled=true")).await;
    assert_eq!(s, 200);
    assert_eq!(u["uri"], format!("postgresql://app:{pw}@{ep}-pooler.us-east-2.aws.neon.tech/appdb?sslmode=require"));
    assert_eq!(t.req("DELETE", &format!("/projects/{pid}/branches/{bid}"), None).await.0, 200);
    t.wait_ops(&pid).await;
    assert_eq!(t.req("DELETE", &format!("/projects/{pid}"), None).await.0, 200);
    assert_eq!(t.get(&format!("/projects/{pid}")).await.0, 404);
}

#[tokio::test]
async fn consumption_lists_the_projects() {
    let t = T::new(zero_ops()).await;
    let a = t.project("a").await;
    t.project("b").await;
    let org = a["project"]["org_id"].as_str().unwrap().to_string();
    let q = format!("from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z&granularity=daily&org_id={org}&metrics=active_time_seconds");
    let (s, v) = t.get(&format!("/consumption_history/v2/projects?{q}")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["projects"].as_array().unwrap().len(), 2);
    assert_eq!(v["projects"][0]["periods"][0]["consumption"][0]["timeframe_start"], "2025-01-01T00:00:00Z");
    assert_eq!(v["projects"][0]["periods"][0]["consumption"][0]["metrics"][0]["metric_name"], "active_time_seconds");
    let pid = a["project"]["id"].as_str().unwrap();
    let (s, v) = t.get(&format!("/consumption_history/v2/branches?{q}&project_ids={pid}")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["branches"].as_array().unwrap().len(), 1);
    assert_eq!(v["branches"][0]["project_id"], pid);
    let (s, v) = t.get("/consumption_history/projects?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z&granularity=daily&limit=1").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["projects"].as_array().unwrap().len(), 1);
    assert_eq!(v["pagination"]["cursor"], pid);
}
