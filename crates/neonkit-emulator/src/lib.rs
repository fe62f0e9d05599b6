//! neonkit-emulator: a local, stateful, in-memory Neon Management API v2.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use neonkit_emulator::{Emulator, EmulatorConfig};
//! let emu = Emulator::start(EmulatorConfig::default()).await?;
//! println!("{} (key {})", emu.base_url(), emu.api_key());
//! emu.stop().await;
//! # Ok(()) }
//! ```
//!
//! Every operation of the vendored spec (`spec/generated/neon-openapi.yaml`, the vendored document with its overlay) is routed under
//! `/api/v2`. Without a configured key the emulator accepts [`DEV_API_KEY`].
//! An admin API under `/_emulator` (no auth) drives faults, counters, config and reset.
//!
//! With [`EmulatorConfig::postgres`] (the binary's `--postgres`) a real PostgreSQL is
//! behind the API: a private cluster (or a server given by URL) where every role and
//! database is real, each branch has its own copies, and the connection URIs connect.

mod backing;
mod clock;
mod families;
mod fixtures;
#[cfg(feature = "handle")]
pub mod handle;
mod handlers;
mod persist;
mod pg;
mod server;
#[doc(hidden)]
pub mod spec;
mod state;
mod util;

pub use pg::PostgresConfig;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// The API key accepted when no key is configured.
pub const DEV_API_KEY: &str = "neonkit-dev-key";

/// How the emulator behaves. `Default` gives an ephemeral port, [`DEV_API_KEY`],
/// 20 ms operations, locking on, rate limits off, no latency and no faults.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// 0 = an ephemeral port (the default).
    pub port: u16,
    /// Accepted from the start; `None` means [`DEV_API_KEY`].
    pub api_key: Option<String>,
    /// How long operations take to go scheduling → running → finished; ZERO = finished at once.
    pub operation_duration: Duration,
    /// `423 Locked` when a mutation conflicts with a running operation on the same project.
    pub locking: bool,
    /// Neon's rate limits: 700 requests/minute and 40/s burst, per route.
    pub rate_limits: bool,
    /// Added to every response.
    pub latency: Duration,
    /// Random faults.
    pub fault_rates: FaultRates,
    /// Deterministic ids and faults when set.
    pub seed: Option<u64>,
    /// Closes a keep-alive connection idle for longer than this, as load
    /// balancers do; `None` keeps idle connections open.
    pub idle_timeout: Option<Duration>,
    /// A real PostgreSQL behind the API (`--postgres`): every role and database is
    /// real, branches copy their parent's data, connection URIs connect. `None`
    /// (the default) keeps everything in memory.
    pub postgres: Option<PostgresConfig>,
    /// Keeps the state in this file across restarts (`--state FILE`): loaded at
    /// start when it exists (a file from another version, or damaged, is refused:
    /// the start fails and nothing of it is used), written shortly after each change
    /// and on stop. With [`EmulatorConfig::postgres`] the private cluster's data stays
    /// beside it, in `FILE.pgdata`. Branch logs and the clock are not kept.
    pub state_file: Option<std::path::PathBuf>,
    /// How the emulator's messages name its options (`--state` or `state_file`).
    pub option_names: OptionNames,
}

/// How the emulator's messages name its options: as the command line's flags
/// (`--postgres-url`), or as a testing helper's options (`postgres_url` in
/// Rust and Python, `postgresUrl` in Node, Kotlin and Swift). The default is
/// snake_case, the names of [`EmulatorConfig`]'s fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OptionNames {
    Flags,
    #[default]
    Snake,
    Camel,
}

impl OptionNames {
    /// The name of an emulator option of spec/vocabulary.yaml (`postgres_url`), not a
    /// duration (`latencyMs` carries its unit); the handle's tests hold the camelCase
    /// names equal to the vocabulary's.
    pub fn of(self, option: &str) -> String {
        match self {
            OptionNames::Flags if option == "state_file" => "--state".into(),
            OptionNames::Flags => format!("--{}", option.replace('_', "-")),
            OptionNames::Snake => option.into(),
            OptionNames::Camel => {
                let mut words = option.split('_');
                let mut out = words.next().unwrap_or_default().to_string();
                for w in words {
                    let mut c = w.chars();
                    out.extend(c.next().map(|f| f.to_ascii_uppercase()));
                    out.push_str(c.as_str());
                }
                out
            }
        }
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            port: 0,
            api_key: None,
            operation_duration: Duration::from_millis(20),
            locking: true,
            rate_limits: false,
            latency: Duration::ZERO,
            fault_rates: FaultRates::default(),
            seed: None,
            idle_timeout: None,
            postgres: None,
            state_file: None,
            option_names: OptionNames::default(),
        }
    }
}

