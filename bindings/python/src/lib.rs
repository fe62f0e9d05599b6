//! `neonkit._native`: the pyo3 side of the Python package.
//!
//! A small dynamic surface over the core: `_Client.call(op_id, path, query,
//! body, wait)` (blocking, on the calling thread with the GIL released),
//! `_Client.submit(…, done)` (async: the call runs on the core's shared runtime
//! and `done(ok, value)` is called when it ends; the returned `_Task` cancels
//! it), a pager, operation waits, the
//! in-process emulator and the runtime's shutdown hook. Per-operation code is
//! generated Python (`python/neonkit/_generated`). Errors become the
//! exceptions of `neonkit._errors`; a Rust panic becomes a `NeonError` too.
//! JSON bodies reach Python already parsed (`json.rs`): dicts, lists, str.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::FutureExt;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use neonkit::operation::{OperationInfo, ResponseKind};

mod json;
use neonkit::{runtime, Client, ClientBuilder, Error, ErrorKind, Part, PartValue, Payload};

/// Set by the atexit hook: finished tasks no longer call back into Python.
static SHUTTING_DOWN: AtomicBool = AtomicBool::new(false);
/// Runtime threads currently calling back into Python (the atexit hook waits for them).
static IN_CALLBACK: AtomicUsize = AtomicUsize::new(0);

/// The thread that ran the atexit hook (the main thread): it may go on calling.
static EXIT_THREAD: std::sync::OnceLock<std::thread::ThreadId> = std::sync::OnceLock::new();

/// After the atexit hook, a (daemon) thread whose blocking call returns must not
/// take the GIL of a finalizing interpreter: it parks until the process ends.
fn park_if_exiting() {
    if SHUTTING_DOWN.load(Ordering::SeqCst) && EXIT_THREAD.get() != Some(&std::thread::current().id()) {
        loop {
            std::thread::park();
        }
    }
}

struct CallbackGuard;
impl CallbackGuard {
    fn enter() -> Option<CallbackGuard> {
        IN_CALLBACK.fetch_add(1, Ordering::SeqCst);
        let guard = CallbackGuard;
        if SHUTTING_DOWN.load(Ordering::SeqCst) {
            return None; // dropping the guard leaves again
        }
        Some(guard)
    }
}
impl Drop for CallbackGuard {
    fn drop(&mut self) {
        IN_CALLBACK.fetch_sub(1, Ordering::SeqCst);
    }
}

// ---------------------------------------------------------------- errors

fn cause_chain(e: &Error) -> Option<String> {
    let mut parts = Vec::new();
    let mut cur = std::error::Error::source(e);
    while let Some(s) = cur {
        parts.push(s.to_string());
        cur = s.source();
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(": "))
    }
}

/// The Python exception object for a core error (`neonkit._errors._from_native`).
fn exception<'py>(py: Python<'py>, e: &Error) -> PyResult<Bound<'py, PyAny>> {
    let make = py.import("neonkit._errors")?.getattr("_from_native")?;
    let args = (
        e.kind().as_str(),
        e.message().to_string(),
        e.status(),
        e.code().to_string(),
        e.request_id().map(String::from),
        e.operation(),
        e.retry_after().map(|d| d.as_secs_f64()),
        e.pending_operations().to_vec(),
        cause_chain(e),
        e.is_retryable(),
        e.is_accepted(),
    );
    make.call1(args)
}

fn to_pyerr(py: Python<'_>, e: &Error) -> PyErr {
    match exception(py, e) {
        Ok(obj) => PyErr::from_value(obj),
        Err(err) => err,
    }
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidArgument, msg)
}

fn panic_error(payload: Box<dyn std::any::Any + Send>) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    Error::new(ErrorKind::Runtime, format!("internal error in neonkit (a Rust panic): {what}"))
}

// ---------------------------------------------------------------- running futures

