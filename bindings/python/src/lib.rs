//! `neonkit._native`: the pyo3 side of the Python package, conversion only.
//!
//! Everything a call does (options, names, checks, retries, waits, pages,
//! multipart, panics, cancellation) is the core's `neonkit::kernel`; this
//! module turns Python values into the kernel's and back. What is Python's
//! own stays here: blocking calls release the GIL and look at signals (Ctrl-C)
//! on the main thread, async calls settle an asyncio future through a
//! callback, and nothing calls into Python after the interpreter's exit hook.
//! JSON bodies reach Python already parsed (`json.rs`).

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use neonkit::events::{Event, EventKind, EventListener, Level};
use neonkit::kernel::{self, Body, CancelToken, Output, PartInput, Reply};
use neonkit::{runtime, CallOptions, Client, ClientBuilder, ClientOptions, Convention, Error, ErrorKind, OptionValue};
#[cfg(feature = "emulator")]
use neonkit_emulator::handle::EmulatorHandle;

mod json;

/// Set by the atexit hook: finished tasks no longer call back into Python.
static SHUTTING_DOWN: AtomicBool = AtomicBool::new(false);
/// Runtime threads currently calling back into Python (the atexit hook waits for them).
static IN_CALLBACK: AtomicUsize = AtomicUsize::new(0);
/// The thread that ran the atexit hook (the main thread): it may go on calling.
static EXIT_THREAD: std::sync::OnceLock<std::thread::ThreadId> = std::sync::OnceLock::new();
/// Python's main thread (where signal handlers run), as `threading.get_ident()` numbers it.
static MAIN_THREAD: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

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
        (!SHUTTING_DOWN.load(Ordering::SeqCst)).then_some(guard)
    }
}
impl Drop for CallbackGuard {
    fn drop(&mut self) {
        IN_CALLBACK.fetch_sub(1, Ordering::SeqCst);
    }
}

// ---------------------------------------------------------------- values

/// The exception object for a core error (`neonkit._errors._from_native`).
fn exception<'py>(py: Python<'py>, e: &Error) -> PyResult<Bound<'py, PyAny>> {
    let mut causes = Vec::new();
    let mut cur = std::error::Error::source(e);
    while let Some(s) = cur {
        causes.push(s.to_string());
        cur = s.source();
    }
    let cause = (!causes.is_empty()).then(|| causes.join(": "));
    py.import("neonkit._errors")?.getattr("_from_native")?.call1((
        e.kind().as_str(),
        e.message().to_string(),
        e.status(),
        e.code().to_string(),
        e.request_id().map(String::from),
        e.operation(),
        e.retry_after().map(|d| d.as_secs_f64()),
        e.pending_operations().to_vec(),
        cause,
        e.is_retryable(),
        e.is_accepted(),
    ))
}

fn to_pyerr(py: Python<'_>, e: &Error) -> PyErr {
    exception(py, e).map_or_else(|err| err, PyErr::from_value)
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidArgument, msg)
}

/// The text of one argument; a str that is not valid Unicode (a lone
/// surrogate) is an invalid argument naming the parameter.
fn text(name: &str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    match value.extract::<String>() {
        Ok(t) => Ok(t),
        Err(_) if value.cast::<PyString>().is_ok() => {
            Err(to_pyerr(value.py(), &invalid(format!("{name} is not valid Unicode text (it holds a lone surrogate)"))))
        }
        Err(_) => Err(pyo3::exceptions::PyTypeError::new_err(format!("{name} must be a str, not {}", value.get_type().name()?))),
    }
}

/// Path values and query pairs as text.
type Texts = (Vec<String>, Vec<(String, String)>);

fn texts(op_id: &str, path: Vec<Bound<'_, PyAny>>, query: Vec<(String, Bound<'_, PyAny>)>) -> PyResult<Texts> {
    // A str is the common case; the parameter's name is looked up only to word an error.
    let fast = |v: &Bound<'_, PyAny>| v.cast::<PyString>().ok().and_then(|s| s.to_cow().ok().map(std::borrow::Cow::into_owned));
    let name = |i: usize| neonkit::find_operation(op_id).and_then(|o| o.path_params.get(i)).map_or("?", |p| p.name);
    let path = path
        .iter()
        .enumerate()
        .map(|(i, v)| fast(v).map_or_else(|| text(&format!("path parameter {}", name(i)), v), Ok))
        .collect::<PyResult<_>>()?;
    let query = query
        .into_iter()
        .map(|(k, v)| match fast(&v) {
            Some(t) => Ok((k, t)),
            None => text(&format!("query parameter {k}"), &v).map(|v| (k, v)),
        })
        .collect::<PyResult<_>>()?;
    Ok((path, query))
}

