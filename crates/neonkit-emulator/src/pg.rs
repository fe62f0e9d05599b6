//! `--postgres`: a real PostgreSQL behind the emulator. Either a private cluster
//! (`initdb` into a temporary folder, a free loopback port, the machine's binaries,
//! run as the unprivileged `postgres` user when the emulator runs as root, stopped
//! and removed with the emulator) or a running server given by URL.
//!
//! Every branch has its own physical databases and roles, named
//! `<name>__<branch id with _>` (e.g. `neondb__br_cool_sun_12345678`), so branches
//! and projects never collide in the one cluster. A branch is created as a copy of
//! its parent's databases (`CREATE DATABASE … TEMPLATE …`, after ending the other
//! sessions on the parent's databases, which a template copy needs), then the
//! copied objects are given to the branch's own roles (`REASSIGN OWNED`).
//!
//! The SQL goes through `psql` on stdin (never on a command line), synchronously:
//! the handlers are synchronous and this works under every tokio runtime flavour.
//! Errors carry PostgreSQL's `ERROR:` lines with every quoted literal redacted, so a
//! password never reaches a message or a log.

use crate::state::{Database, Role};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

/// How the emulator gets its PostgreSQL (`EmulatorConfig::postgres`).
#[derive(Clone, Default)]
pub struct PostgresConfig {
    /// Attach to this running server (`postgresql://user:password@host:port/db`, a
    /// superuser, or a role with CREATEROLE and CREATEDB) instead of starting a
    /// private cluster. The emulator creates its databases and roles there and
    /// drops them on reset and stop.
    pub url: Option<String>,
    /// The folder with `initdb`, `postgres`, `psql` and `pg_dump`; by default
    /// `$NEONKIT_PG_BIN`, else found on `PATH` or in `/usr/lib/postgresql/<newest>/bin`.
    pub bin_dir: Option<PathBuf>,
    /// Without PgBouncer even when it is installed: the pooled URIs are then the
    /// server's own (as they always are when `pgbouncer` is not found, or attached).
    pub no_pooler: bool,
    /// Keep the private cluster in this folder (made and initdb'd when it holds no
    /// cluster yet, started as it is when it does) and leave it there on stop;
    /// `--state FILE` sets it to `FILE.pgdata`. `None`: a temporary folder, removed on stop.
    pub data_dir: Option<PathBuf>,
}

/// The URL (and its password) is never printed.
impl std::fmt::Debug for PostgresConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresConfig")
            .field("url", &self.url.as_ref().map(|_| "<redacted>"))
            .field("bin_dir", &self.bin_dir)
            .field("no_pooler", &self.no_pooler)
            .field("data_dir", &self.data_dir)
            .finish()
    }
}

/// A PostgreSQL error, worded without secrets.
#[derive(Debug)]
pub struct PgError(pub String);

impl std::fmt::Display for PgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type Res<T> = Result<T, PgError>;

const INSTALL_HINT: &str = "install PostgreSQL (Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install postgresql`) \
or point NEONKIT_PG_BIN (PostgresConfig::bin_dir, --postgres-bin) at the folder holding initdb";

/// Where the admin connection goes.
#[derive(Clone, Debug)]
struct Conn {
    host: String,
    port: u16,
    user: String,
    password: Option<String>,
    dbname: String,
}

struct Local {
    dir: PathBuf,
    pid: u32,
    exited: mpsc::Receiver<()>,
    /// PgBouncer's process, when it runs.
    pooler: Option<(u32, mpsc::Receiver<()>)>,
    /// A given folder (`PostgresConfig::data_dir`) stays on stop.
    keep: bool,
}

/// The PostgreSQL behind the emulator.
pub struct Cluster {
    /// What the connection URIs name (the server's loopback address and port).
    pub host: String,
    pub port: u16,
    /// PgBouncer's port (session pooling), where the pooled URIs point; None = the server's.
    pub pooler_port: Option<u16>,
    admin: Conn,
    bin: PathBuf,
    local: Mutex<Option<Local>>,
    /// The databases and roles the emulator made (dropped on reset).
    made: Mutex<(BTreeSet<String>, BTreeSet<String>)>,
    stopped: std::sync::atomic::AtomicBool,
}

// ------------------------------------------------------------------ names

/// The physical name of a branch's (or snapshot's) database or role `name`.
pub fn phys(name: &str, owner_id: &str) -> String {
    let tag: String = owner_id.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let full = format!("{name}__{tag}");
    if full.len() <= 63 {
        return full;
    }
    // PostgreSQL cuts names at 63 bytes: keep the tag whole, shorten the name and
    // tell shortened names apart by a hash of the whole one
    let hash = fnv(name);
    let room = 63usize.saturating_sub(tag.len() + 2 + 9);
    let mut cut = room.min(name.len());
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{hash:08x}__{tag}", &name[..cut])
}

