//! Fixtures (`POST /_emulator/fixtures`, `Emulator::seed`) and `--state FILE`
//! (`EmulatorConfig::state_file`), over real HTTP on 127.0.0.1: what a fixture
//! seeds is what the API then answers, a bad fixture is refused with the path of
//! the bad field and leaves nothing behind, and the state (with `--postgres`, the
//! data too) survives a restart while a file from another version is refused.

use neonkit_emulator::{Emulator, EmulatorConfig, PostgresConfig};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

struct T {
    emu: Emulator,
    http: reqwest::Client,
}

impl T {
    async fn with(config: EmulatorConfig) -> T {
        T { emu: Emulator::start(config).await.expect("emulator"), http: reqwest::Client::new() }
    }
    async fn new() -> T {
        T::with(EmulatorConfig { operation_duration: Duration::ZERO, ..Default::default() }).await
    }
    async fn send(&self, method: &str, url: String, body: Option<Value>) -> (u16, Value) {
        let mut rb = self.http.request(method.parse().unwrap(), url).bearer_auth(self.emu.api_key());
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, serde_json::from_str(&resp.text().await.unwrap()).unwrap_or(Value::Null))
    }
    async fn api(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.send(method, format!("{}{path}", self.emu.base_url()), body).await
    }
    async fn seed(&self, fixture: Value) -> (u16, Value) {
        self.send("POST", format!("{}/_emulator/fixtures", self.emu.base_url().trim_end_matches("/api/v2")), Some(fixture)).await
    }
}

fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let rem = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

fn days_ago(n: i64) -> String {
    rfc3339(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64 - n * 86_400)
}

