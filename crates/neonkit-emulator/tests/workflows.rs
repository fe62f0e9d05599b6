//! What the core's workflows (connection_string, create_and_connect, `ensure`,
//! get_default, reset_from_parent, snapshot restore with a preview, compare_schema,
//! `org_id="auto"`) rely on, over real HTTP on 127.0.0.1: every success body and
//! every error body is checked against the merged spec.

use neonkit_emulator::spec::spec;
use neonkit_emulator::{Emulator, EmulatorConfig};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct T {
    emu: Emulator,
    http: reqwest::Client,
}

impl T {
    async fn new(config: EmulatorConfig) -> T {
        T { emu: Emulator::start(config).await.unwrap(), http: reqwest::Client::new() }
    }
    async fn zero_ops() -> T {
        T::new(EmulatorConfig { operation_duration: Duration::ZERO, ..Default::default() }).await
    }
    fn admin_url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url().trim_end_matches("/api/v2"))
    }
    /// `op` with the emulator's key; see [`T::op_as`].
    async fn op(&self, op: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.op_as(self.emu.api_key(), op, path, body).await
    }
    /// A request for `op` with `key`: a success must carry the op's status and a
    /// spec-valid body, an error the op's declared error shape (Neon's general error).
    async fn op_as(&self, key: &str, op: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let o = spec().op(op).unwrap_or_else(|| panic!("no operation {op}"));
        let mut rb = self.http.request(o.method.parse().unwrap(), format!("{}{path}", self.emu.base_url())).bearer_auth(key);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            assert_eq!(status, o.success_status, "{op} {path}: {v}");
            if let Some(schema) = &o.success_schema {
                spec().validate(schema, &v).unwrap_or_else(|e| panic!("{op}: {e}: {v}"));
            }
        } else {
            let schema = o.error_schemas.iter().find(|(c, _)| *c == status).map(|(_, s)| s.clone());
            let schema = schema.unwrap_or_else(|| spec().schema("GeneralError").clone());
            spec().validate(&schema, &v).unwrap_or_else(|e| panic!("{op} error {status}: {e}: {v}"));
            assert!(v["request_id"].is_string(), "{v}");
        }
        (status, v)
    }
    async fn admin_post(&self, path: &str, body: Value) -> (u16, Value) {
        let resp = self.http.post(self.admin_url(path)).json(&body).send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
    /// A new project: (project id, default branch id, the create response).
    async fn project(&self, name: &str) -> (String, String, Value) {
        let (s, v) = self.op("createProject", "/projects", Some(json!({"project": {"name": name}}))).await;
        assert_eq!(s, 201, "{v}");
        (v["project"]["id"].as_str().unwrap().into(), v["branch"]["id"].as_str().unwrap().into(), v)
    }
    async fn branch(&self, pid: &str, body: Value) -> Value {
        let (s, v) = self.op("createProjectBranch", &format!("/projects/{pid}/branches"), Some(body)).await;
        assert_eq!(s, 201, "{v}");
        v
    }
    async fn branches(&self, pid: &str) -> Vec<Value> {
        let (s, v) = self.op("listProjectBranches", &format!("/projects/{pid}/branches"), None).await;
        assert_eq!(s, 200, "{v}");
        v["branches"].as_array().unwrap().clone()
    }
    async fn names(&self, pid: &str, bid: &str, what: &str) -> Vec<String> {
        let op = if what == "databases" { "listProjectBranchDatabases" } else { "listProjectBranchRoles" };
        let (s, v) = self.op(op, &format!("/projects/{pid}/branches/{bid}/{what}"), None).await;
        assert_eq!(s, 200, "{v}");
        let mut names: Vec<String> = v[what].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap().to_string()).collect();
        names.sort();
        names
    }
}

fn ids_of(list: &[Value], name: &str) -> Vec<String> {
    list.iter().filter(|b| b["name"] == name).map(|b| b["id"].as_str().unwrap().to_string()).collect()
}

// ------------------------------------------------------------------ duplicates, races