fn fnv(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

pub fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// PostgreSQL's complaint without anything quoted (literals may be passwords).
fn redact(stderr: &str) -> String {
    let lines: Vec<String> = stderr
        .lines()
        .filter(|l| l.contains("ERROR:") || l.contains("FATAL:") || l.contains("error:"))
        .map(|l| {
            let mut out = String::new();
            let mut in_quote = false;
            for c in l.chars() {
                if c == '\'' {
                    in_quote = !in_quote;
                    if in_quote {
                        out.push_str("'…'");
                    }
                    continue;
                }
                if !in_quote {
                    out.push(c);
                }
            }
            out.trim_start_matches("psql:<stdin>:").to_string()
        })
        .collect();
    if lines.is_empty() {
        "PostgreSQL command failed".to_string()
    } else {
        lines.join("; ")
    }
}

// ------------------------------------------------------------------ binaries

fn find_bin_dir(given: Option<&Path>) -> Res<PathBuf> {
    let has = |d: &Path| d.join("initdb").is_file() && d.join("postgres").is_file();
    if let Some(d) = given.map(Path::to_path_buf).or_else(|| std::env::var_os("NEONKIT_PG_BIN").map(PathBuf::from)) {
        if has(&d) {
            return Ok(d);
        }
        return Err(PgError(format!("no initdb and postgres in {}: {INSTALL_HINT}", d.display())));
    }
    find_bin_dir_default().ok_or_else(|| {
        PgError(format!("PostgreSQL's initdb was not found (looked on PATH and in /usr/lib/postgresql/*/bin): {INSTALL_HINT}"))
    })
}

/// `initdb` on PATH (symlinks followed: Debian links into `/usr/lib/postgresql/<v>/bin`),
/// else the newest `/usr/lib/postgresql/<v>/bin`.
pub fn find_bin_dir_default() -> Option<PathBuf> {
    let has = |d: &Path| d.join("initdb").is_file() && d.join("postgres").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            let f = d.join("initdb");
            if f.is_file() {
                let real = std::fs::canonicalize(&f).ok().and_then(|p| p.parent().map(Path::to_path_buf)).unwrap_or(d.clone());
                if has(&real) {
                    return Some(real);
                }
                if has(&d) {
                    return Some(d);
                }
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().to_str()?.parse::<u32>().ok()?, e.path().join("bin"))))
        .filter(|(_, d)| has(d))
        .collect();
    versions.sort();
    versions.pop().map(|(_, d)| d)
}

/// True when PostgreSQL's server binaries are on this machine (what `--postgres` needs).
pub fn binaries_available() -> bool {
    match std::env::var_os("NEONKIT_PG_BIN") {
        Some(d) => Path::new(&d).join("initdb").is_file() && Path::new(&d).join("postgres").is_file(),
        None => find_bin_dir_default().is_some(),
    }
}

fn tool(bin: &Path, name: &str) -> PathBuf {
    let p = bin.join(name);
    if p.is_file() {
        p
    } else {
        PathBuf::from(name)
    }
}

/// The uid and gid of an account, from /etc/passwd.
fn account(name: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 3 && f[0] == name).then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))?
    })
}

// ------------------------------------------------------------------ lifecycle

fn parse_url(url: &str) -> Res<Conn> {
    let bad = || PgError("expected postgresql://user:password@host:port/database".to_string());
    let rest = url.strip_prefix("postgresql://").or_else(|| url.strip_prefix("postgres://")).ok_or_else(bad)?;
    let (rest, _query) = rest.split_once('?').unwrap_or((rest, ""));
    let (auth, hostpart) = rest.rsplit_once('@').unwrap_or(("", rest));
    let (user, password) = match auth.split_once(':') {
        Some((u, p)) => (u, Some(p)),
        None => (auth, None),
    };
    let (hostport, dbname) = hostpart.split_once('/').unwrap_or((hostpart, ""));
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().map_err(|_| bad())?),
        None => (hostport, 5432),
    };
    let dec = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    Ok(Conn {
        host: if host.is_empty() { "127.0.0.1".into() } else { dec(host) },
        port,
        user: if user.is_empty() { "postgres".into() } else { dec(user) },
        password: password.map(dec),
        dbname: if dbname.is_empty() { "postgres".into() } else { dec(dbname) },
    })
}