/// Probabilities (0.0–1.0) of random faults, rolled once per API request.
#[derive(Clone, Debug, Default)]
pub struct FaultRates {
    pub status_429: f64,
    pub status_500: f64,
    pub status_503: f64,
    pub drop_connection: f64,
    pub truncate_body: f64,
}

/// A fault aimed at one operation (or all of them).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Fault {
    /// The operationId to aim at (e.g. "createProjectBranch"); None = every route.
    #[serde(default)]
    pub operation_id: Option<String>,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Apply to the next N matching requests; None = until cleared.
    #[serde(default)]
    pub times: Option<u32>,
}

/// What a fault does. As JSON (`POST /_emulator/faults`) it is tagged by `kind`:
/// `status` (+ `status`, `retry_after`, `after_handling`), `drop_connection` (+ `after_handling`),
/// `truncate_body`, `latency` (+ `ms`), `fail_operation` (+ `error`), `merge_body` (+ `body`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(from = "FaultKindJson", into = "FaultKindJson")]
pub enum FaultKind {
    /// A Neon-style error body with this status; 423 uses Neon's locked message;
    /// 429 sets `Retry-After` when given.
    Status { status: u16, retry_after: Option<String> },
    /// Handle the request (what it creates or changes is applied), then answer
    /// with this status instead: a 500 to a POST that did make the resource.
    /// JSON: `{"kind": "status", "status": 500, "after_handling": true}`.
    StatusAfterHandling { status: u16 },
    /// Close the connection before any response bytes; the request is not handled.
    DropConnection,
    /// Handle the request (what it creates or changes is applied), then close the
    /// connection without a response: a client that lost the answer to a POST must
    /// look the resource up rather than send the POST again.
    /// JSON: `{"kind": "drop_connection", "after_handling": true}`.
    DropConnectionAfterHandling,
    /// Send the headers with the full Content-Length, then cut the body short and close.
    TruncateBody,
    /// Hold the response back: the request is handled when it arrives, its answer
    /// is sent `ms` later (so concurrent lookups all see the state of their arrival).
    Latency { ms: u64 },
    /// The request succeeds, but the operations it creates end in status "failed".
    FailOperation { error: Option<String> },
    /// Handle the request normally, then JSON-merge-patch (RFC 7386) its answer with
    /// `body` when the status is 2xx and the answer is JSON: objects merge
    /// recursively, `null` deletes a key, anything else replaces what is there
    /// (arrays as a whole). So a test can make the emulator send what the spec does
    /// not list, e.g. an enum value Neon added later:
    /// `{"kind": "merge_body", "body": {"endpoint": {"current_state": "hibernating"}}}`.
    /// It combines with the other kinds (a latency, a truncated body, …).
    MergeBody { body: serde_json::Value },
}

/// The JSON shape of a [`FaultKind`]: one `kind` per behaviour family, with options.
#[derive(Clone, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum FaultKindJson {
    Status {
        status: u16,
        #[serde(default)]
        retry_after: Option<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        after_handling: bool,
    },
    DropConnection {
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        after_handling: bool,
    },
    TruncateBody,
    Latency {
        ms: u64,
    },
    FailOperation {
        #[serde(default)]
        error: Option<String>,
    },
    MergeBody {
        body: serde_json::Value,
    },
}

impl From<FaultKindJson> for FaultKind {
    fn from(j: FaultKindJson) -> FaultKind {
        match j {
            FaultKindJson::Status { status, after_handling: true, .. } => FaultKind::StatusAfterHandling { status },
            FaultKindJson::Status { status, retry_after, after_handling: false } => FaultKind::Status { status, retry_after },
            FaultKindJson::DropConnection { after_handling: false } => FaultKind::DropConnection,
            FaultKindJson::DropConnection { after_handling: true } => FaultKind::DropConnectionAfterHandling,
            FaultKindJson::TruncateBody => FaultKind::TruncateBody,
            FaultKindJson::Latency { ms } => FaultKind::Latency { ms },
            FaultKindJson::FailOperation { error } => FaultKind::FailOperation { error },
            FaultKindJson::MergeBody { body } => FaultKind::MergeBody { body },
        }
    }
}

