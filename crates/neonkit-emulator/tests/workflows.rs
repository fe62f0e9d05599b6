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
    async fn get_branch(&self, pid: &str, bid: &str) -> Value {
        let (s, v) = self.op("getProjectBranch", &format!("/projects/{pid}/branches/{bid}"), None).await;
        assert_eq!(s, 200, "{v}");
        v["branch"].clone()
    }
    async fn create_database(&self, pid: &str, bid: &str, name: &str) {
        let path = format!("/projects/{pid}/branches/{bid}/databases");
        let (s, v) =
            self.op("createProjectBranchDatabase", &path, Some(json!({"database": {"name": name, "owner_name": "neondb_owner"}}))).await;
        assert_eq!(s, 201, "{v}");
    }
    /// Waits until every operation of the project has finished.
    async fn wait_ops(&self, pid: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (_, v) = self.op("listProjectOperations", &format!("/projects/{pid}/operations?limit=1000"), None).await;
            if v["operations"].as_array().unwrap().iter().all(|o| o["status"] == "finished") {
                return;
            }
            assert!(Instant::now() < deadline, "operations never finished: {v}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    async fn endpoint_ids(&self, pid: &str, bid: &str) -> Vec<String> {
        let (s, v) = self.op("listProjectBranchEndpoints", &format!("/projects/{pid}/branches/{bid}/endpoints"), None).await;
        assert_eq!(s, 200, "{v}");
        v["endpoints"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()).collect()
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

// ------------------------------------------------------------------ reset from parent

fn actions(v: &Value) -> Vec<String> {
    v["operations"].as_array().unwrap().iter().map(|o| o["action"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn reset_from_parent_gives_the_branch_its_parents_head_and_keeps_its_id_and_endpoint() {
    let t = T::new(EmulatorConfig { operation_duration: Duration::from_millis(150), ..Default::default() }).await;
    let (pid, main, _) = t.project("reset").await;
    t.wait_ops(&pid).await;
    let dev = t.branch(&pid, json!({"branch": {"name": "dev"}, "endpoints": [{"type": "read_write"}]})).await;
    let dev_id = dev["branch"]["id"].as_str().unwrap().to_string();
    let dev_endpoint = dev["endpoints"][0]["id"].as_str().unwrap().to_string();
    t.wait_ops(&pid).await;
    t.create_database(&pid, &dev_id, "scratch").await;
    t.wait_ops(&pid).await;
    t.create_database(&pid, &main, "from_parent").await;
    t.wait_ops(&pid).await;
    let before = t.get_branch(&pid, &dev_id).await;

    let path = format!("/projects/{pid}/branches/{dev_id}/restore");
    let (s, v) = t.op("restoreProjectBranch", &path, Some(json!({"source_branch_id": main}))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["branch"]["id"], dev_id.as_str());
    assert_eq!(v["branch"]["parent_id"], main.as_str());
    assert_eq!(v["branch"]["current_state"], "resetting");
    assert_eq!(v["branch"]["pending_state"], "ready");
    assert!(v["branch"]["last_reset_at"].is_string(), "{v}");
    assert_ne!(v["branch"]["parent_lsn"], before["parent_lsn"]);
    assert!(v["branch"]["parent_timestamp"].is_string());
    assert_eq!(actions(&v), ["suspend_compute", "create_timeline", "start_compute"]);
    assert!(v["operations"].as_array().unwrap().iter().all(|o| o["status"] == "scheduling" || o["status"] == "running"), "{v}");
    // like any other operations they lock the project until they finish
    let (s, _) = t.op("restoreProjectBranch", &path, Some(json!({"source_branch_id": main}))).await;
    assert_eq!(s, 423);
    t.wait_ops(&pid).await;

    assert_eq!(t.get_branch(&pid, &dev_id).await["current_state"], "ready");
    assert_eq!(t.names(&pid, &dev_id, "databases").await, ["from_parent", "neondb"], "the child's own database is gone");
    assert_eq!(t.names(&pid, &dev_id, "roles").await, ["neondb_owner"]);
    assert_eq!(t.endpoint_ids(&pid, &dev_id).await, [dev_endpoint.as_str()]);
    assert_eq!(t.branches(&pid).await.len(), 2, "no backup without preserve_under_name");
}

#[tokio::test]
async fn restore_needs_preserve_under_name_for_a_branch_with_children_or_from_itself() {
    let t = T::zero_ops().await;
    let (pid, main, _) = t.project("preserve").await;
    let dev_id = t.branch(&pid, json!({"branch": {"name": "dev"}})).await["branch"]["id"].as_str().unwrap().to_string();
    let leaf = t.branch(&pid, json!({"branch": {"name": "leaf", "parent_id": dev_id}})).await["branch"]["id"].as_str().unwrap().to_string();
    t.create_database(&pid, &dev_id, "work").await;
    let path = format!("/projects/{pid}/branches/{dev_id}/restore");

    let (s, e) = t.op("restoreProjectBranch", &path, Some(json!({"source_branch_id": main}))).await;
    assert_eq!(s, 400);
    assert_eq!(e["message"], format!("preserve_under_name is required: branch \"{dev_id}\" has child branches"));
    let (s, e) = t.op("restoreProjectBranch", &path, Some(json!({"source_branch_id": main, "preserve_under_name": "leaf"}))).await;
    assert_eq!(s, 409, "{e}");
    assert_eq!(e["message"], "branch with name \"leaf\" already exists");
    let (s, e) = t.op("restoreProjectBranch", &path, Some(json!({"source_branch_id": "br-missing-00000000"}))).await;
    assert_eq!(s, 404, "{e}");
    assert_eq!(t.names(&pid, &dev_id, "databases").await, ["neondb", "work"], "refused restores change nothing");

    let (s, v) = t.op("restoreProjectBranch", &path, Some(json!({"source_branch_id": main, "preserve_under_name": "dev-before"}))).await;
    assert_eq!(s, 200, "{v}");
    let backup_ids = ids_of(&t.branches(&pid).await, "dev-before");
    assert_eq!(backup_ids.len(), 1);
    let backup = t.get_branch(&pid, &backup_ids[0]).await;
    assert_eq!(backup["parent_id"], main.as_str(), "the previous state keeps the previous parent");
    assert_eq!(t.names(&pid, &backup_ids[0], "databases").await, ["neondb", "work"], "the previous state is kept");
    assert_eq!(t.get_branch(&pid, &leaf).await["parent_id"], backup_ids[0].as_str(), "children move to the preserved branch");
    assert_eq!(t.names(&pid, &dev_id, "databases").await, ["neondb"]);

    // from itself: a point in time, and a name for what the branch was
    let (s, e) = t.op("restoreProjectBranch", &path, Some(json!({"source_branch_id": dev_id}))).await;
    assert_eq!(s, 400);
    assert_eq!(e["message"], "source_lsn or source_timestamp is required when source_branch_id is the branch itself");
    let (s, e) = t.op("restoreProjectBranch", &path, Some(json!({"source_branch_id": dev_id, "source_lsn": "0/1"}))).await;
    assert_eq!(s, 400);
    assert_eq!(e["message"], "preserve_under_name is required when source_branch_id is the branch itself");
    let body = json!({"source_branch_id": dev_id, "source_timestamp": "2025-01-01T00:00:00Z", "preserve_under_name": "dev-earlier"});
    let (s, v) = t.op("restoreProjectBranch", &path, Some(body)).await;
    assert_eq!(s, 200, "{v}");
    let earlier = ids_of(&t.branches(&pid).await, "dev-earlier").remove(0);
    assert_eq!(v["branch"]["parent_id"], earlier.as_str(), "the branch continues from its preserved past");
    assert_eq!(v["branch"]["parent_timestamp"], "2025-01-01T00:00:00Z");
}

// ------------------------------------------------------------------ snapshot restore

#[tokio::test]
async fn a_snapshot_restore_is_previewed_then_finalized_in_place_of_its_target() {
    let t = T::zero_ops().await;
    let (pid, main, created) = t.project("snapshots").await;
    let endpoint = created["endpoints"][0]["id"].as_str().unwrap().to_string();
    t.create_database(&pid, &main, "v1").await;
    let (s, sn) = t.op("createSnapshot", &format!("/projects/{pid}/branches/{main}/snapshot"), None).await;
    assert_eq!(s, 200, "{sn}");
    let snap = sn["snapshot"]["id"].as_str().unwrap().to_string();
    t.create_database(&pid, &main, "v2").await;

    // the preview: a new branch beside its target (the snapshot's source branch)
    let restore = format!("/projects/{pid}/snapshots/{snap}/restore");
    let (s, v) = t.op("restoreSnapshot", &restore, Some(json!({"name": "main"}))).await;
    assert_eq!(s, 409, "the preview needs a name of its own: {v}");
    let (s, v) = t.op("restoreSnapshot", &restore, Some(json!({"name": "preview"}))).await;
    assert_eq!(s, 200, "{v}");
    let restored = v["branch"]["id"].as_str().unwrap().to_string();
    assert_eq!(v["branch"]["name"], "preview");
    assert_eq!(v["branch"]["restore_status"], "restored");
    assert_eq!(v["branch"]["restored_as"], main.as_str());
    assert_eq!(v["branch"]["restored_from"], snap.as_str());
    assert_eq!(v["branch"]["default"], false);
    assert_eq!(v["endpoints"], json!([]));
    assert_eq!(actions(&v), ["create_branch"]);
    assert_eq!(t.names(&pid, &restored, "databases").await, ["neondb", "v1"], "the snapshot's data, not the head's");
    let target = t.get_branch(&pid, &main).await;
    assert_eq!((target["name"].as_str(), target["default"].as_bool()), (Some("main"), Some(true)));
    assert!(target.get("restore_status").is_none());
    assert_eq!(t.endpoint_ids(&pid, &main).await, [endpoint.as_str()]);

    // only an un-finalized restore can be finalized
    let finalize = |b: &str| format!("/projects/{pid}/branches/{b}/finalize_restore");
    let (s, e) = t.op("finalizeRestoreBranch", &finalize(&main), None).await;
    assert_eq!(s, 400);
    assert_eq!(e["message"], format!("branch \"{main}\" is not an un-finalized snapshot restore"));
    let (s, v) = t.op("finalizeRestoreBranch", &finalize(&restored), Some(json!({"name": "main-before-restore"}))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(actions(&v), ["suspend_compute", "start_compute"]);
    assert_eq!(v["operations"][0]["branch_id"], main.as_str());
    assert_eq!(v["operations"][1]["branch_id"], restored.as_str());
    let now_main = t.get_branch(&pid, &restored).await;
    assert_eq!(now_main["name"], "main");
    assert_eq!(now_main["default"], true);
    assert_eq!(now_main["restore_status"], "finalized");
    let previous = t.get_branch(&pid, &main).await;
    assert_eq!(previous["name"], "main-before-restore");
    assert_eq!(previous["default"], false);
    assert_eq!(t.endpoint_ids(&pid, &restored).await, [endpoint.as_str()], "the target's endpoint moved");
    assert!(t.endpoint_ids(&pid, &main).await.is_empty());
    let (s, e) = t.op("finalizeRestoreBranch", &finalize(&restored), None).await;
    assert_eq!(s, 400, "{e}");
    // the connection string of the default branch now reaches the restored data
    let (s, u) = t.op("getConnectionURI", &format!("/projects/{pid}/connection_uri?database_name=v1&role_name=neondb_owner"), None).await;
    assert_eq!(s, 200, "{u}");
    assert!(u["uri"].as_str().unwrap().contains(&format!("@{endpoint}.")));
}

#[tokio::test]
async fn a_snapshot_restore_can_be_finalized_at_once_or_dropped() {
    let t = T::zero_ops().await;
    let (pid, main, created) = t.project("snapshots-at-once").await;
    let endpoint = created["endpoints"][0]["id"].as_str().unwrap().to_string();
    let (_, sn) = t.op("createSnapshot", &format!("/projects/{pid}/branches/{main}/snapshot"), None).await;
    let restore = format!("/projects/{pid}/snapshots/{}/restore", sn["snapshot"]["id"].as_str().unwrap());
    let (s, e) = t.op("restoreSnapshot", &restore, Some(json!({"target_branch_id": "br-missing-00000000"}))).await;
    assert_eq!(s, 404, "{e}");

    // dropping the preview leaves the target as it was
    let (s, v) = t.op("restoreSnapshot", &restore, Some(json!({"name": "look"}))).await;
    assert_eq!(s, 200);
    let look = v["branch"]["id"].as_str().unwrap().to_string();
    assert_eq!(t.op("deleteProjectBranch", &format!("/projects/{pid}/branches/{look}"), None).await.0, 200);
    let target = t.get_branch(&pid, &main).await;
    assert_eq!((target["name"].as_str(), target["default"].as_bool()), (Some("main"), Some(true)));

    // a preview with a read-write endpoint of its own cannot take the target's
    let (s, v) = t.op("restoreSnapshot", &restore, Some(json!({"name": "with-compute"}))).await;
    assert_eq!(s, 200);
    let with_compute = v["branch"]["id"].as_str().unwrap().to_string();
    let (s, _) = t
        .op(
            "createProjectEndpoint",
            &format!("/projects/{pid}/endpoints"),
            Some(json!({"endpoint": {"branch_id": with_compute, "type": "read_write"}})),
        )
        .await;
    assert_eq!(s, 201);
    let (s, e) = t.op("finalizeRestoreBranch", &format!("/projects/{pid}/branches/{with_compute}/finalize_restore"), None).await;
    assert_eq!(s, 409, "{e}");
    assert!(e["message"].as_str().unwrap().contains("read-write endpoint"), "{e}");
    assert_eq!(t.op("deleteProjectBranch", &format!("/projects/{pid}/branches/{with_compute}"), None).await.0, 200);

    // finalize_restore: true swaps at once; the target gets Neon's <name>_old_<time>
    let (s, v) = t.op("restoreSnapshot", &restore, Some(json!({"finalize_restore": true}))).await;
    assert_eq!(s, 200, "{v}");
    let restored = v["branch"]["id"].as_str().unwrap().to_string();
    assert_eq!(v["branch"]["name"], "main");
    assert_eq!(v["branch"]["default"], true);
    assert_eq!(v["branch"]["restore_status"], "finalized");
    assert_eq!(v["endpoints"][0]["id"], endpoint.as_str());
    assert_eq!(actions(&v), ["create_branch", "suspend_compute", "start_compute"]);
    let old_name = t.get_branch(&pid, &main).await["name"].as_str().unwrap().to_string();
    assert!(old_name.starts_with("main_old_20") && old_name.ends_with('Z'), "{old_name}");
    assert_eq!(ids_of(&t.branches(&pid).await, "main"), [restored]);
}

// ------------------------------------------------------------------ schema comparison

#[tokio::test]
async fn compare_schema_diffs_against_the_parent_by_default_and_is_empty_when_nothing_changed() {
    let t = T::zero_ops().await;
    let (pid, main, _) = t.project("compare").await;
    let dev = t.branch(&pid, json!({"branch": {"name": "dev"}})).await["branch"]["id"].as_str().unwrap().to_string();
    let compare = |b: &str, query: &str| format!("/projects/{pid}/branches/{b}/compare_schema?{query}");

    let (s, v) = t.op("getProjectBranchSchemaComparison", &compare(&dev, "db_name=neondb"), None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["diff"], "", "a fresh child has its parent's schema");

    let (s, _) =
        t.op("createProjectBranchRole", &format!("/projects/{pid}/branches/{dev}/roles"), Some(json!({"role": {"name": "app"}}))).await;
    assert_eq!(s, 201);
    t.create_database(&pid, &dev, "extra").await;
    let (_, v) = t.op("getProjectBranchSchemaComparison", &compare(&dev, "db_name=neondb"), None).await;
    let expected = format!(
        "--- a/neondb ({main})\n+++ b/neondb ({dev})\n@@ -1,2 +1,4 @@\n+CREATE DATABASE extra OWNER neondb_owner;\n CREATE DATABASE neondb OWNER neondb_owner;\n+CREATE ROLE app;\n CREATE ROLE neondb_owner;\n"
    );
    assert_eq!(v["diff"], expected.as_str());
    // the same again (deterministic), and reversed with an explicit base
    let (_, again) = t.op("getProjectBranchSchemaComparison", &compare(&dev, "db_name=neondb"), None).await;
    assert_eq!(again, v);
    let (_, reversed) =
        t.op("getProjectBranchSchemaComparison", &compare(&main, &format!("db_name=neondb&base_branch_id={dev}")), None).await;
    let diff = reversed["diff"].as_str().unwrap();
    assert!(diff.contains("\n-CREATE ROLE app;\n") && diff.contains("\n-CREATE DATABASE extra OWNER neondb_owner;\n"), "{diff}");

    // db_name is required; the database must exist on both branches; a root branch needs a base
    let (s, e) = t.op("getProjectBranchSchemaComparison", &format!("/projects/{pid}/branches/{dev}/compare_schema"), None).await;
    assert_eq!(s, 400);
    assert!(e["message"].as_str().unwrap().contains("db_name"), "{e}");
    let (s, e) = t.op("getProjectBranchSchemaComparison", &compare(&dev, "db_name=extra"), None).await;
    assert_eq!(s, 404);
    assert_eq!(e["message"], format!("database \"extra\" on branch \"{main}\" not found"));
    let (s, e) = t.op("getProjectBranchSchemaComparison", &compare(&dev, "db_name=nope"), None).await;
    assert_eq!(s, 404);
    assert_eq!(e["message"], format!("database \"nope\" on branch \"{dev}\" not found"));
    let (s, e) = t.op("getProjectBranchSchemaComparison", &compare(&main, "db_name=neondb"), None).await;
    assert_eq!(s, 400);
    assert_eq!(e["message"], format!("branch \"{main}\" has no parent to compare with; give base_branch_id"));
    let (s, _) = t.op("getProjectBranchSchemaComparison", &compare(&dev, "db_name=neondb&base_branch_id=br-missing-00000000"), None).await;
    assert_eq!(s, 404);
}

// ------------------------------------------------------------------ connection URIs

#[tokio::test]
async fn connection_uri_picks_the_read_write_endpoint_and_names_what_is_missing() {
    let t = T::zero_ops().await;
    let (pid, main, created) = t.project("uris").await;
    let endpoint = created["endpoints"][0]["id"].as_str().unwrap().to_string();
    let password = created["roles"][0]["password"].as_str().unwrap().to_string();
    let uri = |query: &str| format!("/projects/{pid}/connection_uri?{query}");

    // the default branch when none is given; its read-write endpoint; the role's password
    let (s, v) = t.op("getConnectionURI", &uri("database_name=neondb&role_name=neondb_owner"), None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["uri"], format!("postgresql://neondb_owner:{password}@{endpoint}.us-east-2.aws.neon.tech/neondb?sslmode=require"));
    let (_, pooled) = t.op("getConnectionURI", &uri("database_name=neondb&role_name=neondb_owner&pooled=true"), None).await;
    assert_eq!(
        pooled["uri"],
        format!("postgresql://neondb_owner:{password}@{endpoint}-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require")
    );
    let (_, explicit) = t
        .op("getConnectionURI", &uri(&format!("branch_id={main}&endpoint_id={endpoint}&database_name=neondb&role_name=neondb_owner")), None)
        .await;
    assert_eq!(explicit["uri"], v["uri"]);

    // a read-only endpoint is used only when asked for
    let (s, ro) = t
        .op(
            "createProjectEndpoint",
            &format!("/projects/{pid}/endpoints"),
            Some(json!({"endpoint": {"branch_id": main, "type": "read_only"}})),
        )
        .await;
    assert_eq!(s, 201);
    let ro_id = ro["endpoint"]["id"].as_str().unwrap();
    let (_, again) = t.op("getConnectionURI", &uri("database_name=neondb&role_name=neondb_owner"), None).await;
    assert_eq!(again["uri"], v["uri"]);
    let (_, via_ro) =
        t.op("getConnectionURI", &uri(&format!("endpoint_id={ro_id}&database_name=neondb&role_name=neondb_owner")), None).await;
    assert!(via_ro["uri"].as_str().unwrap().contains(&format!("@{ro_id}.")), "{via_ro}");

    let (s, e) = t.op("getConnectionURI", &uri("database_name=nope&role_name=neondb_owner"), None).await;
    assert_eq!((s, e["message"].as_str()), (404, Some("database \"nope\" not found")));
    let (s, e) = t.op("getConnectionURI", &uri("database_name=neondb&role_name=nobody"), None).await;
    assert_eq!((s, e["message"].as_str()), (404, Some("role \"nobody\" not found")));
    let (s, _) = t.op("getConnectionURI", &uri("role_name=neondb_owner"), None).await;
    assert_eq!(s, 400, "database_name is required");
    // a branch without compute has no URI
    let bare = t.branch(&pid, json!({"branch": {"name": "bare"}})).await["branch"]["id"].as_str().unwrap().to_string();
    let (s, e) = t.op("getConnectionURI", &uri(&format!("branch_id={bare}&database_name=neondb&role_name=neondb_owner")), None).await;
    assert_eq!(s, 404);
    assert_eq!(e["message"], format!("read-write endpoint of branch \"{bare}\" not found"));
    let (s, e) = t
        .op("getConnectionURI", &uri(&format!("branch_id={bare}&endpoint_id={endpoint}&database_name=neondb&role_name=neondb_owner")), None)
        .await;
    assert_eq!(s, 404);
    assert_eq!(e["message"], format!("endpoint \"{endpoint}\" of branch \"{bare}\" not found"));
}

// ------------------------------------------------------------------ organizations (org_id="auto")

async fn org_ids(t: &T, key: &str) -> Vec<String> {
    let (s, v) = t.op_as(key, "getCurrentUserOrganizations", "/users/me/organizations", None).await;
    assert_eq!(s, 200, "{v}");
    v["organizations"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_personal_key_lists_the_users_organizations_and_the_admin_api_adds_more() {
    let t = T::zero_ops().await;
    let me = t.emu.api_key().to_string();
    let seeded = org_ids(&t, &me).await;
    assert_eq!(seeded.len(), 1, "the dev user starts with exactly one organization");
    let (s, auth) = t.op("getAuthDetails", "/auth", None).await;
    assert_eq!(s, 200);
    assert_eq!(auth["auth_method"], "api_key_user");

    let (s, second) = t.admin_post("/_emulator/organizations", json!({"name": "Second org"})).await;
    assert_eq!(s, 201, "{second}");
    let second_id = second["id"].as_str().unwrap().to_string();
    assert!(second_id.starts_with("org-"));
    assert_eq!(second["name"], "Second org");
    spec().validate(spec().schema("Organization"), &second).unwrap();
    let third_id = t.emu.add_organization("Third org");
    assert_eq!(org_ids(&t, &me).await, [seeded[0].clone(), second_id.clone(), third_id]);
    let (s, o) = t.op("getOrganization", &format!("/organizations/{second_id}"), None).await;
    assert_eq!((s, o["name"].as_str()), (200, Some("Second org")));
    let (_, members) = t.op("getOrganizationMembers", &format!("/organizations/{second_id}/members"), None).await;
    assert_eq!(members["members"][0]["member"]["role"], "admin");
    assert_eq!(members["members"][0]["user"]["email"], "dev@neonkit.invalid");
    assert_eq!(t.admin_post("/_emulator/organizations", json!({})).await.0, 400);

    // a personal key puts a project in the org its body names; without one, the first org
    let (s, v) = t.op("createProject", "/projects", Some(json!({"project": {"name": "p2", "org_id": second_id}}))).await;
    assert_eq!(s, 201);
    assert_eq!(v["project"]["org_id"], second_id.as_str());
    let (_, v) = t.op("createProject", "/projects", Some(json!({"project": {"name": "p1"}}))).await;
    assert_eq!(v["project"]["org_id"], seeded[0].as_str());
    let (s, _) = t.op("createProject", "/projects", Some(json!({"project": {"org_id": "org-missing-00000000"}}))).await;
    assert_eq!(s, 404);

    // reset brings back the seed: one organization
    let (s, _) = t.admin_post("/_emulator/reset", json!({})).await;
    assert_eq!(s, 200);
    let after = org_ids(&t, &me).await;
    assert_eq!(after.len(), 1);
    assert_eq!(t.op("getOrganization", &format!("/organizations/{second_id}"), None).await.0, 404);
}

#[tokio::test]
async fn an_org_api_key_authenticates_as_its_organization_and_creates_projects_there() {
    let t = T::zero_ops().await;
    let second = t.emu.add_organization("Team");
    let (s, k) = t.op("createOrgApiKey", &format!("/organizations/{second}/api_keys"), Some(json!({"key_name": "ci"}))).await;
    assert_eq!(s, 200, "{k}");
    let org_key = k["key"].as_str().unwrap().to_string();

    let (s, auth) = t.op_as(&org_key, "getAuthDetails", "/auth", None).await;
    assert_eq!(s, 200);
    assert_eq!(auth["auth_method"], "api_key_org");
    assert_eq!(auth["account_id"], second.as_str(), "the organization is the account");
    assert_eq!(org_ids(&t, &org_key).await, [second.as_str()], "an org key sees its organization only");

    let (s, v) = t.op_as(&org_key, "createProject", "/projects", Some(json!({"project": {"name": "team-project"}}))).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["project"]["org_id"], second.as_str());
    let first = org_ids(&t, t.emu.api_key()).await.remove(0);
    let (s, _) = t.op_as(&org_key, "createProject", "/projects", Some(json!({"project": {"org_id": first}}))).await;
    assert_eq!(s, 403, "another organization's project");
    let (_, listed) = t.op_as(&org_key, "listProjects", "/projects", None).await;
    let orgs: Vec<&str> = listed["projects"].as_array().unwrap().iter().map(|p| p["org_id"].as_str().unwrap()).collect();
    assert_eq!(orgs, [second.as_str()]);
}
