//! The runtimes: one shared multi-thread runtime for async calls and background
//! tasks (built on first use, shut down on request, e.g. at Python's exit,
//! rebuilt in a forked child), and [`Driver`]s that run blocking calls on the
//! calling thread.

use std::any::Any;
use std::cell::Cell;
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use tokio::runtime::{Handle, Runtime};

use crate::{Error, ErrorKind, Result};

static RUNTIME: Mutex<Option<(u32, Arc<Runtime>)>> = Mutex::new(None);

/// This process's id, cached: `std::process::id()` is a system call, and the
/// fork checks ask for it on every call. A forked child clears the cache (a
/// `pthread_atfork` handler), so the child sees its own id.
pub fn process_id() -> u32 {
    static PID: AtomicU32 = AtomicU32::new(0);
    #[cfg(unix)]
    {
        static AT_FORK: std::sync::Once = std::sync::Once::new();
        extern "C" fn forget_in_child() {
            PID.store(0, Ordering::Relaxed);
        }
        AT_FORK.call_once(|| {
            // SAFETY: registers a handler that only stores to an atomic, which is
            // async-signal-safe as a fork child handler must be.
            unsafe {
                libc::pthread_atfork(None, None, Some(forget_in_child));
            }
        });
    }
    match PID.load(Ordering::Relaxed) {
        0 => {
            let pid = std::process::id();
            PID.store(pid, Ordering::Relaxed);
            pid
        }
        pid => pid,
    }
}

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
    let pid = process_id();
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

/// Runs a future on the shared runtime and waits for it: for futures that
/// start background tasks (an in-process emulator). Client calls use
/// [`block_on_here`]. Called from inside an async runtime it returns an error
/// instead of panicking.
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

/// Stops the shared runtime (async calls in flight are cancelled) and the idle
/// drivers; blocking calls in flight finish on their threads, and their drivers
/// go back to the idle list. The next call starts anew. Bindings call this at
/// interpreter exit.
pub fn shutdown() {
    let idle = std::mem::take(&mut idle_drivers().1);
    drop(idle);
    let taken = RUNTIME.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some((pid, rt)) = taken {
        if pid != process_id() {
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

// ---------------------------------------------------------------- drivers for blocking calls

/// A current-thread runtime with its own connection pools, lent to one
/// blocking call at a time. The call runs on the calling thread, so a request
/// costs one wake-up (the socket's) instead of hops between the caller and
/// the shared runtime's workers.
///
/// Connections made during a call belong to the driver that made them and
/// are only served while that driver runs a call, so each driver keeps its
/// own pools (see [`local_state`]); a call keeps its driver from start to end.
pub struct Driver {
    /// Always `Some` until dropped.
    runtime: Option<Runtime>,
    /// Per-driver state of other modules (the transport's reqwest clients),
    /// keyed by type.
    state: Mutex<Vec<Box<dyn Any + Send>>>,
    /// When its last call ended.
    idle_since: Option<std::time::Instant>,
}

/// A driver idle for longer than this first lets its connections see what
/// happened meanwhile (see [`Driver::catch_up`]).
const CATCH_UP_AFTER: std::time::Duration = std::time::Duration::from_millis(20);

/// Idle drivers, most recently used last, with the process they belong to.
static DRIVERS: Mutex<(u32, Vec<Driver>)> = Mutex::new((0, Vec::new()));

/// The idle drivers of this process: in a fork's child, the parent's are
/// forgotten first (they share its epoll instances; dropping them would close
/// what the parent still uses).
fn idle_drivers() -> std::sync::MutexGuard<'static, (u32, Vec<Driver>)> {
    let mut guard = DRIVERS.lock().unwrap_or_else(|p| p.into_inner());
    let pid = process_id();
    if guard.0 != pid {
        std::mem::forget(std::mem::take(&mut guard.1));
        guard.0 = pid;
    }
    guard
}

thread_local! {
    /// The driver running a call on this thread, if any.
    static CURRENT: Cell<*const Driver> = const { Cell::new(std::ptr::null()) };
}

/// A driver lent to the calling thread; it goes back to the idle list when dropped.
pub struct DriverGuard {
    driver: Option<Driver>,
}

impl Driver {
    /// Runs the driver's own tasks (its pooled connections) on what its
    /// sockets reported while nobody drove it: a connection the server closed
    /// meanwhile is then known closed and not reused, so the next request goes
    /// out on a fresh connection instead of failing on the stale one. The first
    /// yield turns the I/O driver, which schedules those tasks; the second lets
    /// them run.
    fn catch_up(&self) {
        self.run(async {
            tokio::task::yield_now().await;
            tokio::task::yield_now().await;
        });
    }

    fn runtime(&self) -> &Runtime {
        self.runtime.as_ref().expect("a driver has its runtime until dropped")
    }

    /// Runs a future to completion on this thread, with this driver as the
    /// thread's current one (what [`local_state`] finds).
    fn run<F: Future>(&self, fut: F) -> F::Output {
        struct Restore(*const Driver);
        impl Drop for Restore {
            fn drop(&mut self) {
                CURRENT.with(|c| c.set(self.0));
            }
        }
        let _restore = Restore(CURRENT.with(|c| c.replace(self as *const Driver)));
        self.runtime().block_on(fut)
    }

    /// Lends an idle driver (or starts one). Errors inside an async runtime,
    /// where blocking would stall it.
    pub fn acquire() -> Result<DriverGuard> {
        if Handle::try_current().is_ok() {
            return Err(Error::new(
                ErrorKind::Runtime,
                "a blocking neonkit call was made from inside an async runtime; use the async client there",
            ));
        }
        let idle = idle_drivers().1.pop();
        let driver = match idle {
            Some(d) => d,
            None => Driver {
                runtime: Some(
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| Error::new(ErrorKind::Runtime, format!("could not start a neonkit driver: {e}")))?,
                ),
                state: Mutex::new(Vec::new()),
                idle_since: None,
            },
        };
        if driver.idle_since.is_some_and(|t| t.elapsed() >= CATCH_UP_AFTER) {
            driver.catch_up();
        }
        Ok(DriverGuard { driver: Some(driver) })
    }
}

impl DriverGuard {
    fn driver(&self) -> &Driver {
        self.driver.as_ref().expect("a guard holds its driver until dropped")
    }

    /// Runs the future to completion on this thread.
    pub fn block_on<F: Future>(&self, fut: F) -> F::Output {
        self.driver().run(fut)
    }

    /// Enters the driver's runtime without running anything: drop a future
    /// that was polled by [`DriverGuard::block_on`] inside this.
    pub fn enter(&self) -> tokio::runtime::EnterGuard<'_> {
        self.driver().runtime().enter()
    }
}