impl From<FaultKind> for FaultKindJson {
    fn from(k: FaultKind) -> FaultKindJson {
        match k {
            FaultKind::Status { status, retry_after } => FaultKindJson::Status { status, retry_after, after_handling: false },
            FaultKind::StatusAfterHandling { status } => FaultKindJson::Status { status, retry_after: None, after_handling: true },
            FaultKind::DropConnection => FaultKindJson::DropConnection { after_handling: false },
            FaultKind::DropConnectionAfterHandling => FaultKindJson::DropConnection { after_handling: true },
            FaultKind::TruncateBody => FaultKindJson::TruncateBody,
            FaultKind::Latency { ms } => FaultKindJson::Latency { ms },
            FaultKind::FailOperation { error } => FaultKindJson::FailOperation { error },
            FaultKind::MergeBody { body } => FaultKindJson::MergeBody { body },
        }
    }
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    base_url: String,
    inner: Arc<server::Inner>,
    handle: Option<server::ServerHandle>,
}

impl Emulator {
    /// Starts the emulator on 127.0.0.1 (must be called inside a tokio runtime).
    pub async fn start(mut config: EmulatorConfig) -> std::io::Result<Emulator> {
        let loaded = match &config.state_file {
            Some(path) => {
                let (path, name) = (path.clone(), config.option_names.of("state_file"));
                let loaded = tokio::task::spawn_blocking(move || persist::load(&path, &name))
                    .await
                    .map_err(std::io::Error::other)?
                    .map_err(std::io::Error::other)?;
                Self::check_state_postgres(&mut config, loaded.as_ref())?;
                loaded
            }
            None => None,
        };
        let pg = match config.postgres.clone() {
            Some(pc) => {
                let name = config.option_names.of(if pc.url.is_some() { "postgres_url" } else { "postgres" });
                let cluster = tokio::task::spawn_blocking(move || pg::Cluster::start(&pc))
                    .await
                    .map_err(std::io::Error::other)?
                    .map_err(|e| std::io::Error::other(format!("{name}: {e}")))?;
                Some(Arc::new(cluster))
            }
            None => None,
        };
        let (store, names) = match loaded {
            Some(l) => (Some(l.store), l.postgres),
            None => (None, None),
        };
        if let (Some(c), Some(names)) = (&pg, &names) {
            c.adopt(names);
        }
        let inner = Arc::new(server::Inner::new(&config, pg, store));
        let handle = match server::serve(inner.clone(), config.port, config.idle_timeout).await {
            Ok(h) => h,
            Err(e) => {
                if let Some(c) = &inner.pg {
                    c.shutdown();
                }
                return Err(e);
            }
        };
        let base_url = format!("http://127.0.0.1:{}/api/v2", handle.port);
        if let Some(state) = &inner.state {
            // the file exists from the start on (a new one holds the new store)
            inner.save_state().map_err(std::io::Error::other)?;
            let weak = Arc::downgrade(&inner);
            state.spawn_writer(move || {
                if let Some(inner) = weak.upgrade() {
                    if let Err(e) = inner.save_state() {
                        tracing::warn!("{e}");
                    }
                }
            });
        }
        Ok(Emulator { base_url, inner, handle: Some(handle) })
    }

    /// `--state` with `--postgres`: the private cluster lives beside the file. A file
    /// written with a cluster needs one, and one written without cannot have one (its
    /// databases would not be in it); a cluster folder without its file is an old
    /// one's and goes.
    fn check_state_postgres(config: &mut EmulatorConfig, loaded: Option<&persist::Loaded>) -> std::io::Result<()> {
        let Some(path) = config.state_file.clone() else { return Ok(()) };
        let shown = path.display();
        let name = |o| config.option_names.of(o);
        let (state, postgres, url) = (name("state_file"), name("postgres"), name("postgres_url"));
        let had_postgres = loaded.map(|l| l.postgres.is_some());
        let refuse = |m: String| Err(std::io::Error::other(format!("{state} {shown}: {m}")));
        match (&mut config.postgres, had_postgres) {
            (Some(pc), _) if pc.url.is_some() => {
                refuse(format!("{url} keeps its data on that server; {state} keeps only a private cluster ({postgres}) beside the file"))
            }
            (Some(_), Some(false)) => refuse(format!(
                "was written without {postgres}, so its databases are in no cluster: start without {postgres}, or remove the file"
            )),
            (None, Some(true)) => {
                refuse(format!("was written with {postgres} (its data is in {}): start with {postgres}", persist::pg_dir(&path).display()))
            }
            (Some(pc), had) => {
                let dir = persist::pg_dir(&path);
                if had.is_none() && dir.exists() {
                    std::fs::remove_dir_all(&dir).map_err(|e| {
                        std::io::Error::other(format!("{state} {shown}: cannot remove the old cluster {}: {e}", dir.display()))
                    })?;
                } else if had == Some(true) && !dir.join("data").join("PG_VERSION").is_file() {
                    return refuse(format!("its cluster {} is missing: remove the file to start afresh", dir.display()));
                }
                pc.data_dir = Some(dir);
                Ok(())
            }
            (None, _) => Ok(()),
        }
    }