#[tokio::test]
async fn a_seeded_project_is_what_the_api_answers() {
    let t = T::new().await;
    let (made, old, recent) = (days_ago(60), days_ago(40), days_ago(2));
    let (s, v) = t
        .seed(json!({"projects": [{
            "id": "seeded-shop-12345678",
            "name": "shop",
            "created_at": made,
            "branches": [
                {"name": "main", "databases": [{"name": "app", "owner_name": "app_owner"}], "roles": [{"name": "app_owner", "password": "npg_seededsecret1"}]},
                {"id": "br-old-preview-1", "name": "preview/pr-1", "parent_id": "main", "created_at": old},
                {"name": "preview/pr-2", "parent_id": "br-old-preview-1", "created_at": recent, "endpoints": []}
            ],
            "operations": [
                {"action": "create_branch", "branch_id": "preview/pr-1", "status": "finished", "created_at": old, "total_duration_ms": 1500},
                {"action": "start_compute", "branch_id": "main", "status": "failed", "error": "compute did not start"}
            ]
        }]}))
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["projects"][0]["id"], "seeded-shop-12345678");
    let branches = v["projects"][0]["branches"].as_array().unwrap();
    assert_eq!(branches.len(), 3);
    assert_eq!(branches[1]["id"], "br-old-preview-1");
    assert_eq!(branches[0]["endpoint_ids"].as_array().unwrap().len(), 1, "{v}");
    assert!(branches[2]["endpoint_ids"].as_array().unwrap().is_empty(), "{v}");
    let main_id = branches[0]["id"].as_str().unwrap().to_string();
    let pr2 = branches[2]["id"].as_str().unwrap().to_string();

    let (s, p) = t.api("GET", "/projects/seeded-shop-12345678", None).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["project"]["name"], "shop");
    assert_eq!(p["project"]["created_at"], made);
    let (_, list) = t.api("GET", "/projects/seeded-shop-12345678/branches", None).await;
    let by_name = |n: &str| list["branches"].as_array().unwrap().iter().find(|b| b["name"] == n).cloned().unwrap();
    assert_eq!(by_name("main")["default"], true);
    assert_eq!(by_name("preview/pr-1")["created_at"], old);
    assert_eq!(by_name("preview/pr-1")["parent_id"], main_id.as_str());
    assert_eq!(by_name("preview/pr-2")["parent_id"], "br-old-preview-1");
    assert_eq!(by_name("preview/pr-2")["current_state"], "ready");

    // a child branch has its parent's databases and roles (the password too)
    let (_, dbs) = t.api("GET", &format!("/projects/seeded-shop-12345678/branches/{pr2}/databases"), None).await;
    assert_eq!(dbs["databases"][0]["name"], "app", "{dbs}");
    assert_eq!(dbs["databases"][0]["owner_name"], "app_owner");
    let (_, pw) = t.api("GET", &format!("/projects/seeded-shop-12345678/branches/{pr2}/roles/app_owner/reveal_password"), None).await;
    assert_eq!(pw["password"], "npg_seededsecret1", "{pw}");

    // operations as given, newest first
    let (_, ops) = t.api("GET", "/projects/seeded-shop-12345678/operations", None).await;
    let ops = ops["operations"].as_array().unwrap().clone();
    assert_eq!(ops.len(), 2, "{ops:?}");
    let created = ops.iter().find(|o| o["action"] == "create_branch").unwrap();
    assert_eq!(created["status"], "finished");
    assert_eq!(created["created_at"], old);
    assert_eq!(created["total_duration_ms"], 1500);
    let failed = ops.iter().find(|o| o["action"] == "start_compute").unwrap();
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["error"], "compute did not start");

    // a "stale branches" query: older than 30 days
    let cutoff = days_ago(30);
    let stale: Vec<&str> = list["branches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["default"] != true && b["created_at"].as_str().unwrap() < cutoff.as_str())
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(stale, ["preview/pr-1"]);

    // what is seeded is the API's own: it can be deleted, and the seeded connection URI names its role
    let (s, _) = t.api("DELETE", "/projects/seeded-shop-12345678/branches/br-old-preview-1", None).await;
    assert_eq!(s, 400, "a branch with a child cannot go");
    let (s, _) = t.api("DELETE", &format!("/projects/seeded-shop-12345678/branches/{pr2}"), None).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn a_project_left_bare_gets_what_create_project_makes() {
    let t = T::new().await;
    let (s, v) = t.seed(json!({"projects": [{"name": "bare"}]})).await;
    assert_eq!(s, 201, "{v}");
    let id = v["projects"][0]["id"].as_str().unwrap();
    let (_, b) = t.api("GET", &format!("/projects/{id}/branches"), None).await;
    assert_eq!(b["branches"][0]["name"], "main");
    let bid = b["branches"][0]["id"].as_str().unwrap();
    let (_, uri) = t.api("GET", &format!("/projects/{id}/connection_uri?database_name=neondb&role_name=neondb_owner"), None).await;
    assert!(uri["uri"].as_str().unwrap().starts_with("postgresql://neondb_owner:"), "{uri}");
    let (_, eps) = t.api("GET", &format!("/projects/{id}/branches/{bid}/endpoints"), None).await;
    assert_eq!(eps["endpoints"][0]["type"], "read_write");
    assert_eq!(eps["endpoints"][0]["current_state"], "idle");
}

#[tokio::test]
async fn a_bad_fixture_names_the_field_and_leaves_nothing_behind() {
    let t = T::new().await;
    let good = json!({"name": "fine"});
    for (bad, path) in [
        (json!({"name": 7}), "$.projects[1].name"),
        (json!({"colour": "red"}), "$.projects[1].colour"),
        (json!({"cpu_used_sec": 3}), "$.projects[1].cpu_used_sec"),
        (json!({"created_at": "yesterday"}), "$.projects[1].created_at"),
        (json!({"region_id": "mars-1"}), "$.projects[1].region_id"),
        (json!({"branches": [{"name": "main"}, {"name": "dev", "parent_id": "nope"}]}), "$.projects[1].branches[1].parent_id"),
        (json!({"branches": [{"name": "main", "current_state": "ready"}]}), "$.projects[1].branches[0].current_state"),
        (
            json!({"branches": [{"name": "main", "databases": [{"name": "d", "owner_name": "ghost"}]}]}),
            "$.projects[1].branches[0].databases[0].owner_name",
        ),
        (
            json!({"branches": [{"name": "main", "endpoints": [{"type": "read_write"}, {"type": "read_write"}]}]}),
            "$.projects[1].branches[0].endpoints[1].type",
        ),
        (json!({"operations": [{"action": "teleport"}]}), "$.projects[1].operations[0].action"),
        (json!({"operations": [{"action": "create_branch", "branch_id": "br-missing-1"}]}), "$.projects[1].operations[0].branch_id"),
    ] {
        let (s, v) = t.seed(json!({"projects": [good, bad]})).await;
        assert_eq!(s, 400, "{bad}: {v}");
        assert_eq!(v["code"], "invalid_fixture");
        let message = v["message"].as_str().unwrap();
        assert!(message.starts_with(path), "{bad}: {message:?} should name {path}");
        let (_, list) = t.api("GET", "/projects", None).await;
        assert!(list["projects"].as_array().unwrap().is_empty(), "nothing of a refused fixture stays: {list}");
    }
    let (s, v) = t.seed(json!({"project": []})).await;
    assert_eq!(s, 400);
    assert!(v["message"].as_str().unwrap().starts_with("$.project:"), "{v}");

    // an id taken by the store
    let (s, _) = t.seed(json!({"projects": [{"id": "taken-project-1"}]})).await;
    assert_eq!(s, 201);
    let (s, v) = t.seed(json!({"projects": [{"id": "taken-project-1"}]})).await;
    assert_eq!(s, 400);
    assert!(v["message"].as_str().unwrap().starts_with("$.projects[0].id"), "{v}");
}

#[tokio::test]
async fn rust_seed_is_the_same_as_the_control_surface() {
    let t = T::new().await;
    let seeded = t.emu.seed(&json!({"projects": [{"name": "from-rust"}]})).unwrap();
    let id = seeded["projects"][0]["id"].as_str().unwrap();
    let (s, p) = t.api("GET", &format!("/projects/{id}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(p["project"]["name"], "from-rust");
    let err = t.emu.seed(&json!({"projects": [{"pg_version": "seventeen"}]})).unwrap_err();
    assert!(err.starts_with("$.projects[0].pg_version"), "{err}");
}

fn temp_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("neonkit-state-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("state.json")
}

fn with_state(file: &Path) -> EmulatorConfig {
    EmulatorConfig { operation_duration: Duration::ZERO, state_file: Some(file.to_path_buf()), ..Default::default() }
}

#[tokio::test]
async fn state_survives_a_restart() {
    let file = temp_file("restart");
    let t = T::with(with_state(&file)).await;
    let (s, v) = t.api("POST", "/projects", Some(json!({"project": {"name": "kept"}}))).await;
    assert_eq!(s, 201);
    let id = v["project"]["id"].as_str().unwrap().to_string();
    let (s, b) = t.api("POST", &format!("/projects/{id}/branches"), Some(json!({"branch": {"name": "dev"}}))).await;
    assert_eq!(s, 201);
    let (s, k) = t.api("POST", "/api_keys", Some(json!({"key_name": "ci"}))).await;
    assert_eq!(s, 200, "{k}");
    let token = k["key"].as_str().unwrap().to_string();
    t.emu.seed(&json!({"projects": [{"id": "seeded-too-1", "created_at": days_ago(9)}]})).unwrap();
    t.emu.stop().await;
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o077, 0, "only its owner reads it");

    let t = T::with(with_state(&file)).await;
    let (s, p) = t.api("GET", &format!("/projects/{id}"), None).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["project"]["name"], "kept");
    let (_, list) = t.api("GET", &format!("/projects/{id}/branches"), None).await;
    let names: Vec<&str> = list["branches"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"dev") && names.contains(&"main"), "{names:?}");
    assert_eq!(list["branches"].as_array().unwrap().iter().find(|x| x["name"] == "dev").unwrap()["id"], b["branch"]["id"]);
    let (_, seeded) = t.api("GET", "/projects/seeded-too-1", None).await;
    assert_eq!(seeded["project"]["created_at"], days_ago(9));
    // the API key made before the restart still works
    let resp = t.http.get(format!("{}/projects/{id}", t.emu.base_url())).bearer_auth(&token).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    // and what changes now is kept too: a reset empties the file's store
    let (s, _) = t.send("POST", format!("{}/_emulator/reset", t.emu.base_url().trim_end_matches("/api/v2")), None).await;
    assert_eq!(s, 200);
    t.emu.stop().await;
    let t = T::with(with_state(&file)).await;
    let (_, list) = t.api("GET", "/projects", None).await;
    assert!(list["projects"].as_array().unwrap().is_empty(), "{list}");
}