/// One option value as the core reads it; the core checks it and names it.
fn option_value(v: &Bound<'_, PyAny>) -> PyResult<OptionValue> {
    if let Ok(b) = v.cast::<pyo3::types::PyBool>() {
        return Ok(OptionValue::Bool(b.is_true()));
    }
    if v.cast::<pyo3::types::PyInt>().is_ok() {
        // Any size: saturating, so that the core names the range.
        return Ok(OptionValue::Int(v.extract::<i64>().unwrap_or(if v.lt(0)? { i64::MIN } else { i64::MAX })));
    }
    if let Ok(x) = v.cast::<pyo3::types::PyFloat>() {
        return Ok(OptionValue::Float(x.value()));
    }
    if v.cast::<PyString>().is_ok() {
        return Ok(OptionValue::Text(text("an option", v)?));
    }
    if let Ok(d) = v.cast::<pyo3::types::PyMapping>() {
        let pairs: Option<Vec<(String, String)>> = d.items()?.iter().map(|kv| kv.extract::<(String, String)>().ok()).collect();
        return Ok(pairs.map_or_else(|| OptionValue::Other("mapping with values that are not str".into()), OptionValue::Headers));
    }
    // A path-like (pathlib.Path) is its os.fspath text; a bytes path is refused as bytes.
    if v.hasattr(pyo3::intern!(v.py(), "__fspath__"))? {
        let p = v.call_method0(pyo3::intern!(v.py(), "__fspath__"))?;
        if p.cast::<PyString>().is_ok() {
            return Ok(OptionValue::Text(text("an option", &p)?));
        }
        return Ok(OptionValue::Other(p.get_type().name()?.to_string()));
    }
    Ok(OptionValue::Other(v.get_type().name()?.to_string()))
}

fn option_values(options: &Bound<'_, PyDict>) -> PyResult<Vec<(String, OptionValue)>> {
    options.iter().filter(|(_, v)| !v.is_none()).map(|(k, v)| Ok((k.extract::<String>()?, option_value(&v)?))).collect()
}

/// A body: JSON bytes, or multipart parts `[(name, str | bytes | (filename, bytes, content_type))]`.
fn body(value: Option<&Bound<'_, PyAny>>) -> Result<Body, Error> {
    let Some(value) = value.filter(|b| !b.is_none()) else {
        return Ok(Body::None);
    };
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(Body::Json(Bytes::copy_from_slice(b.as_bytes())));
    }
    let parts: Vec<(String, Bound<'_, PyAny>)> =
        value.extract().map_err(|_| invalid("the request body must be JSON bytes or a list of multipart parts"))?;
    let mut out = Vec::with_capacity(parts.len());
    for (name, v) in parts {
        out.push(if let Ok(b) = v.cast::<PyBytes>() {
            PartInput::file(name, Bytes::copy_from_slice(b.as_bytes()), None, None)
        } else if let Ok(t) = v.extract::<String>() {
            PartInput::text(name, t)
        } else if let Ok((filename, data, content_type)) = v.extract::<(String, Vec<u8>, String)>() {
            PartInput::file(name, data, Some(filename), Some(content_type))
        } else {
            return Err(invalid(format!("multipart part {name:?} must be str, bytes or (filename, bytes, content_type)")));
        });
    }
    Ok(Body::Parts(out))
}

/// What a response said besides its body (`neonkit.response_of(result)`).
#[pyclass(frozen, name = "ResponseInfo", module = "neonkit")]
struct PyResponseInfo {
    #[pyo3(get)]
    status: u16,
    #[pyo3(get)]
    request_id: Option<String>,
    headers: Vec<(String, String)>,
}

#[pymethods]
impl PyResponseInfo {
    /// Every header, names in lower case, in the order received.
    #[getter]
    fn headers(&self) -> Vec<(String, String)> {
        self.headers.clone()
    }

    /// The first header of that name (case-insensitive), or None.
    fn header(&self, name: &str) -> Option<String> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
    }

    fn __repr__(&self) -> String {
        format!("ResponseInfo(status={}, request_id={:?})", self.status, self.request_id)
    }
}