/// What a finished call hands to Python.
enum Out {
    /// A body that is bytes (object downloads).
    Bytes(Bytes),
    /// A JSON body, parsed into Python objects when handed over.
    Json {
        body: Bytes,
        operation: &'static str,
        request_id: Option<String>,
    },
    None,
}

impl Out {
    fn response(op: &'static OperationInfo, resp: neonkit::Response) -> Out {
        match op.response {
            ResponseKind::Bytes => Out::Bytes(resp.body),
            _ if resp.body.is_empty() => Out::None,
            ResponseKind::Empty => Out::None,
            ResponseKind::Json => Out::Json { body: resp.body, operation: op.id, request_id: resp.request_id },
        }
    }

    /// Values the core decoded (operations, page items), handed over as JSON.
    fn encoded<T: serde::Serialize>(operation: &'static str, value: &T) -> neonkit::Result<Out> {
        let body = serde_json::to_vec(value).map_err(|e| Error::new(ErrorKind::Decode, e.to_string()))?;
        Ok(Out::Json { body: body.into(), operation, request_id: None })
    }

    fn into_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self {
            Out::Bytes(b) => Ok(PyBytes::new(py, &b).into_any().unbind()),
            Out::Json { body, operation, request_id } => match json::loads(py, &body) {
                Ok(v) => Ok(v.unbind()),
                // What the fast parser refuses and Python accepts (1e400, a lone
                // surrogate escape, NaN) comes out as `json.loads` makes it.
                Err(e) => match py.import("json").and_then(|j| j.call_method1("loads", (PyBytes::new(py, &body),))) {
                    Ok(v) => Ok(v.unbind()),
                    Err(_) => Err(to_pyerr(py, &Error::decode(operation, &e, request_id))),
                },
            },
            Out::None => Ok(py.None()),
        }
    }
}

type Job = std::pin::Pin<Box<dyn Future<Output = neonkit::Result<Out>> + Send>>;

async fn guarded(job: Job) -> neonkit::Result<Out> {
    match AssertUnwindSafe(job).catch_unwind().await {
        Ok(r) => r,
        Err(p) => Err(panic_error(p)),
    }
}

/// Runs a job on this thread with the GIL released (see
/// `neonkit::runtime::Driver`). On the main thread, where Python handles
/// signals, it looks at them every 100 ms, so Ctrl-C interrupts a blocking call
/// (and cancels the request) instead of waiting for it to end; other threads
/// never see signals and run the call in one go.
fn run_blocking(py: Python<'_>, job: Job) -> PyResult<Py<PyAny>> {
    let driver = runtime::Driver::acquire().map_err(|e| to_pyerr(py, &e))?;
    let mut job = Box::pin(guarded(job));
    if !on_main_thread() {
        let out = py.detach(|| {
            let r = driver.block_on(&mut job);
            park_if_exiting();
            r
        });
        return match out {
            Ok(out) => out.into_py(py),
            Err(e) => Err(to_pyerr(py, &e)),
        };
    }
    loop {
        let step = py.detach(|| {
            // The timer is made inside the driver, which owns the clock.
            let r = driver.block_on(async { tokio::time::timeout(Duration::from_millis(100), &mut job).await });
            park_if_exiting();
            r
        });
        match step {
            Ok(Ok(out)) => return out.into_py(py),
            Ok(Err(e)) => return Err(to_pyerr(py, &e)),
            Err(_elapsed) => {
                if let Err(interrupt) = py.check_signals() {
                    // Dropped where its sockets and timers were registered.
                    let _entered = driver.enter();
                    drop(job);
                    return Err(interrupt);
                }
            }
        }
    }
}

/// Python's main thread (where signal handlers run), as `threading.get_ident()` numbers it.
static MAIN_THREAD: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

