//! `--postgres` (`EmulatorConfig::postgres`): the preview-branch story end to end,
//! over HTTP to the emulator and SQL (tokio-postgres, and psql where it is
//! installed) to the connection URIs it returns. Every body is checked against the
//! spec.
//!
//! They need PostgreSQL's server binaries (`apt-get install postgresql`; `cargo xtask
//! test` installs them, and `pgbouncer`, which the pooled URIs then go through). Without them they are skipped with a printed reason, unless
//! `CI` is set: then they fail.

use neonkit_emulator::spec::spec;
use neonkit_emulator::{Emulator, EmulatorConfig, PostgresConfig};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_postgres::NoTls;

/// False (after saying why) when the tests cannot run here.
fn postgres_here() -> bool {
    if Emulator::postgres_available() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("CI is set and PostgreSQL's binaries (initdb, postgres) are missing: apt-get install postgresql");
    }
    eprintln!(
        "skipping: PostgreSQL's binaries (initdb, postgres) are not installed (apt-get install postgresql); set CI to make this a failure"
    );
    false
}

struct T {
    emu: Emulator,
    http: reqwest::Client,
}

impl T {
    /// With PgBouncer in front when it is installed.
    async fn new() -> T {
        T::with(PostgresConfig::default()).await
    }

    async fn with(pg: PostgresConfig) -> T {
        let config = EmulatorConfig { operation_duration: Duration::ZERO, postgres: Some(pg), ..Default::default() };
        T { emu: Emulator::start(config).await.expect("emulator with --postgres"), http: reqwest::Client::new() }
    }

    async fn op(&self, op: &str, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.try_op(op, path, body).await;
        assert_eq!(status, spec().op(op).unwrap().success_status, "{op} {path}: {v}");
        v
    }

    /// A request for `op`: a success carries a spec-valid body.
    async fn try_op(&self, op: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let o = spec().op(op).unwrap_or_else(|| panic!("no operation {op}"));
        let mut rb = self.http.request(o.method.parse().unwrap(), format!("{}{path}", self.emu.base_url())).bearer_auth(self.emu.api_key());
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.unwrap();
        let status = resp.status().as_u16();
        let v: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            if let Some(schema) = &o.success_schema {
                spec().validate(schema, &v).unwrap_or_else(|e| panic!("{op}: {e}: {v}"));
            }
        }
        (status, v)
    }

    async fn uri(&self, project: &str, branch: &str, db: &str, role: &str, pooled: bool) -> String {
        let q = format!("/projects/{project}/connection_uri?branch_id={branch}&database_name={db}&role_name={role}&pooled={pooled}");
        self.op("getConnectionURI", &q, None).await["uri"].as_str().unwrap().to_string()
    }
}

/// A connected client (its connection driven on the runtime).
async fn connect(uri: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, conn) = tokio_postgres::connect(uri, NoTls).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

async fn sql(uri: &str, statements: &str) {
    let c = connect(uri).await.unwrap_or_else(|e| panic!("connecting: {e}"));
    c.batch_execute(statements).await.unwrap_or_else(|e| panic!("{statements}: {e}"));
}

async fn notes(uri: &str) -> Vec<String> {
    let c = connect(uri).await.unwrap_or_else(|e| panic!("connecting: {e}"));
    let rows = c.query("SELECT body FROM notes ORDER BY id", &[]).await.unwrap();
    rows.iter().map(|r| r.get::<_, String>(0)).collect()
}

