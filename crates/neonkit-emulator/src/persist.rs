//! `--state FILE`: the emulator's state across restarts.
//!
//! The file is the whole store (projects with their branches, endpoints, databases,
//! roles, operations and snapshots; organizations, API keys, buckets and their
//! objects, the long-tail resources) as JSON, under a header that names the
//! emulator's version. It is written shortly after each change (coalesced, by a
//! background thread) and when the emulator stops, to a temporary file renamed
//! over the old one, so a reader never sees half a file; it is read once at
//! start, entirely, before anything of it is used. A file another version wrote is
//! refused: the store's layout is not a public format. Branch logs and the clock are
//! not kept. With `--postgres` the cluster's data folder lives beside it
//! (`FILE.pgdata`), and the file records which databases and roles are the
//! emulator's.

use crate::state::Store;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

const FORMAT: &str = "neonkit-emulator-state";
const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Serialize)]
struct Written<'a> {
    format: &'static str,
    version: &'static str,
    /// The databases and roles made in the cluster beside the file (`--postgres`), or null.
    postgres: Option<PgNames>,
    store: &'a Store,
}

#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
struct Read {
    postgres: Option<PgNames>,
    store: Store,
}

/// The physical databases and roles the emulator made in its cluster.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PgNames {
    pub databases: Vec<String>,
    pub roles: Vec<String>,
}

/// What a state file held.
pub struct Loaded {
    pub store: Store,
    pub postgres: Option<PgNames>,
}

/// The cluster's folder for a state file: `FILE.pgdata` beside it.
pub fn pg_dir(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".pgdata");
    path.with_file_name(name)
}

/// Reads a state file; `Ok(None)` when there is none yet. Nothing of a file that is
/// damaged or from another version is used; `name` is what the messages call the option (`--state`, `state_file`).
pub fn load(path: &Path, name: &str) -> Result<Option<Loaded>, String> {
    let shown = path.display();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{name} {shown}: cannot read it: {e}")),
    };
    let header: Header = serde_json::from_slice(&bytes).map_err(|e| format!("{name} {shown}: not a neonkit-emulator state file ({e})"))?;
    if header.format.as_deref() != Some(FORMAT) {
        return Err(format!("{name} {shown}: not a neonkit-emulator state file (no \"format\": \"{FORMAT}\")"));
    }
    let version = header.version.unwrap_or_default();
    if version != VERSION {
        return Err(format!(
            "{name} {shown}: written by neonkit-emulator {version}, this is {VERSION}; refusing to load it \
             (its layout may differ): start without {name} or remove the file"
        ));
    }
    let read: Read = serde_json::from_slice(&bytes).map_err(|e| format!("{name} {shown}: damaged, not loaded: {e}"))?;
    Ok(Some(Loaded { store: read.store, postgres: read.postgres }))
}

/// The state file's bytes.
pub fn encode(store: &Store, postgres: Option<PgNames>) -> Result<Vec<u8>, String> {
    serde_json::to_vec(&Written { format: FORMAT, version: VERSION, postgres, store }).map_err(|e| e.to_string())
}

/// Writes the state file: a temporary file beside it (only the owner may read it:
/// it holds passwords and API keys), then renamed over it.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| format!("cannot write the state file {}: {e}", path.display()))
}

/// Counts changes; a background thread writes the file after them.
pub struct StateFile {
    pub path: PathBuf,
    changes: AtomicU64,
    wake: (Mutex<()>, Condvar),
    stop: AtomicBool,
    /// One write at a time (the writer thread's and a stop's).
    writing: Mutex<()>,
}

impl StateFile {
    pub fn new(path: PathBuf) -> StateFile {
        StateFile {
            path,
            changes: AtomicU64::new(0),
            wake: (Mutex::new(()), Condvar::new()),
            stop: AtomicBool::new(false),
            writing: Mutex::new(()),
        }
    }

    /// Something in the store changed.
    pub fn changed(&self) {
        self.changes.fetch_add(1, Ordering::Release);
        self.wake.1.notify_one();
    }

    /// Runs `write` on a thread after changes, at most every 50 ms, until stopped.
    pub fn spawn_writer(self: &Arc<Self>, write: impl Fn() + Send + 'static) {
        let me = self.clone();
        let _ = std::thread::Builder::new().name("neonkit-emulator-state".into()).spawn(move || {
            let mut written = 0;
            loop {
                {
                    let guard = me.wake.0.lock().unwrap_or_else(|e| e.into_inner());
                    let _ = me
                        .wake
                        .1
                        .wait_timeout_while(guard, Duration::from_secs(1), |_| {
                            me.changes.load(Ordering::Acquire) == written && !me.stop.load(Ordering::Acquire)
                        })
                        .unwrap_or_else(|e| e.into_inner());
                }
                if me.stop.load(Ordering::Acquire) {
                    return;
                }
                let now = me.changes.load(Ordering::Acquire);
                if now != written {
                    // a burst of changes is one write
                    std::thread::sleep(Duration::from_millis(50));
                    written = me.changes.load(Ordering::Acquire);
                    write();
                }
            }
        });
    }

    /// Runs one write, never two at once.
    pub fn write<T>(&self, f: impl FnOnce() -> T) -> T {
        let _one = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        f()
    }

    /// Stops the writer thread (the caller writes the last state itself).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Release);
        self.wake.1.notify_all();
    }
}