#[tokio::test]
async fn duplicate_branch_database_and_role_names_are_409s_with_neon_error_bodies() {
    let t = T::zero_ops().await;
    let (pid, main, _) = t.project("dups").await;
    t.branch(&pid, json!({"branch": {"name": "dev"}})).await;

    let (s, e) = t.op("createProjectBranch", &format!("/projects/{pid}/branches"), Some(json!({"branch": {"name": "dev"}}))).await;
    assert_eq!(s, 409);
    assert_eq!(e["message"], "branch with name \"dev\" already exists");
    assert_eq!(e["code"], "");
    let (s, e) = t
        .op(
            "createProjectBranchDatabase",
            &format!("/projects/{pid}/branches/{main}/databases"),
            Some(json!({"database": {"name": "neondb", "owner_name": "neondb_owner"}})),
        )
        .await;
    assert_eq!(s, 409);
    assert_eq!(e["message"], "database with name \"neondb\" already exists");
    let (s, e) = t
        .op("createProjectBranchRole", &format!("/projects/{pid}/branches/{main}/roles"), Some(json!({"role": {"name": "neondb_owner"}})))
        .await;
    assert_eq!(s, 409);
    assert_eq!(e["message"], "role with name \"neondb_owner\" already exists");

    // nothing was created by the refused requests
    assert_eq!(ids_of(&t.branches(&pid).await, "dev").len(), 1);
    assert_eq!(t.names(&pid, &main, "databases").await, ["neondb"]);
    assert_eq!(t.names(&pid, &main, "roles").await, ["neondb_owner"]);
    // a deleted branch's name is free again
    let dev = ids_of(&t.branches(&pid).await, "dev").remove(0);
    assert_eq!(t.op("deleteProjectBranch", &format!("/projects/{pid}/branches/{dev}"), None).await.0, 200);
    t.branch(&pid, json!({"branch": {"name": "dev"}})).await;
}

#[tokio::test]
async fn a_duplicate_name_is_a_409_even_while_operations_run() {
    // long operations: the project stays locked after the first create
    let t = T::new(EmulatorConfig { operation_duration: Duration::from_secs(30), ..Default::default() }).await;
    let (s, v) = t.op("createProject", "/projects", Some(json!({"project": {"name": "locked"}}))).await;
    assert_eq!(s, 201);
    let pid = v["project"]["id"].as_str().unwrap();
    let main = v["branch"]["id"].as_str().unwrap();
    let (s, e) = t.op("createProjectBranch", &format!("/projects/{pid}/branches"), Some(json!({"branch": {"name": "main"}}))).await;
    assert_eq!(s, 409, "{e}");
    let (s, _) = t.op("createProjectBranch", &format!("/projects/{pid}/branches"), Some(json!({"branch": {"name": "fresh"}}))).await;
    assert_eq!(s, 423, "a new name still waits for the running operations");
    let (s, _) = t
        .op(
            "createProjectBranchDatabase",
            &format!("/projects/{pid}/branches/{main}/databases"),
            Some(json!({"database": {"name": "neondb", "owner_name": "neondb_owner"}})),
        )
        .await;
    assert_eq!(s, 409);
    let (s, _) = t
        .op("createProjectBranchRole", &format!("/projects/{pid}/branches/{main}/roles"), Some(json!({"role": {"name": "neondb_owner"}})))
        .await;
    assert_eq!(s, 409);
}