    /// True when PostgreSQL's server binaries (`initdb`, `postgres`) are on this
    /// machine, i.e. when [`EmulatorConfig::postgres`] can start a private cluster.
    pub fn postgres_available() -> bool {
        pg::binaries_available()
    }

    /// With `--postgres`: the PostgreSQL server's address (`127.0.0.1`, port), where
    /// the connection URIs point.
    pub fn postgres_addr(&self) -> Option<(String, u16)> {
        self.inner.pg.as_ref().map(|c| (c.host.clone(), c.port))
    }

    /// `http://127.0.0.1:PORT/api/v2`
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The key accepted from the start.
    pub fn api_key(&self) -> &str {
        &self.inner.api_key
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.handle.as_ref().map(|h| h.port).unwrap_or(0)
    }

    pub fn add_fault(&self, fault: Fault) {
        self.inner.add_fault(fault);
    }

    pub fn clear_faults(&self) {
        self.inner.clear_faults();
    }

    /// Adds an organization of the emulator's user (its admin), beside the one it
    /// starts with, and returns its id; [`Emulator::reset`] removes it again.
    pub fn add_organization(&self, name: &str) -> String {
        self.inner.add_organization(name)["id"].as_str().unwrap_or_default().to_string()
    }

    /// Seeds projects with their branches, databases, roles, endpoints and
    /// operations from a fixture (`{"projects": [...]}`, in the API's field names,
    /// timestamps in the past allowed; the format is in the emulator's README). All
    /// or nothing: a fixture that does not match the spec's schemas, or names what
    /// is not there, is refused with the path of the bad field
    /// (`$.projects[0].branches[1].created_at: …`). Returns the ids it gave:
    /// `{"projects": [{"id", "name", "branches": [{"id", "name", "endpoint_ids": [...]}]}]}`.
    pub fn seed(&self, fixture: &serde_json::Value) -> Result<serde_json::Value, String> {
        fixtures::seed(&self.inner, fixture)
    }

    /// Requests received for that operationId (including faulted ones).
    pub fn request_count(&self, operation_id: &str) -> u64 {
        self.inner.request_count(operation_id)
    }

    /// Changes what can change while it runs: operation duration, locking,
    /// rate limits and latency (`None` keeps a setting).
    pub fn configure(
        &self,
        operation_duration: Option<Duration>,
        locking: Option<bool>,
        rate_limits: Option<bool>,
        latency: Option<Duration>,
    ) {
        let mut d = self.inner.dynamic.write().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = operation_duration {
            d.operation_duration = v;
        }
        if let Some(v) = locking {
            d.locking = v;
        }
        if let Some(v) = rate_limits {
            d.rate_limits = v;
        }
        if let Some(v) = latency {
            d.latency = v;
        }
    }

    /// The emulator's clock: the time every timestamp it writes comes from
    /// (`created_at`, `updated_at`, operation times, …). The real time unless
    /// [`Emulator::set_clock`] or [`Emulator::advance_clock`] moved it.
    pub fn clock(&self) -> std::time::SystemTime {
        self.inner.clock.now()
    }

    /// Sets the clock to `t`; it runs on from there (what is created later is
    /// later). Durations (operations, latency) stay on real time.
    pub fn set_clock(&self, t: std::time::SystemTime) {
        self.inner.clock.set(t);
    }

    /// Moves the clock forward by `d`.
    pub fn advance_clock(&self, d: Duration) {
        self.inner.clock.advance(d);
    }

    /// Puts the clock back on the real time ([`Emulator::reset`] does too).
    pub fn real_clock(&self) {
        self.inner.clock.real();
    }

    /// Empties all state (projects, keys created through the API, faults,
    /// counters) and puts the clock back on the real time.
    pub fn reset(&self) {
        self.inner.reset();
    }

    /// With `--state`: stops the writer and writes the final state.
    fn save_last_state(&self) {
        if let Some(state) = &self.inner.state {
            state.stop();
            if let Err(e) = self.inner.save_state() {
                tracing::warn!("{e}");
            }
        }
    }

    /// Stops the server (and, with `--postgres`, the cluster, removing its folder
    /// unless `--state` keeps it).
    pub async fn stop(mut self) {
        if let Some(h) = self.handle.take() {
            h.stop().await;
        }
        self.save_last_state();
        if let Some(c) = self.inner.pg.clone() {
            let _ = tokio::task::spawn_blocking(move || c.shutdown()).await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.stop_now();
            self.save_last_state();
        }
        if let Some(c) = &self.inner.pg {
            c.shutdown();
        }
    }
}