/// psql connects with the URI as given, when it is installed.
fn psql_reads(uri: &str, query: &str) -> Option<String> {
    let out = std::process::Command::new("psql").args(["-X", "-A", "-t", "-c", query, uri]).output().ok()?;
    assert!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_branch_story() {
    if !postgres_here() {
        return;
    }
    let t = T::new().await;
    let created = t.op("createProject", "/projects", Some(json!({"project": {"name": "story"}}))).await;
    let pid = created["project"]["id"].as_str().unwrap().to_string();
    let main = created["branch"]["id"].as_str().unwrap().to_string();
    let main_uri = created["connection_uris"][0]["connection_uri"].as_str().unwrap().to_string();
    let (host, port) = t.emu.postgres_addr().unwrap();
    assert!(main_uri.contains(&format!("@{host}:{port}/")) && main_uri.ends_with("sslmode=disable"), "{main_uri}");
    let params = &created["connection_uris"][0]["connection_parameters"];
    assert_eq!(params["host"], "127.0.0.1");
    assert_eq!(params["password"], created["roles"][0]["password"]);

    // a table and a row on main, through its URI
    sql(&main_uri, "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL); INSERT INTO notes (body) VALUES ('from main');").await;
    // getConnectionURI gives the same (direct and pooled both connect)
    let direct = t.uri(&pid, &main, "neondb", "neondb_owner", false).await;
    let pooled = t.uri(&pid, &main, "neondb", "neondb_owner", true).await;
    assert_eq!(direct, main_uri);
    assert_eq!(notes(&pooled).await, ["from main"]);
    if let Some(out) = psql_reads(&main_uri, "SELECT body FROM notes") {
        assert_eq!(out, "from main");
    }

    // a preview branch: a copy of main as of now
    let keep_open = connect(&main_uri).await.unwrap();
    let br = t
        .op(
            "createProjectBranch",
            &format!("/projects/{pid}/branches"),
            Some(json!({"branch": {"name": "preview"}, "endpoints": [{"type": "read_write"}]})),
        )
        .await;
    drop(keep_open);
    let bid = br["branch"]["id"].as_str().unwrap().to_string();
    let br_uri = br["connection_uris"][0]["connection_uri"].as_str().unwrap().to_string();
    assert_ne!(br_uri, main_uri);
    assert_eq!(t.uri(&pid, &bid, "neondb", "neondb_owner", false).await, br_uri);
    let br_pooled = t.uri(&pid, &bid, "neondb", "neondb_owner", true).await;
    assert_eq!(notes(&br_uri).await, ["from main"]);
    assert_eq!(notes(&br_pooled).await, ["from main"]);

    // a write (and a migration) on the branch leaves main unchanged
    sql(&br_uri, "INSERT INTO notes (body) VALUES ('from preview'); ALTER TABLE notes ADD COLUMN done boolean;").await;
    assert_eq!(notes(&br_uri).await, ["from main", "from preview"]);
    assert_eq!(notes(&main_uri).await, ["from main"]);

    // the schema comparison is a real diff: the branch's new column
    let diff =
        t.op("getProjectBranchSchemaComparison", &format!("/projects/{pid}/branches/{bid}/compare_schema?db_name=neondb"), None).await;
    let diff = diff["diff"].as_str().unwrap();
    assert!(diff.contains(&format!("--- a/neondb ({main})")), "{diff}");
    assert!(diff.lines().any(|l| l.starts_with('+') && l.contains("done boolean")), "{diff}");
    assert!(diff.lines().any(|l| l.starts_with(' ') && l.contains("CREATE TABLE public.notes")), "{diff}");
    let same = t
        .op(
            "getProjectBranchSchemaComparison",
            &format!("/projects/{pid}/branches/{main}/compare_schema?db_name=neondb&base_branch_id={main}"),
            None,
        )
        .await;
    assert_eq!(same["diff"], "");
    let dump = t.op("getProjectBranchSchema", &format!("/projects/{pid}/branches/{bid}/schema?db_name=neondb"), None).await;
    assert!(dump["sql"].as_str().unwrap().contains("CREATE TABLE public.notes"), "{dump}");

    // reset from the parent: the branch's write is gone, its URI still connects
    t.op("restoreProjectBranch", &format!("/projects/{pid}/branches/{bid}/restore"), Some(json!({"source_branch_id": main}))).await;
    assert_eq!(notes(&br_uri).await, ["from main"]);
    sql(&main_uri, "INSERT INTO notes (body) VALUES ('main again');").await;
    assert_eq!(notes(&br_uri).await, ["from main"]);

    // deleted, the branch's URI refuses connections
    t.op("deleteProjectBranch", &format!("/projects/{pid}/branches/{bid}"), None).await;
    assert!(connect(&br_uri).await.is_err(), "a deleted branch's URI still connects");
    assert!(connect(&br_pooled).await.is_err(), "a deleted branch's pooled URI still connects");
    assert_eq!(notes(&main_uri).await, ["from main", "main again"]);
    t.emu.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_and_databases_are_real() {
    if !postgres_here() {
        return;
    }
    let t = T::new().await;
    let created = t.op("createProject", "/projects", Some(json!({"project": {}}))).await;
    let pid = created["project"]["id"].as_str().unwrap().to_string();
    let main = created["branch"]["id"].as_str().unwrap().to_string();
    let base = format!("/projects/{pid}/branches/{main}");

    // a role logs in with the password the API reveals; a reset changes it
    let role = t.op("createProjectBranchRole", &format!("{base}/roles"), Some(json!({"role": {"name": "app"}}))).await;
    let db = t
        .op("createProjectBranchDatabase", &format!("{base}/databases"), Some(json!({"database": {"name": "shop", "owner_name": "app"}})))
        .await;
    assert_eq!(db["database"]["name"], "shop");
    let uri = t.uri(&pid, &main, "shop", "app", false).await;
    assert!(uri.contains(role["role"]["password"].as_str().unwrap()));
    sql(&uri, "CREATE TABLE items (n int); INSERT INTO items VALUES (7);").await;
    let revealed = t.op("getProjectBranchRolePassword", &format!("{base}/roles/app/reveal_password"), None).await;
    assert_eq!(revealed["password"], role["role"]["password"]);
    let reset = t.op("resetProjectBranchRolePassword", &format!("{base}/roles/app/reset_password"), Some(json!({}))).await;
    assert_ne!(reset["role"]["password"], role["role"]["password"]);
    assert!(connect(&uri).await.is_err(), "the old password still works");
    let old_pooled = t
        .uri(&pid, &main, "shop", "app", true)
        .await
        .replace(reset["role"]["password"].as_str().unwrap(), role["role"]["password"].as_str().unwrap());
    assert!(connect(&old_pooled).await.is_err(), "the old password still works through the pooler");
    let uri = t.uri(&pid, &main, "shop", "app", false).await;
    connect(&t.uri(&pid, &main, "shop", "app", true).await).await.expect("the new password through the pooler");
    let c = connect(&uri).await.unwrap();
    let n: i32 = c.query_one("SELECT n FROM items", &[]).await.unwrap().get(0);
    assert_eq!(n, 7);
    drop(c);

    // a branch has its own copy of every database, owned by its own roles
    let br = t.op("createProjectBranch", &format!("/projects/{pid}/branches"), Some(json!({"endpoints": [{"type": "read_write"}]}))).await;
    let bid = br["branch"]["id"].as_str().unwrap().to_string();
    let br_uri = t.uri(&pid, &bid, "shop", "app", false).await;
    sql(&br_uri, "INSERT INTO items VALUES (8); CREATE TABLE more (x int);").await;
    let c = connect(&uri).await.unwrap();
    let count: i64 = c.query_one("SELECT count(*) FROM items", &[]).await.unwrap().get(0);
    assert_eq!(count, 1);
    drop(c);

    // deleted, a database and a role are gone
    t.op("deleteProjectBranchDatabase", &format!("{base}/databases/shop"), None).await;
    assert!(connect(&uri).await.is_err(), "a deleted database still connects");
    t.op("deleteProjectBranchRole", &format!("{base}/roles/app"), None).await;
    let owner_uri = t.uri(&pid, &main, "neondb", "neondb_owner", false).await;
    let c = connect(&owner_uri).await.unwrap();
    let roles: i64 = c
        .query_one("SELECT count(*) FROM pg_roles WHERE rolname = $1", &[&format!("app__{}", main.replace('-', "_"))])
        .await
        .unwrap()
        .get(0);
    assert_eq!(roles, 0);
    drop(c);
    // the branch's copies are untouched
    let c = connect(&br_uri).await.unwrap();
    let count: i64 = c.query_one("SELECT count(*) FROM items", &[]).await.unwrap().get(0);
    assert_eq!(count, 2);
    drop(c);

    // reset of the emulator drops everything; stop removes the cluster
    let (_, port) = t.emu.postgres_addr().unwrap();
    t.emu.reset();
    assert!(connect(&owner_uri).await.is_err(), "reset left a database behind");
    t.emu.stop().await;
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the cluster outlived the emulator");
}

// on a current-thread runtime too (the SQL runs synchronously in the handlers)
#[tokio::test]
async fn snapshot_restore_copies_the_data() {
    if !postgres_here() {
        return;
    }
    // without PgBouncer: the pooled URI is the server's
    let t = T::with(PostgresConfig { no_pooler: true, ..Default::default() }).await;
    let created = t.op("createProject", "/projects", Some(json!({"project": {}}))).await;
    let pid = created["project"]["id"].as_str().unwrap().to_string();
    let main = created["branch"]["id"].as_str().unwrap().to_string();
    let uri = created["connection_uris"][0]["connection_uri"].as_str().unwrap().to_string();
    sql(&uri, "CREATE TABLE notes (id serial PRIMARY KEY, body text); INSERT INTO notes (body) VALUES ('before');").await;
    let snap = t.op("createSnapshot", &format!("/projects/{pid}/branches/{main}/snapshot"), None).await;
    let sid = snap["snapshot"]["id"].as_str().unwrap().to_string();
    sql(&uri, "INSERT INTO notes (body) VALUES ('after');").await;
    let restored = t.op("restoreSnapshot", &format!("/projects/{pid}/snapshots/{sid}/restore"), Some(json!({"name": "back"}))).await;
    let rid = restored["branch"]["id"].as_str().unwrap().to_string();
    t.op(
        "createProjectEndpoint",
        &format!("/projects/{pid}/endpoints"),
        Some(json!({"endpoint": {"branch_id": rid, "type": "read_only"}})),
    )
    .await;
    let q = format!("/projects/{pid}/connection_uri?branch_id={rid}&database_name=neondb&role_name=neondb_owner");
    let (status, v) = t.try_op("getConnectionURI", &q, None).await;
    if status == 200 {
        let r_uri = v["uri"].as_str().unwrap();
        assert_eq!(notes(r_uri).await, ["before"]);
    } else {
        // read-only endpoints: give its id
        let eps = t.op("listProjectBranchEndpoints", &format!("/projects/{pid}/branches/{rid}/endpoints"), None).await;
        let ep = eps["endpoints"][0]["id"].as_str().unwrap();
        let v = t.op("getConnectionURI", &format!("{q}&endpoint_id={ep}"), None).await;
        assert_eq!(notes(v["uri"].as_str().unwrap()).await, ["before"]);
    }
    assert_eq!(notes(&uri).await, ["before", "after"]);
    let pooled = t.uri(&pid, &main, "neondb", "neondb_owner", true).await;
    assert_eq!(pooled, uri);

    // a schema-only branch has the tables without their rows
    let br = t
        .op(
            "createProjectBranch",
            &format!("/projects/{pid}/branches"),
            Some(json!({"branch": {"init_source": "schema-only"}, "endpoints": [{"type": "read_write"}]})),
        )
        .await;
    let empty: Vec<String> = notes(br["connection_uris"][0]["connection_uri"].as_str().unwrap()).await;
    assert!(empty.is_empty(), "{empty:?}");
    assert_eq!(notes(&uri).await, ["before", "after"]);
    t.emu.stop().await;
}

#[tokio::test]
async fn a_missing_binary_names_the_package() {
    let config = EmulatorConfig {
        postgres: Some(PostgresConfig { bin_dir: Some("/nonexistent/postgresql/bin".into()), ..Default::default() }),
        ..Default::default()
    };
    let e = Emulator::start(config).await.err().expect("start without binaries");
    let msg = e.to_string();
    assert!(msg.contains("apt-get install postgresql"), "{msg}");
}

/// A PostgreSQL server the emulator does not own, as `postgres_url` expects one:
/// its own cluster in a temporary folder with a password-protected superuser on
/// loopback TCP, run as the `postgres` account when the tests run as root (initdb
/// refuses root). Dropping it stops the server and removes the folder.
struct OutsideServer {
    child: std::process::Child,
    dir: std::path::PathBuf,
    port: u16,
}

impl OutsideServer {
    const ADMIN: &'static str = "outside_admin";
    const PASSWORD: &'static str = "outside-pw-1";

    fn start() -> OutsideServer {
        use std::os::unix::process::CommandExt;
        let bin =
            std::env::var_os("NEONKIT_PG_BIN").map(std::path::PathBuf::from).or_else(newest_bin_dir).expect("PostgreSQL's bin folder");
        // the account the server runs as: ours, or `postgres` when we are root
        let account = (unsafe { libc::geteuid() } == 0).then(|| {
            let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
            let f: Vec<&str> =
                passwd.lines().map(|l| l.split(':').collect::<Vec<_>>()).find(|f| f[0] == "postgres").expect("a postgres user");
            (f[2].parse::<u32>().unwrap(), f[3].parse::<u32>().unwrap())
        });
        let as_account = |cmd: &mut std::process::Command| {
            if let Some((uid, gid)) = account {
                cmd.uid(uid).gid(gid);
            }
        };
        let dir = std::env::temp_dir().join(format!("neonkit-outside-pg-{}-{:08x}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        if let Some((uid, gid)) = account {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).unwrap();
        }
        let pwfile = dir.join("pw");
        std::fs::write(&pwfile, Self::PASSWORD).unwrap();
        if let Some((uid, gid)) = account {
            std::os::unix::fs::chown(&pwfile, Some(uid), Some(gid)).unwrap();
        }
        let mut initdb = std::process::Command::new(bin.join("initdb"));
        initdb
            .arg("-D")
            .arg(dir.join("data"))
            .args(["-U", Self::ADMIN, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "-N"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .current_dir(&dir);
        as_account(&mut initdb);
        let out = initdb.output().unwrap();
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut server = std::process::Command::new(bin.join("postgres"));
        server.arg("-D").arg(dir.join("data")).arg("-p").arg(port.to_string()).arg("-k").arg(&dir);
        for s in ["listen_addresses=127.0.0.1", "fsync=off", "max_connections=100", "shared_buffers=16MB"] {
            server.arg("-c").arg(s);
        }
        server.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).current_dir(&dir);
        as_account(&mut server);
        let child = server.spawn().unwrap();
        let s = OutsideServer { child, dir, port };
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "the outside server did not start");
            std::thread::sleep(Duration::from_millis(30));
        }
        s
    }

    fn url(&self) -> String {
        format!("postgresql://{}:{}@127.0.0.1:{}/postgres", Self::ADMIN, Self::PASSWORD, self.port)
    }

    /// One value of a query, as the server's own admin (retried while the server starts up).
    async fn admin_query(&self, sql: &str) -> i64 {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            match connect(&format!("{}?sslmode=disable", self.url())).await {
                Ok(c) => return c.query_one(sql, &[]).await.unwrap().get(0),
                Err(e) if std::time::Instant::now() > deadline => panic!("the outside server: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }
}

/// Debian's newest `/usr/lib/postgresql/<version>/bin`.
fn newest_bin_dir() -> Option<std::path::PathBuf> {
    let mut v: Vec<(u32, std::path::PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, d)| d.join("initdb").is_file())
        .collect();
    v.sort();
    v.pop().map(|(_, d)| d)
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
}

impl Drop for OutsideServer {
    fn drop(&mut self) {
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGINT);
        }
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `postgres_url`: on a server it does not own, the emulator's roles and databases
/// are real and its branches copy data; stopped, it leaves the server running with
/// nothing of its own on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attaches_to_a_server_given_by_url() {
    if !postgres_here() {
        return;
    }
    let outside = OutsideServer::start();
    let databases_before = outside.admin_query("SELECT count(*) FROM pg_database").await;
    let roles_before = outside.admin_query("SELECT count(*) FROM pg_roles").await;

    let t = T::with(PostgresConfig { url: Some(outside.url()), ..Default::default() }).await;
    assert_eq!(t.emu.postgres_addr(), Some(("127.0.0.1".to_string(), outside.port)));
    let created = t.op("createProject", "/projects", Some(json!({"project": {"name": "attached"}}))).await;
    let pid = created["project"]["id"].as_str().unwrap().to_string();
    let main_uri = created["connection_uris"][0]["connection_uri"].as_str().unwrap().to_string();
    assert!(main_uri.contains(&format!("@127.0.0.1:{}/", outside.port)), "{main_uri}");
    // no pooler of its own on an attached server: the pooled URI is the server's
    let main = created["branch"]["id"].as_str().unwrap().to_string();
    let pooled = t.uri(&pid, &main, "neondb", "neondb_owner", true).await;
    assert!(pooled.contains(&format!(":{}/", outside.port)), "{pooled}");

    sql(&main_uri, "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL); INSERT INTO notes (body) VALUES ('outside');").await;
    let br = t.op("createProjectBranch", &format!("/projects/{pid}/branches"), Some(json!({"endpoints": [{"type": "read_write"}]}))).await;
    let br_uri = br["connection_uris"][0]["connection_uri"].as_str().unwrap().to_string();
    assert_eq!(notes(&br_uri).await, ["outside"]);
    sql(&br_uri, "INSERT INTO notes (body) VALUES ('branch');").await;
    assert_eq!(notes(&main_uri).await, ["outside"]);
    assert!(outside.admin_query("SELECT count(*) FROM pg_database").await >= databases_before + 2);

    t.emu.stop().await;
    assert!(connect(&main_uri).await.is_err(), "the emulator's database outlived it");
    assert_eq!(outside.admin_query("SELECT count(*) FROM pg_database").await, databases_before);
    assert_eq!(outside.admin_query("SELECT count(*) FROM pg_roles").await, roles_before);
}