fn on_main_thread() -> bool {
    #[cfg(unix)]
    {
        // `threading.get_ident()` is `pthread_self()` on every POSIX build of CPython.
        // SAFETY: pthread_self has no preconditions.
        let me = unsafe { libc::pthread_self() } as u64;
        MAIN_THREAD.get().is_none_or(|main| *main == me)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// A call running on the shared runtime; `cancel()` drops its future.
#[pyclass(frozen, name = "_Task", module = "neonkit._native")]
struct PyTask {
    /// None for a call that already ran to its end (after the exit hook).
    abort: Option<tokio::task::AbortHandle>,
}

#[pymethods]
impl PyTask {
    /// Cancels the call (drops the Rust future: no further requests, no callback).
    fn cancel(&self) {
        if let Some(a) = &self.abort {
            a.abort();
        }
    }
    fn done(&self) -> bool {
        self.abort.as_ref().is_none_or(|a| a.is_finished())
    }
}

/// Spawns a job; `done(True, value)` or `done(False, exception)` is called
/// from a runtime thread when it ends (the Python side hops to its loop with
/// `call_soon_threadsafe`).
fn run_async(py: Python<'_>, job: Job, done: Py<PyAny>) -> PyResult<PyTask> {
    if SHUTTING_DOWN.load(Ordering::SeqCst) {
        // After the exit hook (an atexit handler registered before neonkit's
        // runs after it) the shared runtime no longer calls back: run the call
        // here to its end and hand its outcome over at once.
        let outcome = match run_blocking(py, job) {
            Ok(value) => done.call1(py, (true, value)),
            Err(err) => done.call1(py, (false, err.into_value(py))),
        };
        outcome?;
        return Ok(PyTask { abort: None });
    }
    let handle = runtime::handle().map_err(|e| to_pyerr(py, &e))?;
    let task = handle.spawn(async move {
        let result = guarded(job).await;
        let Some(_in_callback) = CallbackGuard::enter() else {
            return;
        };
        // Never enters a finalizing interpreter.
        let _ = Python::try_attach(|py| {
            let outcome = match result.map(|out| out.into_py(py)) {
                Ok(Ok(value)) => done.call1(py, (true, value)),
                Ok(Err(err)) => done.call1(py, (false, err.into_value(py))),
                Err(e) => match exception(py, &e) {
                    Ok(exc) => done.call1(py, (false, exc)),
                    Err(err) => done.call1(py, (false, err.into_value(py))),
                },
            };
            // The loop may be closed already: nobody is waiting any more.
            if let Err(err) = outcome {
                drop(err);
            }
        });
    });
    Ok(PyTask { abort: Some(task.abort_handle()) })
}

// ---------------------------------------------------------------- client

/// The text of one argument; a str that is not valid Unicode (a lone
/// surrogate) is an invalid argument naming the parameter.
fn text(name: &str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    match value.extract::<String>() {
        Ok(t) => Ok(t),
        Err(_) if value.cast::<pyo3::types::PyString>().is_ok() => {
            Err(to_pyerr(value.py(), &invalid(format!("{name} is not valid Unicode text (it holds a lone surrogate)"))))
        }
        Err(_) => Err(pyo3::exceptions::PyTypeError::new_err(format!("{name} must be a str, not {}", value.get_type().name()?))),
    }
}

type Texts = (Vec<String>, Vec<(String, String)>);

fn texts(py: Python<'_>, op_id: &str, path: Vec<Bound<'_, PyAny>>, query: Vec<(String, Bound<'_, PyAny>)>) -> PyResult<Texts> {
    let op = lookup(op_id).map_err(|e| to_pyerr(py, &e))?;
    let path = path
        .iter()
        .enumerate()
        .map(|(i, v)| text(&format!("path parameter {}", op.path_params.get(i).map_or("?", |p| p.name)), v))
        .collect::<Result<_, _>>()?;
    let query = query.into_iter().map(|(k, v)| text(&format!("query parameter {k}"), &v).map(|v| (k, v))).collect::<Result<_, _>>()?;
    Ok((path, query))
}

/// A Python int of any size as an i64, saturating (the core names the range).
fn whole(v: &Bound<'_, PyAny>) -> PyResult<i64> {
    match v.extract::<i64>() {
        Ok(n) => Ok(n),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(v.py()) => Ok(if v.lt(0)? { i64::MIN } else { i64::MAX }),
        Err(e) => Err(e),
    }
}

fn lookup(op_id: &str) -> Result<&'static OperationInfo, Error> {
    neonkit::find_operation(op_id).ok_or_else(|| invalid(format!("unknown operation {op_id:?}")))
}

fn payload(body: Option<&Bound<'_, PyAny>>) -> Result<Payload, Error> {
    let Some(body) = body else {
        return Ok(Payload::None);
    };
    if body.is_none() {
        return Ok(Payload::None);
    }
    if let Ok(b) = body.cast::<PyBytes>() {
        return Ok(Payload::Json(Bytes::copy_from_slice(b.as_bytes())));
    }
    // Multipart: a list of (name, value) with value str, bytes or (filename, bytes, content type).
    let parts: Vec<(String, Bound<'_, PyAny>)> =
        body.extract().map_err(|_| invalid("the request body must be JSON bytes or a list of multipart parts"))?;
    let mut out = Vec::with_capacity(parts.len());
    for (name, value) in parts {
        let value = if let Ok(b) = value.cast::<PyBytes>() {
            PartValue::File {
                bytes: Bytes::copy_from_slice(b.as_bytes()),
                filename: name.clone(),
                content_type: "application/octet-stream".into(),
            }
        } else if let Ok(t) = value.extract::<String>() {
            PartValue::Text(t)
        } else if let Ok((filename, data, content_type)) = value.extract::<(String, Vec<u8>, String)>() {
            PartValue::File { bytes: data.into(), filename, content_type }
        } else {
            return Err(invalid(format!("multipart part {name:?} must be str, bytes or (filename, bytes, content_type)")));
        };
        out.push(Part { name, value });
    }
    Ok(Payload::Multipart(out))
}

#[pyclass(frozen, name = "_Client", module = "neonkit._native")]
struct PyClient {
    builder: ClientBuilder,
    /// The client and the process it was built in (rebuilt in a forked child:
    /// the parent's pooled connections belong to the parent's runtime). None = closed.
    state: Mutex<Option<(u32, Client)>>,
}

impl PyClient {
    fn client(&self) -> Result<Client, Error> {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let pid = runtime::process_id();
        match &*guard {
            None => Err(Error::new(ErrorKind::Runtime, "the client is closed")),
            Some((owner, c)) if *owner == pid => Ok(c.clone()),
            Some(_) => {
                let c = self.builder.clone().build()?;
                *guard = Some((pid, c.clone()));
                Ok(c)
            }
        }
    }

    fn call_job(
        &self,
        op_id: &str,
        path: Vec<String>,
        query: Vec<(String, String)>,
        body: Option<&Bound<'_, PyAny>>,
        wait: Option<bool>,
    ) -> Result<Job, Error> {
        let op = lookup(op_id)?;
        let mut client = self.client()?;
        if let Some(w) = wait {
            client = client.with_wait(w);
        }
        let payload = payload(body)?;
        Ok(Box::pin(async move {
            let p: Vec<&str> = path.iter().map(String::as_str).collect();
            let q: Vec<(&str, String)> = query.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            let resp = client.call(op, &p, &q, payload).await?;
            Ok(Out::response(op, resp))
        }))
    }

    fn wait_job(&self, project_id: String, ids: Vec<String>) -> Result<Job, Error> {
        let client = self.client()?;
        Ok(Box::pin(async move {
            let ops = client.wait_for_operation_ids(&project_id, &ids).await?;
            Out::encoded("getProjectOperation", &ops)
        }))
    }
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (*, api_key=None, base_url=None, org_id=None, timeout=None, connect_timeout=None,
        max_retries=None, initial_backoff=None, max_backoff=None, wait=None, wait_timeout=None,
        wait_initial_interval=None, wait_max_interval=None, max_response_bytes=None, pool_idle_timeout=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        base_url: Option<String>,
        org_id: Option<String>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        max_retries: Option<&Bound<'_, PyAny>>,
        initial_backoff: Option<f64>,
        max_backoff: Option<f64>,
        wait: Option<bool>,
        wait_timeout: Option<f64>,
        wait_initial_interval: Option<f64>,
        wait_max_interval: Option<f64>,
        max_response_bytes: Option<&Bound<'_, PyAny>>,
        pool_idle_timeout: Option<f64>,
    ) -> PyResult<Self> {
        let options = neonkit::ClientOptions {
            api_key,
            base_url,
            org_id,
            timeout,
            connect_timeout,
            max_retries: max_retries.map(whole).transpose()?,
            retry_initial_backoff: initial_backoff,
            retry_max_backoff: max_backoff,
            wait_for_operations: wait,
            wait_timeout,
            wait_poll_interval: wait_initial_interval,
            wait_max_poll_interval: wait_max_interval,
            max_response_bytes: max_response_bytes.map(whole).transpose()?,
            pool_idle_timeout,
            user_agent_suffix: Some("python".into()),
        };
        let built = options.builder().and_then(|b| b.clone().build().map(|c| (b, c)));
        match built {
            Ok((builder, client)) => Ok(PyClient { builder, state: Mutex::new(Some((runtime::process_id(), client))) }),
            Err(e) => Err(to_pyerr(py, &e)),
        }
    }

    /// Calls an operation and blocks (GIL released); returns the parsed body, bytes for downloads, or None.
    #[pyo3(signature = (op_id, path, query, body=None, wait=None))]
    fn call(
        &self,
        py: Python<'_>,
        op_id: &str,
        path: Vec<Bound<'_, PyAny>>,
        query: Vec<(String, Bound<'_, PyAny>)>,
        body: Option<&Bound<'_, PyAny>>,
        wait: Option<bool>,
    ) -> PyResult<Py<PyAny>> {
        let (path, query) = texts(py, op_id, path, query)?;
        let job = self.call_job(op_id, path, query, body, wait).map_err(|e| to_pyerr(py, &e))?;
        run_blocking(py, job)
    }

    /// Starts an operation on the runtime; `done(ok, value)` receives the body bytes or the exception.
    #[pyo3(signature = (op_id, path, query, body, wait, done))]
    #[allow(clippy::too_many_arguments)]
    fn submit(
        &self,
        py: Python<'_>,
        op_id: &str,
        path: Vec<Bound<'_, PyAny>>,
        query: Vec<(String, Bound<'_, PyAny>)>,
        body: Option<&Bound<'_, PyAny>>,
        wait: Option<bool>,
        done: Py<PyAny>,
    ) -> PyResult<PyTask> {
        let (path, query) = texts(py, op_id, path, query)?;
        let job = self.call_job(op_id, path, query, body, wait).map_err(|e| to_pyerr(py, &e))?;
        run_async(py, job, done)
    }

    /// A pager over a paginated operation.
    fn pager(&self, py: Python<'_>, op_id: &str, path: Vec<Bound<'_, PyAny>>, query: Vec<(String, Bound<'_, PyAny>)>) -> PyResult<PyPager> {
        let (path, query) = texts(py, op_id, path, query)?;
        let make = || -> Result<PyPager, Error> {
            let op = lookup(op_id)?;
            if op.pagination.is_none() {
                return Err(invalid(format!("{op_id} is not paginated")));
            }
            let mut q = Vec::with_capacity(query.len());
            for (name, value) in query {
                let param = op.query_param(&name).ok_or_else(|| invalid(format!("{op_id} has no query parameter {name:?}")))?;
                q.push((param.name, value));
            }
            let client = self.client()?;
            Ok(PyPager { inner: Arc::new(tokio::sync::Mutex::new(client.pager(op, path, q))), operation: op.id })
        };
        make().map_err(|e| to_pyerr(py, &e))
    }

    /// Waits for operations (by id) to finish; returns the operations (dicts).
    fn wait_for_operations(&self, py: Python<'_>, project_id: String, ids: Vec<String>) -> PyResult<Py<PyAny>> {
        let job = self.wait_job(project_id, ids).map_err(|e| to_pyerr(py, &e))?;
        run_blocking(py, job)
    }

    fn wait_for_operations_async(&self, py: Python<'_>, project_id: String, ids: Vec<String>, done: Py<PyAny>) -> PyResult<PyTask> {
        let job = self.wait_job(project_id, ids).map_err(|e| to_pyerr(py, &e))?;
        run_async(py, job, done)
    }

    /// Drops the connection pool; later calls fail.
    fn close(&self) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).take();
    }

    #[getter]
    fn closed(&self) -> bool {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).is_none()
    }

    #[getter]
    fn base_url(&self, py: Python<'_>) -> PyResult<String> {
        self.client().map(|c| c.base_url().to_string()).map_err(|e| to_pyerr(py, &e))
    }
}

// ---------------------------------------------------------------- pager

#[pyclass(frozen, name = "_Pager", module = "neonkit._native")]
struct PyPager {
    inner: Arc<tokio::sync::Mutex<neonkit::Pager>>,
    operation: &'static str,
}

impl PyPager {
    fn job(&self) -> Job {
        let inner = self.inner.clone();
        let operation = self.operation;
        Box::pin(async move {
            let mut pager = inner.lock().await;
            match pager.next_page().await? {
                Some(items) => Out::encoded(operation, &items),
                None => Ok(Out::None),
            }
        })
    }
}

#[pymethods]
impl PyPager {
    /// The next page's items (dicts), or None after the last page.
    fn next_page(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        run_blocking(py, self.job())
    }

    fn next_page_async(&self, py: Python<'_>, done: Py<PyAny>) -> PyResult<PyTask> {
        run_async(py, self.job(), done)
    }
}

// ---------------------------------------------------------------- emulator

/// The neonkit emulator, running in this process on the shared runtime.
#[pyclass(frozen, name = "_Emulator", module = "neonkit._native")]
struct PyEmulator {
    inner: Mutex<Option<neonkit_emulator::Emulator>>,
    base_url: String,
    api_key: String,
}

impl PyEmulator {
    fn with<T>(&self, py: Python<'_>, f: impl FnOnce(&neonkit_emulator::Emulator) -> T) -> PyResult<T> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match &*guard {
            Some(e) => Ok(f(e)),
            None => Err(to_pyerr(py, &Error::new(ErrorKind::Runtime, "the emulator is stopped"))),
        }
    }
}

#[pymethods]
impl PyEmulator {
    #[new]
    #[pyo3(signature = (*, operation_duration=0.02, locking=true, rate_limits=false, latency=0.0, seed=None, api_key=None, port=0, idle_timeout=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        operation_duration: f64,
        locking: bool,
        rate_limits: bool,
        latency: f64,
        seed: Option<u64>,
        api_key: Option<String>,
        port: u16,
        idle_timeout: Option<f64>,
    ) -> PyResult<Self> {
        let dur = |name: &str, s: f64| {
            Duration::try_from_secs_f64(s).map_err(|_| to_pyerr(py, &invalid(format!("{name} must be a non-negative number of seconds"))))
        };
        let config = neonkit_emulator::EmulatorConfig {
            port,
            api_key,
            operation_duration: dur("operation_duration", operation_duration)?,
            locking,
            rate_limits,
            latency: dur("latency", latency)?,
            seed,
            idle_timeout: idle_timeout.map(|s| dur("idle_timeout", s)).transpose()?,
            ..Default::default()
        };
        let rt = runtime::runtime().map_err(|e| to_pyerr(py, &e))?;
        let started = py.detach(move || rt.block_on(neonkit_emulator::Emulator::start(config)));
        let emu = started.map_err(|e| to_pyerr(py, &Error::new(ErrorKind::Runtime, format!("the emulator could not start: {e}"))))?;
        Ok(PyEmulator { base_url: emu.base_url().to_string(), api_key: emu.api_key().to_string(), inner: Mutex::new(Some(emu)) })
    }

    #[getter]
    fn base_url(&self) -> String {
        self.base_url.clone()
    }

    #[getter]
    fn api_key(&self) -> String {
        self.api_key.clone()
    }

    #[getter]
    fn port(&self, py: Python<'_>) -> PyResult<u16> {
        self.with(py, |e| e.port())
    }

    /// Adds a fault, given as the JSON object of `POST /_emulator/faults`.
    fn add_fault(&self, py: Python<'_>, fault_json: &str) -> PyResult<()> {
        let fault: neonkit_emulator::Fault =
            serde_json::from_str(fault_json).map_err(|e| to_pyerr(py, &invalid(format!("not a valid emulator fault: {e}"))))?;
        self.with(py, |e| e.add_fault(fault))
    }

    fn clear_faults(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |e| e.clear_faults())
    }

    fn request_count(&self, py: Python<'_>, operation_id: &str) -> PyResult<u64> {
        self.with(py, |e| e.request_count(operation_id))
    }

    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |e| e.reset())
    }

    fn stop(&self, py: Python<'_>) {
        let taken = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(emu) = taken {
            py.detach(move || drop(emu));
        }
    }
}