/// `ensure` as a client writes it: look the name up, create it when missing.
async fn lookup_then_create(t: &T, pid: &str, name: &str) -> (Instant, u16) {
    let (s, v) = t.op("listProjectBranches", &format!("/projects/{pid}/branches"), None).await;
    assert_eq!(s, 200);
    let looked_up = Instant::now();
    assert!(ids_of(v["branches"].as_array().unwrap(), name).is_empty(), "both lookups must miss the branch");
    let (s, _) = t.op("createProjectBranch", &format!("/projects/{pid}/branches"), Some(json!({"branch": {"name": name}}))).await;
    (looked_up, s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_latency_fault_on_the_lookup_makes_two_ensures_race_and_exactly_one_branch_is_created() {
    let t = Arc::new(T::new(EmulatorConfig { operation_duration: Duration::ZERO, locking: false, ..Default::default() }).await);
    let (pid, _, _) = t.project("race").await;
    let (s, _) =
        t.admin_post("/_emulator/faults", json!({"operation_id": "listProjectBranches", "kind": "latency", "ms": 300, "times": 2})).await;
    assert_eq!(s, 200);

    // the fault is per operation: other routes answer at once
    let start = Instant::now();
    assert_eq!(t.op("getProject", &format!("/projects/{pid}"), None).await.0, 200);
    assert!(start.elapsed() < Duration::from_millis(300));

    let start = Instant::now();
    let (a, b) = tokio::join!(
        {
            let t = t.clone();
            let pid = pid.clone();
            tokio::spawn(async move { lookup_then_create(&t, &pid, "feature").await })
        },
        {
            let t = t.clone();
            let pid = pid.clone();
            tokio::spawn(async move { lookup_then_create(&t, &pid, "feature").await })
        }
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    // both lookups were held back (and both missed the branch: lookup_then_create checks)
    assert!(a.0 - start >= Duration::from_millis(300) && b.0 - start >= Duration::from_millis(300));
    let mut codes = [a.1, b.1];
    codes.sort();
    assert_eq!(codes, [201, 409]);
    assert_eq!(ids_of(&t.branches(&pid).await, "feature").len(), 1, "exactly one branch of that name");
    assert_eq!(t.emu.request_count("createProjectBranch"), 2);
}

// ------------------------------------------------------------------ a lost answer

/// A POST whose connection the emulator drops: the client sees a connection error.
async fn post_expecting_a_dropped_connection(t: &T, path: &str, body: Value) {
    let r = t.http.post(format!("{}{path}", t.emu.base_url())).bearer_auth(t.emu.api_key()).json(&body).send().await;
    let e = r.expect_err("a dropped connection is not an HTTP response");
    assert!(!e.is_status(), "{e}");
}

#[tokio::test]
async fn drop_connection_after_handling_applies_the_request_then_drops_the_answer() {
    let t = T::zero_ops().await;
    let (pid, main, _) = t.project("lost-answers").await;
    for op in ["createProjectBranch", "createProjectBranchDatabase", "createProjectBranchRole"] {
        let (s, _) = t
            .admin_post("/_emulator/faults", json!({"operation_id": op, "kind": "drop_connection", "after_handling": true, "times": 1}))
            .await;
        assert_eq!(s, 200);
    }
    post_expecting_a_dropped_connection(&t, &format!("/projects/{pid}/branches"), json!({"branch": {"name": "kept"}})).await;
    post_expecting_a_dropped_connection(
        &t,
        &format!("/projects/{pid}/branches/{main}/databases"),
        json!({"database": {"name": "appdb", "owner_name": "neondb_owner"}}),
    )
    .await;
    post_expecting_a_dropped_connection(&t, &format!("/projects/{pid}/branches/{main}/roles"), json!({"role": {"name": "app"}})).await;
    // each was applied once: looking up finds it, sending it again is a 409
    assert_eq!(ids_of(&t.branches(&pid).await, "kept").len(), 1);
    assert_eq!(t.names(&pid, &main, "databases").await, ["appdb", "neondb"]);
    assert_eq!(t.names(&pid, &main, "roles").await, ["app", "neondb_owner"]);
    let (s, _) = t.op("createProjectBranch", &format!("/projects/{pid}/branches"), Some(json!({"branch": {"name": "kept"}}))).await;
    assert_eq!(s, 409);
    assert_eq!(t.emu.request_count("createProjectBranch"), 2);

    // the plain fault drops the connection before the request is handled
    let (s, _) =
        t.admin_post("/_emulator/faults", json!({"operation_id": "createProjectBranch", "kind": "drop_connection", "times": 1})).await;
    assert_eq!(s, 200);
    post_expecting_a_dropped_connection(&t, &format!("/projects/{pid}/branches"), json!({"branch": {"name": "never"}})).await;
    assert!(ids_of(&t.branches(&pid).await, "never").is_empty());
}

#[test]
fn the_after_handling_drop_is_the_drop_connection_kind_with_an_option() {
    use neonkit_emulator::{Fault, FaultKind};
    let f: Fault =
        serde_json::from_value(json!({"operation_id": "createProjectBranch", "kind": "drop_connection", "after_handling": true})).unwrap();
    assert!(matches!(f.kind, FaultKind::DropConnectionAfterHandling));
    assert_eq!(
        serde_json::to_value(&f).unwrap(),
        json!({"operation_id": "createProjectBranch", "kind": "drop_connection", "after_handling": true, "times": null})
    );
    let f: Fault = serde_json::from_value(json!({"kind": "drop_connection"})).unwrap();
    assert!(matches!(f.kind, FaultKind::DropConnection));
    assert_eq!(serde_json::to_value(&f).unwrap()["after_handling"], Value::Null, "the default is not spelled out");
    let f: Fault = serde_json::from_value(json!({"kind": "status", "status": 503})).unwrap();
    assert!(matches!(f.kind, FaultKind::Status { status: 503, retry_after: None }));
}