#[tokio::test]
async fn the_state_file_is_written_while_the_emulator_runs() {
    let file = temp_file("running");
    let t = T::with(with_state(&file)).await;
    let (s, _) = t.api("POST", "/projects", Some(json!({"project": {"name": "soon-on-disk"}}))).await;
    assert_eq!(s, 201);
    // written shortly after the change, not only at stop (a killed emulator keeps it)
    let mut found = false;
    for _ in 0..100 {
        if std::fs::read_to_string(&file).unwrap_or_default().contains("soon-on-disk") {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(found, "the state file holds the new project within 2 s");
    t.emu.stop().await;
}

#[tokio::test]
async fn a_state_file_from_another_version_or_damaged_is_refused() {
    let file = temp_file("version");
    let t = T::with(with_state(&file)).await;
    t.api("POST", "/projects", Some(json!({"project": {"name": "x"}}))).await;
    t.emu.stop().await;
    let text = std::fs::read_to_string(&file).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["version"] = json!("0.0.1-other");
    std::fs::write(&file, doc.to_string()).unwrap();
    let err = Emulator::start(with_state(&file)).await.err().expect("refused");
    let m = err.to_string();
    assert!(m.contains("0.0.1-other") && m.contains("refusing to load"), "{m}");
    // the refused file is left as it was
    assert_eq!(serde_json::from_str::<Value>(&std::fs::read_to_string(&file).unwrap()).unwrap()["version"], "0.0.1-other");

    std::fs::write(&file, &text[..text.len() / 2]).unwrap();
    let m = Emulator::start(with_state(&file)).await.err().expect("refused").to_string();
    assert!(m.contains("not a neonkit-emulator state file") || m.contains("damaged"), "{m}");
    std::fs::write(&file, "{\"hello\": 1}").unwrap();
    let m = Emulator::start(with_state(&file)).await.err().expect("refused").to_string();
    assert!(m.contains("not a neonkit-emulator state file"), "{m}");
}

fn postgres_here() -> bool {
    if Emulator::postgres_available() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("CI is set and PostgreSQL's binaries (initdb, postgres) are missing: apt-get install postgresql");
    }
    eprintln!("skipping: PostgreSQL's binaries are not installed (apt-get install postgresql)");
    false
}

async fn sql(uri: &str, statements: &str) -> Vec<tokio_postgres::SimpleQueryMessage> {
    let (client, conn) = tokio_postgres::connect(uri, tokio_postgres::NoTls).await.expect("connects");
    tokio::spawn(conn);
    client.simple_query(statements).await.expect("runs")
}

fn rows(msgs: &[tokio_postgres::SimpleQueryMessage]) -> Vec<String> {
    msgs.iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(String::from),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn with_postgres_seeded_branches_are_real_and_the_data_survives_a_restart() {
    if !postgres_here() {
        return;
    }
    let file = temp_file("postgres");
    let config = || EmulatorConfig { postgres: Some(PostgresConfig::default()), ..with_state(&file) };
    let t = T::with(config()).await;
    let seeded = t.emu.seed(&json!({"projects": [{"id": "real-data-1", "branches": [{"name": "main"}]}]})).unwrap();
    let main = seeded["projects"][0]["branches"][0]["id"].as_str().unwrap().to_string();
    let uri_of = |v: &Value| v["uri"].as_str().unwrap().to_string();
    let (_, u) = t.api("GET", "/projects/real-data-1/connection_uri?database_name=neondb&role_name=neondb_owner&pooled=false", None).await;
    let main_uri = uri_of(&u);
    sql(&main_uri, "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('kept across restarts');").await;
    // a branch seeded later copies main's data as of then
    let (s, b) = t
        .api("POST", "/projects/real-data-1/branches", Some(json!({"branch": {"name": "dev"}, "endpoints": [{"type": "read_write"}]})))
        .await;
    assert_eq!(s, 201, "{b}");
    let dev = b["branch"]["id"].as_str().unwrap().to_string();
    t.emu.stop().await;
    assert!(file.with_file_name("state.json.pgdata").join("data").join("PG_VERSION").is_file(), "the cluster stays beside the file");

    let t = T::with(config()).await;
    let (_, u) = t.api("GET", "/projects/real-data-1/connection_uri?database_name=neondb&role_name=neondb_owner&pooled=false", None).await;
    assert_eq!(rows(&sql(&uri_of(&u), "SELECT body FROM notes").await), ["kept across restarts"]);
    let (_, u) = t
        .api(
            "GET",
            &format!("/projects/real-data-1/connection_uri?branch_id={dev}&database_name=neondb&role_name=neondb_owner&pooled=false"),
            None,
        )
        .await;
    assert_eq!(rows(&sql(&uri_of(&u), "SELECT body FROM notes").await), ["kept across restarts"]);
    let _ = main;

    // started without --postgres, a file written with it is refused
    t.emu.stop().await;
    let m = Emulator::start(with_state(&file)).await.err().expect("refused").to_string();
    assert!(m.contains("start with postgres"), "{m}");
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
}