impl Cluster {
    /// Starts a private cluster, or attaches to `config.url`. Blocking (about a second for initdb).
    pub fn start(config: &PostgresConfig) -> Res<Cluster> {
        if let Some(url) = &config.url {
            let admin = parse_url(url)?;
            let bin = config
                .bin_dir
                .clone()
                .or_else(|| std::env::var_os("NEONKIT_PG_BIN").map(PathBuf::from))
                .or_else(find_bin_dir_default)
                .unwrap_or_default();
            let c = Cluster {
                host: admin.host.clone(),
                port: admin.port,
                pooler_port: None,
                admin,
                bin,
                local: Mutex::new(None),
                made: Default::default(),
                stopped: Default::default(),
            };
            c.query("postgres", "SELECT 1").map_err(|e| PgError(format!("cannot reach that PostgreSQL server: {e}")))?;
            return Ok(c);
        }
        let bin = find_bin_dir(config.bin_dir.as_deref())?;
        let root = unsafe { libc::geteuid() } == 0;
        let run_as = if root {
            Some(account("postgres").ok_or_else(|| {
                PgError(format!("initdb refuses to run as root and there is no `postgres` user to run the cluster as: {INSTALL_HINT}"))
            })?)
        } else {
            None
        };
        let keep = config.data_dir.is_some();
        let dir = match &config.data_dir {
            Some(d) => std::path::absolute(d).map_err(|e| PgError(format!("{}: {e}", d.display())))?,
            None => {
                let base = temp_base(run_as.is_some());
                remove_stale_folders(&base);
                base.join(format!("neonkit-pg-{}-{:08x}", std::process::id(), rand::random::<u32>()))
            }
        };
        let data = dir.join("data");
        let existing = keep && data.join("PG_VERSION").is_file();
        if keep && run_as.is_some() && !reachable_by_others(&dir) {
            return Err(PgError(format!(
                "the cluster runs as the `postgres` user, who cannot enter every folder on the way to {}: \
                 keep the state file in a folder others may enter (e.g. /var/tmp)",
                dir.display()
            )));
        }
        std::fs::create_dir_all(&dir).map_err(|e| PgError(format!("cannot create {}: {e}", dir.display())))?;
        // a folder made here goes again when the start fails; a kept cluster stays
        let cleanup = |e: PgError| {
            if !existing {
                let _ = std::fs::remove_dir_all(&dir);
            }
            e
        };
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).map_err(|e| cleanup(PgError(format!("chown {}: {e}", dir.display()))))?;
        }
        let mut initdb = Command::new(bin.join("initdb"));
        initdb
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "-N"])
            .stdin(Stdio::null())
            .current_dir(&dir);
        as_user(&mut initdb, run_as);
        if !existing {
            let out = initdb.output().map_err(|e| cleanup(PgError(format!("cannot run initdb: {e}"))))?;
            if !out.status.success() {
                let msg = String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("").to_string();
                return Err(cleanup(PgError(format!("initdb failed: {msg}"))));
            }
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| cleanup(PgError(format!("no free port: {e}"))))?;
        let log = std::fs::File::create(dir.join("postgres.log")).map_err(|e| cleanup(PgError(format!("log file: {e}"))))?;
        if let Some((uid, gid)) = run_as {
            let _ = std::os::unix::fs::chown(dir.join("postgres.log"), Some(uid), Some(gid));
        }
        let mut cmd = Command::new(bin.join("postgres"));
        cmd.arg("-D").arg(&data).arg("-p").arg(port.to_string()).arg("-k").arg(&dir);
        for setting in [
            "listen_addresses=127.0.0.1",
            "fsync=off",
            "synchronous_commit=off",
            "full_page_writes=off",
            "shared_buffers=16MB",
            "max_connections=200",
            "max_wal_senders=0",
            "wal_level=minimal",
            "log_min_error_statement=panic",
            "log_min_messages=warning",
            "password_encryption=scram-sha-256",
        ] {
            cmd.arg("-c").arg(setting);
        }
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(log).current_dir(&dir);
        as_user(&mut cmd, run_as);
        // the server dies with the emulator's process, even when that is killed
        let (pid, exit_rx) = spawn_reaped(cmd, libc::SIGINT).map_err(|e| cleanup(PgError(format!("cannot start postgres: {e}"))))?;
        let mut c = Cluster {
            host: "127.0.0.1".into(),
            port,
            pooler_port: None,
            admin: Conn { host: dir.display().to_string(), port, user: "postgres".into(), password: None, dbname: "postgres".into() },
            bin,
            local: Mutex::new(Some(Local { dir: dir.clone(), pid, exited: exit_rx, pooler: None, keep })),
            made: Default::default(),
            stopped: Default::default(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if c.query("postgres", "SELECT 1").is_ok() {
                break;
            }
            let exited = c.local.lock().unwrap().as_ref().map(|l| l.exited.try_recv().is_ok()).unwrap_or(true);
            if exited || Instant::now() > deadline {
                let log = std::fs::read_to_string(dir.join("postgres.log")).unwrap_or_default();
                let last = log.lines().rev().take(3).collect::<Vec<_>>().join(" / ");
                c.shutdown();
                return Err(PgError(format!("postgres did not start: {last}")));
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        // connections to the maintenance databases are the admin's only
        c.exec("postgres", "REVOKE CONNECT ON DATABASE postgres FROM PUBLIC; REVOKE CONNECT ON DATABASE template1 FROM PUBLIC;")?;
        if !config.no_pooler {
            if let Some(pgbouncer) = find_pgbouncer() {
                match start_pgbouncer(&pgbouncer, &dir, port, run_as) {
                    Ok((pooler_port, pooler)) => {
                        c.pooler_port = Some(pooler_port);
                        if let Some(l) = c.local.get_mut().unwrap_or_else(|e| e.into_inner()).as_mut() {
                            l.pooler = Some(pooler);
                        }
                    }
                    Err(e) => tracing::warn!("PgBouncer did not start ({e}); the pooled URIs are the server's"),
                }
            }
        }
        Ok(c)
    }

    /// Stops a private cluster (fast shutdown) and removes its folder; idempotent.
    pub fn shutdown(&self) {
        if self.stopped.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let local = self.local.lock().unwrap_or_else(|e| e.into_inner()).take();
        let Some(local) = local else {
            // attached: leave nothing behind on the server
            self.drop_everything();
            return;
        };
        if let Some((pid, exited)) = &local.pooler {
            unsafe {
                libc::kill(*pid as i32, libc::SIGTERM);
            }
            let _ = exited.recv_timeout(Duration::from_secs(5));
        }
        unsafe {
            libc::kill(local.pid as i32, libc::SIGINT);
        }
        if local.exited.recv_timeout(Duration::from_secs(10)).is_err() {
            unsafe {
                libc::kill(local.pid as i32, libc::SIGKILL);
            }
            let _ = local.exited.recv_timeout(Duration::from_secs(5));
        }
        if !local.keep {
            let _ = std::fs::remove_dir_all(&local.dir);
        }
    }

    /// The databases and roles the emulator made (what `--state` records).
    pub fn made_names(&self) -> crate::persist::PgNames {
        let made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        crate::persist::PgNames { databases: made.0.iter().cloned().collect(), roles: made.1.iter().cloned().collect() }
    }

    /// Takes on the databases and roles a state file says the emulator made (reset drops them).
    pub fn adopt(&self, names: &crate::persist::PgNames) {
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        made.0.extend(names.databases.iter().cloned());
        made.1.extend(names.roles.iter().cloned());
    }

    // -------------------------------------------------------------- running SQL

    fn psql(&self, db: &str, sql: &str) -> Res<String> {
        let mut cmd = Command::new(tool(&self.bin, "psql"));
        cmd.args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]);
        self.env(&mut cmd, db);
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| PgError(format!("cannot run psql ({e}): {INSTALL_HINT}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(sql.as_bytes());
        }
        let out = child.wait_with_output().map_err(|e| PgError(format!("psql: {e}")))?;
        if !out.status.success() {
            return Err(PgError(redact(&String::from_utf8_lossy(&out.stderr))));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn env(&self, cmd: &mut Command, db: &str) {
        let a = &self.admin;
        for v in ["PGSERVICE", "PGSERVICEFILE", "PGPASSFILE", "PGOPTIONS", "PGSSLMODE"] {
            cmd.env_remove(v);
        }
        cmd.env("PGHOST", &a.host).env("PGPORT", a.port.to_string()).env("PGUSER", &a.user).env("PGCONNECT_TIMEOUT", "10");
        // `postgres` stands for the admin's own database
        cmd.env("PGAPPNAME", "neonkit-emulator").env("PGDATABASE", if db == "postgres" { &a.dbname } else { db });
        match &a.password {
            Some(p) => cmd.env("PGPASSWORD", p),
            None => cmd.env_remove("PGPASSWORD"),
        };
    }

    /// Runs statements in a database (`postgres` = the admin's database).
    pub fn exec(&self, db: &str, sql: &str) -> Res<()> {
        self.psql(db, sql).map(|_| ())
    }

    fn query(&self, db: &str, sql: &str) -> Res<String> {
        self.psql(db, sql)
    }

    fn admin_exec(&self, sql: &str) -> Res<()> {
        self.exec("postgres", sql)
    }

    fn note(&self, db: Option<&str>, role: Option<&str>) {
        let mut m = self.made.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(d) = db {
            m.0.insert(d.to_string());
        }
        if let Some(r) = role {
            m.1.insert(r.to_string());
        }
    }

    fn forget(&self, db: Option<&str>, role: Option<&str>) {
        let mut m = self.made.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(d) = db {
            m.0.remove(d);
        }
        if let Some(r) = role {
            m.1.remove(r);
        }
    }

    // -------------------------------------------------------------- the API's objects

    fn role_sql(phys_name: &str, role: &Role, create: bool) -> String {
        let verb = if create { "CREATE" } else { "ALTER" };
        if role.no_login {
            format!("{verb} ROLE {} NOLOGIN;", ident(phys_name))
        } else {
            format!("{verb} ROLE {} LOGIN PASSWORD {};", ident(phys_name), lit(&role.password))
        }
    }

    /// A role of a branch, with its password (or NOLOGIN).
    pub fn create_role(&self, owner_id: &str, role: &Role) -> Res<()> {
        let name = phys(&role.name, owner_id);
        self.admin_exec(&Self::role_sql(&name, role, true))?;
        self.note(None, Some(&name));
        Ok(())
    }

    pub fn set_password(&self, owner_id: &str, role: &Role) -> Res<()> {
        self.admin_exec(&Self::role_sql(&phys(&role.name, owner_id), role, false))
    }

    /// Drops a role: what it owns in a database goes to that database's owner, its
    /// privileges are revoked, then the role goes.
    pub fn drop_role(&self, owner_id: &str, name: &str) -> Res<()> {
        let name = phys(name, owner_id);
        let dbs = self.query(
            "postgres",
            &format!(
                "SELECT d.datname || E'\\t' || pg_get_userbyid(d.datdba) FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid \
                 WHERE s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = {}) AND d.datallowconn GROUP BY d.datname, d.datdba;",
                lit(&name)
            ),
        )?;
        for line in dbs.lines().filter(|l| !l.is_empty()) {
            let (db, db_owner) = line.split_once('\t').unwrap_or((line, "postgres"));
            let to = if db_owner == name { self.admin.user.clone() } else { db_owner.to_string() };
            self.exec(db, &format!("REASSIGN OWNED BY {} TO {}; DROP OWNED BY {};", ident(&name), ident(&to), ident(&name)))?;
        }
        self.admin_exec(&format!("DROP ROLE IF EXISTS {};", ident(&name)))?;
        self.forget(None, Some(&name));
        Ok(())
    }

    pub fn create_database(&self, owner_id: &str, db: &Database) -> Res<()> {
        let name = phys(&db.name, owner_id);
        self.admin_exec(&format!("CREATE DATABASE {} OWNER {};", ident(&name), ident(&phys(&db.owner_name, owner_id))))?;
        self.note(Some(&name), None);
        Ok(())
    }

    pub fn drop_database(&self, owner_id: &str, name: &str) -> Res<()> {
        let name = phys(name, owner_id);
        self.admin_exec(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE);", ident(&name)))?;
        self.forget(Some(&name), None);
        Ok(())
    }

    /// updateProjectBranchDatabase: a new name and/or owner.
    pub fn alter_database(&self, owner_id: &str, name: &str, new_name: Option<&str>, new_owner: Option<&str>) -> Res<()> {
        let mut cur = phys(name, owner_id);
        if let Some(n) = new_name.filter(|n| *n != name) {
            let to = phys(n, owner_id);
            self.terminate(&cur)?;
            self.admin_exec(&format!("ALTER DATABASE {} RENAME TO {};", ident(&cur), ident(&to)))?;
            self.forget(Some(&cur), None);
            self.note(Some(&to), None);
            cur = to;
        }
        if let Some(o) = new_owner {
            self.admin_exec(&format!("ALTER DATABASE {} OWNER TO {};", ident(&cur), ident(&phys(o, owner_id))))?;
        }
        Ok(())
    }

    /// Ends every other session on a database (what a template copy or a rename needs).
    fn terminate(&self, phys_db: &str) -> Res<()> {
        self.admin_exec(&terminate_sql(phys_db))
    }

    /// Copies a branch's (or snapshot's) databases to another owner id, with that
    /// owner's roles (`to_roles`, created here): the copies' objects move from
    /// each source role to the role of the same name.
    pub fn copy(&self, from_id: &str, dbs: &[Database], from_roles: &[Role], to_id: &str, to_roles: &[Role]) -> Res<()> {
        // one psql session per step: starting psql is most of a statement's cost
        let roles: String = to_roles.iter().map(|r| Self::role_sql(&phys(&r.name, to_id), r, true)).collect();
        if !roles.is_empty() {
            self.admin_exec(&roles)?;
            for r in to_roles {
                self.note(None, Some(&phys(&r.name, to_id)));
            }
        }
        for d in dbs {
            let (src, dst) = (phys(&d.name, from_id), phys(&d.name, to_id));
            // a template copy needs the source to have no other sessions: end them first
            let sql = format!(
                "{}\nCREATE DATABASE {} TEMPLATE {} OWNER {};",
                terminate_sql(&src),
                ident(&dst),
                ident(&src),
                ident(&phys(&d.owner_name, to_id))
            );
            let mut tries = 0;
            loop {
                match self.admin_exec(&sql) {
                    Ok(()) => break,
                    // a client reconnected between the two statements
                    Err(e) if e.0.contains("being accessed by other users") && tries < 20 => {
                        tries += 1;
                        std::thread::sleep(Duration::from_millis(25));
                    }
                    Err(e) => return Err(e),
                }
            }
            self.note(Some(&dst), None);
            let reassign: String = from_roles
                .iter()
                .filter(|r| to_roles.iter().any(|t| t.name == r.name))
                .map(|r| format!("REASSIGN OWNED BY {} TO {};\n", ident(&phys(&r.name, from_id)), ident(&phys(&r.name, to_id))))
                .collect();
            if !reassign.is_empty() {
                // REASSIGN OWNED also moves the shared objects (the source's databases): moved back below
                self.exec(&dst, &reassign)?;
            }
        }
        let owners: String = dbs
            .iter()
            .map(|d| format!("ALTER DATABASE {} OWNER TO {};\n", ident(&phys(&d.name, from_id)), ident(&phys(&d.owner_name, from_id))))
            .collect();
        if !owners.is_empty() {
            self.admin_exec(&owners)?;
        }
        Ok(())
    }

    /// Empties every table of a branch's databases (a `schema-only` branch keeps
    /// the copied schema without its rows).
    pub fn empty_tables(&self, owner_id: &str, dbs: &[Database]) -> Res<()> {
        for d in dbs {
            self.exec(
                &phys(&d.name, owner_id),
                "SELECT 'TRUNCATE ' || string_agg(c.oid::regclass::text, ', ') || ' CASCADE' FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') \
                 AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' \
                 HAVING count(*) > 0 \\gexec\n",
            )?;
        }
        Ok(())
    }

    /// Drops a branch's (or snapshot's) databases, then its roles.
    pub fn drop_all(&self, owner_id: &str, dbs: &[Database], roles: &[Role]) -> Res<()> {
        for d in dbs {
            self.drop_database(owner_id, &d.name)?;
        }
        for r in roles {
            self.drop_role(owner_id, &r.name)?;
        }
        Ok(())
    }

    /// A soft-deleted branch: its databases refuse connections and its roles cannot
    /// log in, until it is recovered (`open = true`).
    pub fn set_open(&self, owner_id: &str, dbs: &[Database], roles: &[Role], open: bool) -> Res<()> {
        let mut sql = String::new();
        for d in dbs {
            let name = phys(&d.name, owner_id);
            // CONNECT, not ALLOW_CONNECTIONS: the admin (and PgBouncer's auth_query) still get in
            let grant = if open { "GRANT CONNECT ON DATABASE {} TO PUBLIC" } else { "REVOKE CONNECT ON DATABASE {} FROM PUBLIC" };
            sql.push_str(&grant.replace("{}", &ident(&name)));
            sql.push_str(";\n");
        }
        for r in roles.iter().filter(|r| !r.no_login) {
            let login = if open { "LOGIN" } else { "NOLOGIN" };
            sql.push_str(&format!("ALTER ROLE {} {login};\n", ident(&phys(&r.name, owner_id))));
        }
        self.admin_exec(&sql)?;
        if !open {
            for d in dbs {
                self.terminate(&phys(&d.name, owner_id))?;
            }
        }
        Ok(())
    }

    /// `pg_dump --schema-only` of a branch's database, without owners, privileges,
    /// comments or blank lines: what two branches' schemas are compared on.
    pub fn schema(&self, owner_id: &str, db: &str) -> Res<String> {
        let mut cmd = Command::new(tool(&self.bin, "pg_dump"));
        cmd.args(["--schema-only", "--no-owner", "--no-privileges"]);
        self.env(&mut cmd, &phys(db, owner_id));
        cmd.stdin(Stdio::null());
        let out = cmd.output().map_err(|e| PgError(format!("cannot run pg_dump ({e}): {INSTALL_HINT}")))?;
        if !out.status.success() {
            return Err(PgError(redact(&String::from_utf8_lossy(&out.stderr))));
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with("--") && !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
            .map(|l| format!("{l}\n"))
            .collect())
    }

    /// Drops every database and role the emulator made (reset, and stop when attached).
    pub fn drop_everything(&self) {
        let (dbs, roles) = std::mem::take(&mut *self.made.lock().unwrap_or_else(|e| e.into_inner()));
        for d in &dbs {
            let _ = self.admin_exec(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE);", ident(d)));
        }
        if !roles.is_empty() {
            let list: Vec<String> = roles.iter().map(|r| ident(r)).collect();
            let _ = self.admin_exec(&format!("DROP ROLE IF EXISTS {};", list.join(", ")));
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn terminate_sql(phys_db: &str) -> String {
    format!("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = {} AND pid <> pg_backend_pid();", lit(phys_db))
}

/// Spawns a server from a thread that lives as long as it (the parent-death signal
/// follows the spawning thread) and reaps it; the server gets `signal` when the
/// emulator's process dies, even killed. Returns its pid and what says it exited.
fn spawn_reaped(mut cmd: Command, signal: i32) -> Result<(u32, mpsc::Receiver<()>), String> {
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, signal);
            Ok(())
        });
    }
    let (pid_tx, pid_rx) = mpsc::channel::<Result<u32, String>>();
    let (exit_tx, exit_rx) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("neonkit-postgres".into())
        .spawn(move || match cmd.spawn() {
            Ok(mut child) => {
                let _ = pid_tx.send(Ok(child.id()));
                let _ = child.wait();
                let _ = exit_tx.send(());
            }
            Err(e) => {
                let _ = pid_tx.send(Err(e.to_string()));
            }
        })
        .map_err(|e| e.to_string())?;
    let pid = pid_rx.recv().map_err(|e| e.to_string())??;
    Ok((pid, exit_rx))
}

fn find_pgbouncer() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join("pgbouncer")).find(|f| f.is_file()));
    on_path.or_else(|| Some(PathBuf::from("/usr/sbin/pgbouncer")).filter(|f| f.is_file()))
}

