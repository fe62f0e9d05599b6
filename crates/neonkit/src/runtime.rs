//! The one tokio runtime that blocking calls and every binding share: built on
//! first use, shut down on request (Python's atexit), rebuilt in a forked child.

use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::runtime::{Handle, Runtime};

use crate::{Error, ErrorKind, Result};

static RUNTIME: Mutex<Option<(u32, Arc<Runtime>)>> = Mutex::new(None);

fn build() -> Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(std::thread::available_parallelism().map(|n| n.get().clamp(2, 4)).unwrap_or(2))
        .thread_name("neonkit-runtime")
        .enable_all()
        .build()
        .map_err(|e| Error::new(ErrorKind::Runtime, format!("could not start the neonkit runtime: {e}")))
}

/// The shared runtime, started if needed.
pub fn runtime() -> Result<Arc<Runtime>> {
    let mut guard = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    let pid = std::process::id();
    match &*guard {
        Some((owner, rt)) if *owner == pid => return Ok(rt.clone()),
        Some(_) => {
            // A fork's child: the parent's worker threads do not exist here, and
            // dropping the runtime would wait for them forever.
            if let Some((_, old)) = guard.take() {
                std::mem::forget(old);
            }
        }
        None => {}
    }
    let rt = Arc::new(build()?);
    *guard = Some((pid, rt.clone()));
    Ok(rt)
}

/// A handle to the shared runtime.
pub fn handle() -> Result<Handle> {
    Ok(runtime()?.handle().clone())
}

/// Runs a future on the shared runtime and waits for it. Called from inside an
/// async runtime it returns an error instead of panicking.
pub fn block_on<F: Future>(fut: F) -> Result<F::Output> {
    if Handle::try_current().is_ok() {
        return Err(Error::new(
            ErrorKind::Runtime,
            "a blocking neonkit call was made from inside an async runtime; use the async client there",
        ));
    }
    let rt = runtime()?;
    Ok(rt.block_on(fut))
}

/// Stops the shared runtime (in-flight requests are cancelled). The next call
/// starts a new one. Bindings call this at interpreter exit.
pub fn shutdown() {
    let taken = RUNTIME.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some((pid, rt)) = taken {
        if pid != std::process::id() {
            std::mem::forget(rt);
            return;
        }
        match Arc::try_unwrap(rt) {
            Ok(rt) => rt.shutdown_timeout(std::time::Duration::from_secs(2)),
            // Still borrowed by a caller: it stops when that caller lets go.
            Err(_shared) => {}
        }
    }
}