/// A finished call, handed to Python as `(value, ResponseInfo | None)`.
enum Out {
    Reply(Reply, &'static str),
    /// Values the core decoded (operations, page items), as JSON.
    Json(Bytes, &'static str),
    None,
}

impl Out {
    fn encoded<T: serde::Serialize>(operation: &'static str, value: &T) -> neonkit::Result<Out> {
        serde_json::to_vec(value).map(|b| Out::Json(b.into(), operation)).map_err(|e| Error::new(ErrorKind::Decode, e.to_string()))
    }

    fn into_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let parse = |body: &[u8], operation: &'static str, request_id: Option<String>| match json::loads(py, body) {
            Ok(v) => Ok(v.unbind()),
            // What the fast parser refuses and Python accepts (1e400, a lone
            // surrogate escape, NaN) comes out as `json.loads` makes it.
            Err(e) => py
                .import("json")
                .and_then(|j| j.call_method1("loads", (PyBytes::new(py, body),)))
                .map(Bound::unbind)
                .map_err(|_| to_pyerr(py, &Error::decode(operation, &e, request_id))),
        };
        match self {
            Out::Reply(reply, operation) => {
                let value = match &reply.output {
                    Output::Json(b) => parse(b, operation, reply.request_id.clone())?,
                    Output::Bytes(b) => PyBytes::new(py, b).into_any().unbind(),
                    Output::Empty => py.None(),
                };
                let info = PyResponseInfo { status: reply.status, request_id: reply.request_id, headers: reply.headers };
                Ok((value, info).into_pyobject(py)?.into_any().unbind())
            }
            Out::Json(b, operation) => parse(&b, operation, None),
            Out::None => Ok(py.None()),
        }
    }
}

// ---------------------------------------------------------------- running calls

type Job = std::pin::Pin<Box<dyn Future<Output = neonkit::Result<Out>> + Send>>;

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