/// PgBouncer in front of the cluster, in session mode (Debian's 1.18 has no
/// prepared statements in transaction mode): clients authenticate with their
/// role's password (SCRAM, looked up with auth_query; a role that cannot log in
/// is refused at once), PgBouncer reaches the server over its Unix socket.
fn start_pgbouncer(exe: &Path, dir: &Path, pg_port: u16, run_as: Option<(u32, u32)>) -> Result<(u16, (u32, mpsc::Receiver<()>)), String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).map_err(|e| e.to_string())?;
    let ini = format!(
        "[databases]\n* = host={dir} port={pg_port}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
         auth_type = scram-sha-256\nauth_file = {dir}/userlist.txt\nauth_user = postgres\n\
         auth_query = SELECT rolname, rolpassword FROM pg_authid WHERE rolname = $1 AND rolcanlogin\n\
         server_login_retry = 1\nquery_wait_timeout = 10\npool_mode = session\nmax_client_conn = 500\n\
         default_pool_size = 50\nignore_startup_parameters = extra_float_digits,search_path,options\n\
         logfile = {dir}/pgbouncer.log\nlog_connections = 0\nlog_disconnections = 0\n",
        dir = dir.display()
    );
    std::fs::write(dir.join("pgbouncer.ini"), ini).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("userlist.txt"), "\"postgres\" \"\"\n").map_err(|e| e.to_string())?;
    if let Some((uid, gid)) = run_as {
        for f in ["pgbouncer.ini", "userlist.txt"] {
            let _ = std::os::unix::fs::chown(dir.join(f), Some(uid), Some(gid));
        }
    }
    let mut cmd = Command::new(exe);
    cmd.arg(dir.join("pgbouncer.ini")).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).current_dir(dir);
    as_user(&mut cmd, run_as);
    let (pid, exited) = spawn_reaped(cmd, libc::SIGTERM)?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if exited.try_recv().is_ok() {
            return Err("pgbouncer exited".into());
        }
        if Instant::now() > deadline {
            unsafe {
                libc::kill(pid as i32, libc::SIGTERM);
            }
            return Err("pgbouncer did not listen".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok((port, (pid, exited)))
}

/// Where the cluster's folder goes: the temporary folder, or `/tmp` when the
/// cluster runs as another user who could not reach a private `$TMPDIR`.
fn temp_base(other_user: bool) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let base = std::env::temp_dir();
    if !other_user {
        return base;
    }
    // every folder on the way must let others through
    let reachable = base.ancestors().all(|a| std::fs::metadata(a).map(|m| m.permissions().mode() & 0o001 != 0).unwrap_or(false));
    if reachable {
        base
    } else {
        PathBuf::from("/tmp")
    }
}