// ---------------------------------------------------------------- module

/// Stops the shared runtime (in-flight calls are cancelled); registered with `atexit`.
#[pyfunction]
fn _shutdown(py: Python<'_>) {
    let _ = EXIT_THREAD.set(std::thread::current().id());
    SHUTTING_DOWN.store(true, Ordering::SeqCst);
    py.detach(|| {
        // Let callbacks that already entered Python finish (they need the GIL, released here).
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while IN_CALLBACK.load(Ordering::SeqCst) > 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        runtime::shutdown();
    });
}

/// Every operationId the core knows.
#[pyfunction]
fn _operation_ids() -> Vec<&'static str> {
    neonkit::operations::OPERATIONS.iter().map(|o| o.id).collect()
}

/// Parses JSON the way response bodies are parsed (tests compare it with `json.loads`).
#[pyfunction]
fn _parse_json(py: Python<'_>, data: &[u8]) -> PyResult<Py<PyAny>> {
    Out::Json { body: Bytes::copy_from_slice(data), operation: "_parse_json", request_id: None }.into_py(py)
}

/// Raises a Rust panic inside a runtime task or a blocking call (tests check that it becomes an exception).
#[pyfunction]
#[pyo3(signature = (done=None))]
fn _panic_for_test(py: Python<'_>, done: Option<Py<PyAny>>) -> PyResult<Py<PyAny>> {
    let job: Job = Box::pin(async { panic!("deliberate test panic") });
    match done {
        None => run_blocking(py, job),
        Some(d) => run_async(py, job, d).map(|t| Py::new(py, t).map(|t| t.into_any()))?,
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let main: u64 = m.py().import("threading")?.call_method0("main_thread")?.getattr("ident")?.extract()?;
    let _ = MAIN_THREAD.set(main);
    m.add_class::<PyClient>()?;
    m.add_class::<PyPager>()?;
    m.add_class::<PyTask>()?;
    m.add_class::<PyEmulator>()?;
    m.add_function(wrap_pyfunction!(_shutdown, m)?)?;
    m.add_function(wrap_pyfunction!(_operation_ids, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    m.add_function(wrap_pyfunction!(_parse_json, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