impl Drop for DriverGuard {
    fn drop(&mut self) {
        let Some(mut driver) = self.driver.take() else {
            return;
        };
        if std::thread::panicking() {
            // A call that panicked may have left the runtime in any state.
            std::mem::forget(driver);
            return;
        }
        driver.idle_since = Some(std::time::Instant::now());
        let mut guard = idle_drivers();
        if guard.1.len() < MAX_IDLE_DRIVERS {
            guard.1.push(driver);
        } else {
            // After a burst of more concurrent calls than this, the extra
            // drivers close their connections instead of idling on them.
            drop(guard);
            drop(driver);
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Without waiting: a DNS lookup of a cancelled call may still be
        // running on the runtime's blocking pool.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// Idle drivers kept for reuse, each with its own connections.
const MAX_IDLE_DRIVERS: usize = 64;

/// Runs a client call to completion on the calling thread (see [`Driver`]).
/// Only for futures whose work ends with them: a task they spawn runs only
/// while a call on the same driver runs. Called from inside an async runtime
/// it returns an error instead of panicking.
pub fn block_on_here<F: Future>(fut: F) -> Result<F::Output> {
    Ok(Driver::acquire()?.block_on(fut))
}

/// Per-driver state of type `T` for the call running on this thread, made by
/// `make` on first use; `None` when no blocking call runs here (async callers
/// use their shared state).
pub(crate) fn local_state<T: Any + Send, R>(make: impl FnOnce() -> T, use_it: impl FnOnce(&mut T) -> R) -> Option<R> {
    let ptr = CURRENT.with(|c| c.get());
    if ptr.is_null() {
        return None;
    }
    // SAFETY: CURRENT points at the driver whose `block_on` is running on this
    // thread; it is reset before that call returns, and the driver is not
    // moved or dropped while its guard lends it out.
    let driver = unsafe { &*ptr };
    let mut state = driver.state.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(t) = state.iter_mut().find_map(|b| b.downcast_mut::<T>()) {
        return Some(use_it(t));
    }
    let mut t = make();
    let r = use_it(&mut t);
    state.push(Box::new(t));
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drivers_are_reused_and_at_most_max_idle_are_kept() {
        let idle = || DRIVERS.lock().unwrap().1.len();
        let burst: Vec<DriverGuard> = (0..MAX_IDLE_DRIVERS + 10).map(|_| Driver::acquire().unwrap()).collect();
        drop(burst);
        assert_eq!(idle(), MAX_IDLE_DRIVERS);
        let reused = Driver::acquire().unwrap();
        assert_eq!(idle(), MAX_IDLE_DRIVERS - 1, "lent from the idle list, not started anew");
        assert_eq!(reused.block_on(async { 7 }), 7);
        drop(reused);
        assert_eq!(idle(), MAX_IDLE_DRIVERS);
    }

    #[test]
    fn process_id_is_the_real_one() {
        assert_eq!(process_id(), std::process::id());
        assert_eq!(process_id(), std::process::id());
    }
}