/// Runs a job on this thread with the GIL released (see
/// `neonkit::runtime::Driver`). On the main thread, where Python handles
/// signals, it looks at them every 100 ms, so Ctrl-C interrupts a blocking call
/// (and cancels the request) instead of waiting for it to end.
fn run_blocking(py: Python<'_>, job: Job) -> PyResult<Py<PyAny>> {
    let driver = runtime::Driver::acquire().map_err(|e| to_pyerr(py, &e))?;
    let mut job = Box::pin(kernel::guarded(job));
    loop {
        let main = on_main_thread();
        let step = py.detach(|| {
            // The timer is made inside the driver, which owns the clock.
            let r = if main {
                driver.block_on(async { tokio::time::timeout(Duration::from_millis(100), &mut job).await })
            } else {
                Ok(driver.block_on(&mut job))
            };
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

/// A call running on the shared runtime; `cancel()` drops its future.
#[pyclass(frozen, name = "_Task", module = "neonkit._native")]
struct PyTask {
    cancel: CancelToken,
    finished: Arc<AtomicBool>,
}

#[pymethods]
impl PyTask {
    fn cancel(&self) {
        self.cancel.cancel();
    }
    fn done(&self) -> bool {
        self.finished.load(Ordering::SeqCst)
    }
}

/// Where an async call's outcome goes.
enum Done {
    /// `done(ok, value)`, called on a runtime thread holding the GIL (loops
    /// without `add_reader`, such as Windows' proactor loop).
    Callback(Py<PyAny>),
    /// The asyncio future to settle, through its loop's completion queue.
    Queue(Arc<Queue>, Py<PyAny>),
}

impl Done {
    /// `done` as Python passed it: `(completions, future)` or a callable.
    fn from_py(done: &Bound<'_, PyAny>) -> Done {
        if let Ok(t) = done.cast::<pyo3::types::PyTuple>() {
            if let (Ok(q), Ok(fut)) = (t.get_item(0), t.get_item(1)) {
                if let Ok(q) = q.cast::<PyCompletions>() {
                    return Done::Queue(q.get().queue.clone(), fut.unbind());
                }
            }
        }
        Done::Callback(done.clone().unbind())
    }

    /// Hands the outcome over at once, on this (the loop's) thread.
    fn now(self, py: Python<'_>, outcome: PyResult<Py<PyAny>>) -> PyResult<()> {
        match self {
            Done::Callback(done) => match outcome {
                Ok(value) => done.call1(py, (true, value)).map(drop),
                Err(err) => done.call1(py, (false, err.into_value(py))).map(drop),
            },
            Done::Queue(_, fut) => settle(py, fut.bind(py), outcome),
        }
    }
}

/// Spawns a job; its outcome goes to `done` when it ends (see [`Done`]).
fn run_async(py: Python<'_>, job: Job, done: Done) -> PyResult<PyTask> {
    let finished = Arc::new(AtomicBool::new(false));
    if SHUTTING_DOWN.load(Ordering::SeqCst) {
        // After the exit hook the shared runtime no longer calls back: run the
        // call here to its end and hand its outcome over at once.
        let outcome = run_blocking(py, job);
        done.now(py, outcome)?;
        finished.store(true, Ordering::SeqCst);
        return Ok(PyTask { cancel: CancelToken::new(), finished });
    }
    let cancel = CancelToken::new();
    let flag = finished.clone();
    let spawned = kernel::spawn(job, Some(cancel.clone()), move |result| {
        flag.store(true, Ordering::SeqCst);
        match done {
            // No GIL here: the loop's thread converts and settles.
            Done::Queue(queue, fut) => queue.push(fut, result),
            Done::Callback(done) => {
                let Some(_in_callback) = CallbackGuard::enter() else { return };
                // Never enters a finalizing interpreter; a closed loop is nobody waiting.
                let _ = Python::try_attach(|py| {
                    let outcome = match result.map(|out| out.into_py(py)) {
                        Ok(Ok(value)) => (true, value),
                        Ok(Err(err)) => (false, err.into_value(py).into_any()),
                        Err(e) => (false, exception(py, &e).map_or_else(|err| err.into_value(py).into_any(), Bound::unbind)),
                    };
                    drop(done.call1(py, outcome));
                });
            }
        }
    });
    spawned.map_err(|e| to_pyerr(py, &e))?;
    Ok(PyTask { cancel, finished })
}

// ---------------------------------------------------------------- completion queues

/// Sets an asyncio future's result or exception, unless it is already done
/// (cancelled while its call ran or waited in the queue).
fn settle(py: Python<'_>, fut: &Bound<'_, PyAny>, outcome: PyResult<Py<PyAny>>) -> PyResult<()> {
    if fut.call_method0(pyo3::intern!(py, "done"))?.is_truthy()? {
        return Ok(());
    }
    match outcome {
        Ok(value) => fut.call_method1(pyo3::intern!(py, "set_result"), (value,)).map(drop),
        Err(err) => fut.call_method1(pyo3::intern!(py, "set_exception"), (err.into_value(py),)).map(drop),
    }
}

/// Finished async calls waiting for their event loop: runtime threads push
/// Rust values (no GIL taken), and the loop's reader (`_Completions.drain`)
/// converts them and settles their futures. The wake-up is written only when
/// the queue goes from empty to not empty, so one wake-up settles every call
/// that finished meanwhile.
struct Queue {
    items: Mutex<Vec<(Py<PyAny>, neonkit::Result<Out>)>>,
    wakeup: Wakeup,
}

impl Queue {
    fn push(&self, fut: Py<PyAny>, result: neonkit::Result<Out>) {
        let was_empty = {
            let mut items = self.items.lock().unwrap_or_else(|p| p.into_inner());
            items.push((fut, result));
            items.len() == 1
        };
        if was_empty {
            self.wakeup.signal();
        }
    }
}

/// The readable end the loop watches (`add_reader`): an eventfd on Linux, a
/// non-blocking pipe elsewhere. Closed when the last holder of its queue (the
/// loop's `_Completions`, or a call still running) lets go, so no thread ever
/// writes to a closed (and maybe reused) descriptor.
struct Wakeup {
    rx: i32,
    tx: i32,
}

#[cfg(unix)]
impl Wakeup {
    fn new() -> std::io::Result<Wakeup> {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            // SAFETY: eventfd has no memory preconditions.
            let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
            if fd < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(Wakeup { rx: fd, tx: fd })
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        {
            let mut fds = [0 as libc::c_int; 2];
            // SAFETY: `fds` has room for the two descriptors pipe writes.
            if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
            let w = Wakeup { rx: fds[0], tx: fds[1] };
            for fd in fds {
                // SAFETY: fcntl on descriptors this function owns.
                unsafe {
                    libc::fcntl(fd, libc::F_SETFL, libc::fcntl(fd, libc::F_GETFL) | libc::O_NONBLOCK);
                    libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
                }
            }
            Ok(w)
        }
    }

    fn signal(&self) {
        let one: u64 = 1;
        // A full pipe (or a saturated eventfd) already says "readable": the result is not needed.
        // SAFETY: writes 8 bytes (an eventfd's unit; a pipe takes any length) from a live u64.
        let _ = unsafe { libc::write(self.tx, (&one as *const u64).cast(), 8) };
    }

    fn clear(&self) {
        let mut buf = [0u8; 64];
        // SAFETY: reads into a live buffer of the length given; the descriptor is non-blocking.
        while unsafe { libc::read(self.rx, buf.as_mut_ptr().cast(), buf.len()) } == buf.len() as isize {}
    }
}

#[cfg(not(unix))]
impl Wakeup {
    fn signal(&self) {}
    fn clear(&self) {}
}

#[cfg(unix)]
impl Drop for Wakeup {
    fn drop(&mut self) {
        // SAFETY: the descriptors are this value's own and closed once.
        unsafe {
            libc::close(self.rx);
            if self.tx != self.rx {
                libc::close(self.tx);
            }
        }
    }
}

/// One event loop's completion queue (`neonkit._base` keeps one per loop and
/// registers `drain` as the reader of `fileno()`).
#[pyclass(frozen, name = "_Completions", module = "neonkit._native")]
struct PyCompletions {
    queue: Arc<Queue>,
}

#[pymethods]
impl PyCompletions {
    #[new]
    fn new() -> PyResult<Self> {
        #[cfg(unix)]
        {
            let wakeup = Wakeup::new().map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))?;
            Ok(PyCompletions { queue: Arc::new(Queue { items: Mutex::new(Vec::new()), wakeup }) })
        }
        #[cfg(not(unix))]
        {
            Err(pyo3::exceptions::PyNotImplementedError::new_err("completion queues need a Unix descriptor"))
        }
    }

    /// The descriptor that becomes readable when calls have finished.
    fn fileno(&self) -> i32 {
        self.queue.wakeup.rx
    }

    /// Settles the futures of every call that finished (on the loop's thread,
    /// as its reader). A future that raises while being settled does not stop the others.
    fn drain(&self, py: Python<'_>) {
        // The wake-up first, then the items: a call finishing in between writes it again.
        self.queue.wakeup.clear();
        let items = std::mem::take(&mut *self.queue.items.lock().unwrap_or_else(|p| p.into_inner()));
        for (fut, result) in items {
            let fut = fut.bind(py);
            let outcome = match result {
                Ok(out) => out.into_py(py),
                Err(e) => Err(to_pyerr(py, &e)),
            };
            if let Err(err) = settle(py, fut, outcome) {
                err.write_unraisable(py, Some(fut));
            }
        }
    }

    /// Calls finished and not yet drained (tests).
    fn pending(&self) -> usize {
        self.queue.items.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// Runs a job blocking (no `done`), or on the runtime with `done(ok, value)` called when it ends (returns its `_Task`).
fn run(py: Python<'_>, job: Result<Job, Error>, done: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let job = job.map_err(|e| to_pyerr(py, &e))?;
    match done {
        None => run_blocking(py, job),
        Some(done) => Ok(Py::new(py, run_async(py, job, Done::from_py(done))?)?.into_any()),
    }
}

// ---------------------------------------------------------------- events

/// One thing a client did (`neonkit.NeonEvent`): what the hooks receive and
/// what the `neonkit` logger writes (`message`, at `level`).
#[pyclass(frozen, name = "NeonEvent", module = "neonkit")]
struct PyEvent {
    #[pyo3(get)]
    kind: &'static str,
    /// The `logging` level of its line: DEBUG (10), or INFO (20) for retries.
    #[pyo3(get)]
    level: u8,
    #[pyo3(get)]
    message: String,
    #[pyo3(get)]
    operation: &'static str,
    #[pyo3(get)]
    method: &'static str,
    #[pyo3(get)]
    path: &'static str,
    #[pyo3(get)]
    attempt: u32,
    #[pyo3(get)]
    max_attempts: u32,
    #[pyo3(get)]
    status: Option<u16>,
    #[pyo3(get)]
    error: Option<&'static str>,
    #[pyo3(get)]
    request_id: Option<String>,
    /// Seconds the attempt took.
    #[pyo3(get)]
    duration: Option<f64>,
    /// Seconds until the next attempt (retry) or poll (wait).
    #[pyo3(get)]
    delay: Option<f64>,
    #[pyo3(get)]
    operation_ids: Vec<String>,
    #[pyo3(get)]
    pending: u32,
    #[pyo3(get)]
    total: u32,
}

#[pymethods]
impl PyEvent {
    fn __repr__(&self) -> String {
        format!("NeonEvent(kind={:?}, message={:?})", self.kind, self.message)
    }

    fn __str__(&self) -> String {
        self.message.clone()
    }
}

impl PyEvent {
    fn new(e: &Event) -> PyEvent {
        PyEvent {
            kind: e.kind.as_str(),
            level: match e.level() {
                Level::Debug => 10,
                Level::Info => 20,
            },
            message: e.message(),
            operation: e.operation,
            method: e.method,
            path: e.path,
            attempt: e.attempt,
            max_attempts: e.max_attempts,
            status: e.status,
            error: e.error,
            request_id: e.request_id.clone(),
            duration: e.duration.map(|d| d.as_secs_f64()),
            delay: e.delay.map(|d| d.as_secs_f64()),
            operation_ids: e.operation_ids.clone(),
            pending: e.pending,
            total: e.total,
        }
    }
}

/// Hands a client's events to a Python callable (`neonkit._events._Sink`),
/// only those of the kinds it asked for: the GIL is taken for nothing else.
struct PyListener {
    sink: Py<PyAny>,
    /// Indexed by `EventKind::ALL`'s order.
    wants: [bool; 4],
}

impl EventListener for PyListener {
    fn wants(&self, kind: EventKind) -> bool {
        EventKind::ALL.iter().position(|k| *k == kind).is_some_and(|i| self.wants[i])
    }

    fn on_event(&self, event: &Event) {
        // Never after the exit hook (the interpreter may be finalizing).
        let Some(_in_callback) = CallbackGuard::enter() else { return };
        let _ = Python::try_attach(|py| {
            if let Err(err) = Py::new(py, PyEvent::new(event)).and_then(|e| self.sink.call1(py, (e,))) {
                // The sink catches what hooks raise; this is its own failure.
                err.write_unraisable(py, None);
            }
        });
    }
}

/// The listener for a sink and the event kinds it wants (`None`: no listener, no cost).
fn listener(sink: Option<Py<PyAny>>, kinds: Vec<String>) -> PyResult<Option<Arc<dyn EventListener>>> {
    let Some(sink) = sink else { return Ok(None) };
    let mut wants = [false; 4];
    for k in &kinds {
        let i = EventKind::ALL
            .iter()
            .position(|e| e.as_str() == k)
            .ok_or_else(|| pyo3::exceptions::PyValueError::new_err(format!("no event kind {k:?}")))?;
        wants[i] = true;
    }
    Ok(wants.contains(&true).then(|| Arc::new(PyListener { sink, wants }) as Arc<dyn EventListener>))
}

/// The text logged when a hook raises (one wording in every language).
#[pyfunction]
fn _hook_failed_message(hook: &str, error: &str) -> String {
    neonkit::events::hook_failed_message(hook, error)
}

// ---------------------------------------------------------------- client

#[pyclass(frozen, name = "_Client", module = "neonkit._native")]
struct PyClient {
    builder: ClientBuilder,
    /// What `with_options` added, in order (re-applied in a forked child).
    call: Vec<CallOptions>,
    /// The client and the process it was built in (rebuilt in a forked child:
    /// the parent's pooled connections belong to the parent). None = closed.
    state: Mutex<Option<(u32, Client)>>,
}

impl PyClient {
    fn build(builder: &ClientBuilder, call: &[CallOptions]) -> neonkit::Result<Client> {
        call.iter().try_fold(builder.clone().build()?, |c, o| c.with_options(o))
    }

    fn client(&self) -> Result<Client, Error> {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let pid = runtime::process_id();
        match &*guard {
            None => Err(Error::new(ErrorKind::Runtime, "the client is closed")),
            Some((owner, c)) if *owner == pid => Ok(c.clone()),
            Some(_) => {
                let c = PyClient::build(&self.builder, &self.call)?;
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
        b: Option<&Bound<'_, PyAny>>,
        wait: Option<bool>,
    ) -> Result<Job, Error> {
        let op = kernel::operation(op_id)?;
        let client = self.client()?;
        let client = wait.map_or(client.clone(), |w| client.with_wait(w));
        let b = body(b)?;
        Ok(Box::pin(async move { client.call_op(op, path, query, b).await.map(|r| Out::Reply(r, op.id)) }))
    }

    fn request_job(&self, method: String, path: String, query: Vec<(String, String)>, b: Option<Vec<u8>>) -> Result<Job, Error> {
        let client = self.client()?;
        Ok(Box::pin(
            async move { client.request_by_name(&method, &path, query, b.map(Bytes::from)).await.map(|r| Out::Reply(r, "request")) },
        ))
    }

    /// A workflow of `spec/workflows.yaml` (`Client::workflow`): its arguments as JSON bytes, its result as JSON.
    fn workflow_job(&self, id: String, args: Bytes) -> Result<Job, Error> {
        let client = self.client()?;
        Ok(Box::pin(async move { client.workflow(&id, args).await.map(|b| Out::Json(b, "workflow")) }))
    }

    fn wait_job(&self, project_id: String, ids: Vec<String>) -> Result<Job, Error> {
        let client = self.client()?;
        Ok(Box::pin(async move { Out::encoded("getProjectOperation", &client.wait_for_operation_ids(&project_id, &ids).await?) }))
    }
}

#[pymethods]
impl PyClient {
    /// Options by their Python names (spec/vocabulary.yaml); the core checks each. `sink`
    /// receives the events of the `kinds` given (`neonkit._events`); without it none is made.
    #[new]
    #[pyo3(signature = (options, sink=None, kinds=Vec::new()))]
    fn new(py: Python<'_>, options: &Bound<'_, PyDict>, sink: Option<Py<PyAny>>, kinds: Vec<String>) -> PyResult<Self> {
        let values = option_values(options)?;
        let listener = listener(sink, kinds)?;
        let built = ClientOptions::from_values(Convention::Snake, values).and_then(|mut o| {
            o.user_agent_suffix = Some("python".into());
            o.listener = listener;
            let b = o.builder()?;
            Ok((b.clone().build()?, b))
        });
        let (client, builder) = built.map_err(|e| to_pyerr(py, &e))?;
        Ok(PyClient { builder, call: Vec::new(), state: Mutex::new(Some((runtime::process_id(), client))) })
    }

    /// A client sharing this one's connections whose every call uses these options.
    fn with_options(&self, py: Python<'_>, options: &Bound<'_, PyDict>) -> PyResult<PyClient> {
        let values = option_values(options)?;
        let derived = CallOptions::from_values(Convention::Snake, values).and_then(|o| Ok((self.client()?.with_options(&o)?, o)));
        let (client, o) = derived.map_err(|e| to_pyerr(py, &e))?;
        let mut call = self.call.clone();
        call.push(o);
        Ok(PyClient { builder: self.builder.clone(), call, state: Mutex::new(Some((runtime::process_id(), client))) })
    }

    /// A client sharing this one's connections whose events go to `sink` (the kinds given) instead.
    #[pyo3(signature = (sink, kinds))]
    fn with_listener(&self, py: Python<'_>, sink: Option<Py<PyAny>>, kinds: Vec<String>) -> PyResult<PyClient> {
        let listener = listener(sink, kinds)?;
        let client = self.client().map_err(|e| to_pyerr(py, &e))?.with_listener(listener.clone());
        let builder = self.builder.clone().shared_listener(listener);
        Ok(PyClient { builder, call: self.call.clone(), state: Mutex::new(Some((runtime::process_id(), client))) })
    }

    /// Calls an operation: blocking (GIL released) it returns `(body, ResponseInfo)`; with `done` it
    /// runs on the runtime, returns its `_Task`, and `done(ok, value)` receives that or the exception.
    #[pyo3(signature = (op_id, path, query, body=None, wait=None, done=None))]
    #[allow(clippy::too_many_arguments)]
    fn call(
        &self,
        py: Python<'_>,
        op_id: &str,
        path: Vec<Bound<'_, PyAny>>,
        query: Vec<(String, Bound<'_, PyAny>)>,
        body: Option<&Bound<'_, PyAny>>,
        wait: Option<bool>,
        done: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let (path, query) = texts(op_id, path, query)?;
        run(py, self.call_job(op_id, path, query, body, wait), done)
    }

    /// The raw call: `(body bytes, ResponseInfo)` (or its `_Task`, with `done`).
    #[pyo3(signature = (method, path, query, body=None, done=None))]
    fn request(
        &self,
        py: Python<'_>,
        method: String,
        path: String,
        query: Vec<(String, Bound<'_, PyAny>)>,
        body: Option<Vec<u8>>,
        done: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let (_, query) = texts("request", Vec::new(), query)?;
        run(py, self.request_job(method, path, query, body), done)
    }

    /// A pager over a paginated operation (`body`: JSON bytes, when the cursor travels in the body).
    #[pyo3(signature = (op_id, path, query, body=None))]
    fn pager(
        &self,
        py: Python<'_>,
        op_id: &str,
        path: Vec<Bound<'_, PyAny>>,
        query: Vec<(String, Bound<'_, PyAny>)>,
        body: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyPager> {
        let (path, query) = texts(op_id, path, query)?;
        let pager = self.client().and_then(|c| c.pager_by_id(op_id, path, query, self::body(body)?)).map_err(|e| to_pyerr(py, &e))?;
        let operation = kernel::operation(op_id).map_err(|e| to_pyerr(py, &e))?.id;
        Ok(PyPager { inner: Arc::new(tokio::sync::Mutex::new(pager)), operation })
    }

    /// Runs a workflow by its id with its arguments (a JSON object, as bytes); returns its result parsed
    /// (a dict, or a str for a string), or its `_Task` with `done`.
    #[pyo3(signature = (id, args, done=None))]
    fn workflow(&self, py: Python<'_>, id: String, args: &[u8], done: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        run(py, self.workflow_job(id, Bytes::copy_from_slice(args)), done)
    }

    /// Waits for operations (by id) to finish; returns the operations (dicts), or its `_Task` with `done`.
    #[pyo3(signature = (project_id, ids, done=None))]
    fn wait_for_operations(
        &self,
        py: Python<'_>,
        project_id: String,
        ids: Vec<String>,
        done: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        run(py, self.wait_job(project_id, ids), done)
    }

    /// Drops this client's handle on the connection pool; later calls fail.
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
        let (inner, operation) = (self.inner.clone(), self.operation);
        Box::pin(async move {
            match inner.lock().await.next_page().await? {
                Some(items) => Out::encoded(operation, &items),
                None => Ok(Out::None),
            }
        })
    }
}

#[pymethods]
impl PyPager {
    /// The next page's items (dicts), or None after the last page; its `_Task` with `done`.
    #[pyo3(signature = (done=None))]
    fn next_page(&self, py: Python<'_>, done: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        run(py, Ok(self.job()), done)
    }
}

// ---------------------------------------------------------------- emulator

/// The neonkit emulator, running in this process on the shared runtime.
#[cfg(feature = "emulator")]
#[pyclass(frozen, name = "_Emulator", module = "neonkit._native")]
struct PyEmulator {
    handle: EmulatorHandle,
}

#[cfg(feature = "emulator")]
#[pymethods]
impl PyEmulator {
    /// Options by their Python names (spec/vocabulary.yaml's emulator_options).
    #[new]
    fn new(py: Python<'_>, options: &Bound<'_, PyDict>) -> PyResult<Self> {
        let config = neonkit_emulator::handle::config(Convention::Snake, option_values(options)?).map_err(|e| to_pyerr(py, &e))?;
        let handle = py.detach(move || EmulatorHandle::start_blocking(config)).map_err(|e| to_pyerr(py, &e))?;
        Ok(PyEmulator { handle })
    }

    #[getter]
    fn base_url(&self) -> &str {
        self.handle.base_url()
    }

    #[getter]
    fn api_key(&self) -> &str {
        self.handle.api_key()
    }

    #[getter]
    fn port(&self) -> u16 {
        self.handle.port()
    }

    /// Adds a fault, given as the JSON object of `POST /_emulator/faults`.
    fn add_fault(&self, py: Python<'_>, fault_json: &str) -> PyResult<()> {
        self.handle.add_fault_json(fault_json).map_err(|e| to_pyerr(py, &e))
    }

    /// Seeds a fixture (the JSON of `POST /_emulator/fixtures`); returns the ids it gave, as JSON.
    fn seed(&self, py: Python<'_>, fixture_json: &str) -> PyResult<String> {
        let seeded = self.handle.seed_json(fixture_json).map_err(|e| to_pyerr(py, &e))?;
        serde_json::to_string(&seeded).map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))
    }

    fn clear_faults(&self, py: Python<'_>) -> PyResult<()> {
        self.handle.clear_faults().map_err(|e| to_pyerr(py, &e))
    }

    fn request_count(&self, py: Python<'_>, operation_id: &str) -> PyResult<u64> {
        self.handle.request_count(operation_id).map_err(|e| to_pyerr(py, &e))
    }

    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        self.handle.reset().map_err(|e| to_pyerr(py, &e))
    }

    /// Sets the emulator's clock to an RFC 3339 instant; answers the clock's time (RFC 3339).
    fn set_clock(&self, py: Python<'_>, rfc3339: &str) -> PyResult<String> {
        self.handle.set_clock(rfc3339).map_err(|e| to_pyerr(py, &e))
    }

    /// Moves the emulator's clock forward; answers the clock's time.
    fn advance_clock(&self, py: Python<'_>, seconds: f64) -> PyResult<String> {
        self.handle.advance_clock(seconds).map_err(|e| to_pyerr(py, &e))
    }

    /// Puts the emulator's clock back on the real time; answers the clock's time.
    fn real_clock(&self, py: Python<'_>) -> PyResult<String> {
        self.handle.real_clock().map_err(|e| to_pyerr(py, &e))
    }

    fn clock(&self, py: Python<'_>) -> PyResult<String> {
        self.handle.clock().map_err(|e| to_pyerr(py, &e))
    }

    /// Changes what can change while it runs (options by their Python names).
    fn configure(&self, py: Python<'_>, options: &Bound<'_, PyDict>) -> PyResult<()> {
        self.handle.configure(Convention::Snake, option_values(options)?).map_err(|e| to_pyerr(py, &e))
    }

    fn stop(&self, py: Python<'_>) {
        py.detach(|| self.handle.stop());
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
    Out::Json(Bytes::copy_from_slice(data), "_parse_json").into_py(py)
}

/// Raises a Rust panic inside a runtime task or a blocking call (tests check that it becomes an exception).
#[pyfunction]
#[pyo3(signature = (done=None))]
fn _panic_for_test(py: Python<'_>, done: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    run(py, Ok(Box::pin(async { panic!("deliberate test panic") })), done)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let main: u64 = m.py().import("threading")?.call_method0("main_thread")?.getattr("ident")?.extract()?;
    let _ = MAIN_THREAD.set(main);
    m.add_class::<PyClient>()?;
    m.add_class::<PyPager>()?;
    m.add_class::<PyTask>()?;
    m.add_class::<PyCompletions>()?;
    #[cfg(feature = "emulator")]
    m.add_class::<PyEmulator>()?;
    m.add_class::<PyResponseInfo>()?;
    m.add_class::<PyEvent>()?;
    m.add_function(wrap_pyfunction!(_hook_failed_message, m)?)?;
    m.add_function(wrap_pyfunction!(_shutdown, m)?)?;
    m.add_function(wrap_pyfunction!(_operation_ids, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    m.add_function(wrap_pyfunction!(_parse_json, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