/// Whether the `postgres` user can reach `dir` (every folder above it lets others through).
fn reachable_by_others(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    dir.ancestors()
        .skip(1)
        .filter(|a| a.exists())
        .all(|a| std::fs::metadata(a).map(|m| m.permissions().mode() & 0o001 != 0).unwrap_or(false))
}

/// The folders of clusters whose emulator was killed (its server died with it,
/// the folder stayed): `neonkit-pg-<pid>-…` with no process `<pid>`.
fn remove_stale_folders(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else { return };
    for e in entries.filter_map(|e| e.ok()) {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("neonkit-pg-").and_then(|r| r.split('-').next()).and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() && Path::new("/proc/self").exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

fn as_user(cmd: &mut Command, run_as: Option<(u32, u32)>) {
    use std::os::unix::process::CommandExt;
    if let Some((uid, gid)) = run_as {
        cmd.gid(gid).uid(uid);
        cmd.env("HOME", "/tmp").env("USER", "postgres").env("LOGNAME", "postgres");
    }
}

// ------------------------------------------------------------------ what backs the API

/// With `--postgres` what the handlers change is real (`crate::backing`): the branch's
/// (or snapshot's) physical databases and roles, and URIs that connect.
impl crate::backing::Backing for Cluster {
    fn create_role(&self, owner_id: &str, role: &Role) -> Res<()> {
        Cluster::create_role(self, owner_id, role)
    }
    fn set_password(&self, owner_id: &str, role: &Role) -> Res<()> {
        Cluster::set_password(self, owner_id, role)
    }
    fn drop_role(&self, owner_id: &str, name: &str) -> Res<()> {
        Cluster::drop_role(self, owner_id, name)
    }
    fn create_database(&self, owner_id: &str, db: &Database) -> Res<()> {
        Cluster::create_database(self, owner_id, db)
    }
    fn drop_database(&self, owner_id: &str, name: &str) -> Res<()> {
        Cluster::drop_database(self, owner_id, name)
    }
    fn alter_database(&self, owner_id: &str, name: &str, new_name: Option<&str>, new_owner: Option<&str>) -> Res<()> {
        Cluster::alter_database(self, owner_id, name, new_name, new_owner)
    }
    fn copy(&self, from_id: &str, dbs: &[Database], from_roles: &[Role], to_id: &str, to_roles: &[Role]) -> Res<()> {
        Cluster::copy(self, from_id, dbs, from_roles, to_id, to_roles)
    }
    fn empty_tables(&self, owner_id: &str, dbs: &[Database]) -> Res<()> {
        Cluster::empty_tables(self, owner_id, dbs)
    }
    fn drop_all(&self, owner_id: &str, dbs: &[Database], roles: &[Role]) -> Res<()> {
        Cluster::drop_all(self, owner_id, dbs, roles)
    }
    fn set_open(&self, owner_id: &str, dbs: &[Database], roles: &[Role], open: bool) -> Res<()> {
        Cluster::set_open(self, owner_id, dbs, roles, open)
    }
    fn schema_dump(&self, owner_id: &str, db: &str) -> Res<Option<String>> {
        self.schema(owner_id, db).map(Some)
    }
    fn clear(&self) {
        self.drop_everything();
    }
    /// The local server and the branch's physical role and database, without TLS; the
    /// pooled one PgBouncer's port (the server's without it).
    fn connection_uri(&self, role: &Role, db: &str, ep: &crate::state::Endpoint, pooled: bool) -> String {
        use crate::backing::enc;
        let (user, dbname) = (phys(&role.name, &ep.branch_id), phys(db, &ep.branch_id));
        let port = if pooled { self.pooler_port.unwrap_or(self.port) } else { self.port };
        format!("postgresql://{}:{}@{}:{}/{}?sslmode=disable", enc(&user), enc(&role.password), self.host, port, enc(&dbname))
    }
    fn connection_parameters(&self, role: &Role, db: &str, ep: &crate::state::Endpoint) -> serde_json::Value {
        serde_json::json!({
            "database": phys(db, &ep.branch_id),
            "password": role.password,
            "role": phys(&role.name, &ep.branch_id),
            "host": self.host,
            "pooler_host": self.host,
        })
    }
}
