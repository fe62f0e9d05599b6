//! neonkit's Node binding: the napi-rs shims over the Rust core.
//!
//! The native surface is small and dynamic: one `call` entry point (operation
//! index, path values, query pairs, body) that returns a Promise settled from
//! the core's shared tokio runtime, a blocking `callSync`, a pager, operation
//! waits and the in-process emulator. The generated JS layer in `node/`
//! (`node/generated/`) turns it into `client.<namespace>.<method>(…)`.
//!
//! Errors cross the boundary as `GenericFailure` errors whose message is a
//! marker followed by the error's fields as JSON; `node/errors.js` rethrows
//! them as `NeonError` subclasses. Every future runs inside `catch_unwind`, and
//! every synchronous entry point too, so a Rust panic becomes a rejected
//! Promise (kind `runtime`), never a dead process.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use neonkit::operation::{BodyKind, ResponseKind};
use neonkit::{ErrorKind, OperationInfo, Part, PartValue, Payload};

/// What starts the message of every error that carries neonkit's fields.
const MARKER: &str = "\u{1}neonkit:";

fn error_json(kind: &str, e: Option<&neonkit::Error>, message: &str) -> String {
    let v = match e {
        Some(e) => serde_json::json!({
            "kind": kind,
            "status": e.status(),
            "code": e.code(),
            "message": e.to_string(),
            "requestId": e.request_id(),
            "operation": e.operation(),
            "retryAfterMs": e.retry_after().map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            "pendingOperations": e.pending_operations(),
            "retryable": e.is_retryable(),
            "accepted": e.is_accepted(),
        }),
        None => serde_json::json!({ "kind": kind, "status": null, "code": "", "message": message }),
    };
    format!("{MARKER}{v}")
}

fn to_napi(e: neonkit::Error) -> napi::Error {
    napi::Error::new(Status::GenericFailure, error_json(e.kind().as_str(), Some(&e), ""))
}

fn plain(kind: &str, message: impl Into<String>) -> napi::Error {
    napi::Error::new(Status::GenericFailure, error_json(kind, None, &message.into()))
}

fn panic_error(payload: Box<dyn std::any::Any + Send>) -> napi::Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    plain("runtime", format!("internal error in neonkit (a Rust panic, please report it): {what}"))
}

fn op_at(index: u32) -> Result<&'static OperationInfo> {
    neonkit::operations::OPERATIONS
        .get(index as usize)
        .copied()
        .ok_or_else(|| plain("invalid_argument", format!("no operation with index {index}")))
}

// ---------------------------------------------------------------- cancellation

struct CancelState {
    flag: AtomicBool,
    notify: tokio::sync::Notify,
}

impl CancelState {
    async fn cancelled(&self) {
        loop {
            let notified = self.notify.notified();
            if self.flag.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}

/// Cancels the call it is given to (the JS layer makes one per `AbortSignal`).
#[napi]
pub struct CancelToken {
    state: Arc<CancelState>,
}

#[napi]
impl CancelToken {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        CancelToken { state: Arc::new(CancelState { flag: AtomicBool::new(false), notify: tokio::sync::Notify::new() }) }
    }

    /// Drops the call's future on the runtime (its connection is closed).
    #[napi]
    pub fn cancel(&self) {
        self.state.flag.store(true, Ordering::SeqCst);
        self.state.notify.notify_waiters();
    }

    #[napi(getter)]
    pub fn cancelled(&self) -> bool {
        self.state.flag.load(Ordering::SeqCst)
    }
}

/// Runs `fut` on the shared runtime and settles a Promise with its outcome.
fn spawn_promise<'env, T, F>(env: &'env Env, cancel: Option<Arc<CancelState>>, fut: F) -> Result<Object<'env>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = std::result::Result<T, napi::Error>> + Send + 'static,
{
    let handle = neonkit::runtime::handle().map_err(to_napi)?;
    let (deferred, promise) = env.create_deferred()?;
    handle.spawn(async move {
        let guarded = async move {
            match cancel {
                Some(c) => tokio::select! {
                    r = fut => r,
                    _ = c.cancelled() => Err(plain("aborted", "the call was aborted")),
                },
                None => fut.await,
            }
        };
        match AssertUnwindSafe(guarded).catch_unwind().await {
            Ok(Ok(v)) => deferred.resolve(move |_| Ok(v)),
            Ok(Err(e)) => deferred.reject(e),
            Err(p) => deferred.reject(panic_error(p)),
        }
    });
    Ok(promise)
}

/// Runs `fut` to completion on this thread (see `neonkit::runtime::Driver`).
fn block<T, F>(fut: F) -> Result<T>
where
    F: Future<Output = std::result::Result<T, napi::Error>>,
{
    match std::panic::catch_unwind(AssertUnwindSafe(|| neonkit::runtime::block_on_here(fut))) {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => Err(to_napi(e)),
        Err(p) => Err(panic_error(p)),
    }
}

// ---------------------------------------------------------------- the client

/// The client settings (validated in JS; the core checks them again).
#[napi(object)]
pub struct NativeClientOptions {
    pub api_key: Option<String>,
    pub base_url: Option<String>,
    pub org_id: Option<String>,
    pub timeout_ms: Option<f64>,
    pub connect_timeout_ms: Option<f64>,
    pub retries: Option<f64>,
    pub retry_initial_backoff_ms: Option<f64>,
    pub retry_max_backoff_ms: Option<f64>,
    pub wait: Option<bool>,
    pub wait_timeout_ms: Option<f64>,
    pub wait_initial_interval_ms: Option<f64>,
    pub wait_max_interval_ms: Option<f64>,
    pub max_response_bytes: Option<f64>,
    pub pool_idle_timeout_ms: Option<f64>,
}

/// Milliseconds to the core's seconds (the core checks the range).
fn secs(ms: Option<f64>) -> Option<f64> {
    ms.map(|v| v / 1000.0)
}

/// A JS number as a whole number for the core, saturating (the core names the range).
fn whole(v: Option<f64>) -> Option<i64> {
    v.map(|n| if n.is_nan() { i64::MIN } else { n as i64 })
}

/// Emulator durations in milliseconds (negatives are zero).
fn ms(v: f64) -> Duration {
    Duration::from_micros((v.max(0.0) * 1000.0) as u64)
}

/// V8's longest string: a JSON body longer than this cannot be handed over as text.
const MAX_JS_STRING: usize = 0x1fff_ffe8;

/// One part of a multipart body.
#[napi(object)]
pub struct PartInput {
    pub name: String,
    pub text: Option<String>,
    pub data: Option<Buffer>,
    pub filename: Option<String>,
    pub content_type: Option<String>,
}

#[napi]
pub struct NativeClient {
    client: neonkit::Client,
}

struct Request {
    op: &'static OperationInfo,
    client: neonkit::Client,
    path: Vec<String>,
    query: Vec<(String, String)>,
    payload: Payload,
}

impl Request {
    async fn run(self) -> std::result::Result<Either<String, Buffer>, napi::Error> {
        let path: Vec<&str> = self.path.iter().map(String::as_str).collect();
        let query: Vec<(&str, String)> = self.query.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let resp = self.client.call(self.op, &path, &query, self.payload).await.map_err(to_napi)?;
        Ok(match self.op.response {
            ResponseKind::Bytes => Either::B(Buffer::from(resp.body.to_vec())),
            ResponseKind::Empty => Either::A(String::new()),
            ResponseKind::Json if resp.body.len() > MAX_JS_STRING => {
                return Err(plain(
                    "decode",
                    format!("the response body ({} bytes) is longer than a JavaScript string can be", resp.body.len()),
                ))
            }
            ResponseKind::Json => Either::A(match String::from_utf8(resp.body.to_vec()) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            }),
        })
    }
}

fn pairs(flat: Vec<String>) -> Result<Vec<(String, String)>> {
    if flat.len() & 1 == 1 {
        return Err(plain("invalid_argument", "query must be name/value pairs"));
    }
    let mut out = Vec::with_capacity(flat.len() / 2);
    let mut it = flat.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.push((k, v));
    }
    Ok(out)
}

impl NativeClient {
    fn with_wait(&self, wait: i32) -> neonkit::Client {
        match wait {
            0 => self.client.with_wait(false),
            1 => self.client.with_wait(true),
            _ => self.client.clone(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn request(
        &self,
        op: u32,
        path: Vec<String>,
        query: Vec<String>,
        body: Option<String>,
        parts: Option<Vec<PartInput>>,
        wait: i32,
    ) -> Result<Request> {
        let op = op_at(op)?;
        let payload = match (body, parts) {
            (Some(b), _) => Payload::Json(bytes::Bytes::from(b.into_bytes())),
            (None, Some(parts)) => Payload::Multipart(
                parts
                    .into_iter()
                    .map(|p| Part {
                        name: p.name,
                        value: match p.data {
                            Some(data) => PartValue::File {
                                bytes: bytes::Bytes::from(Vec::<u8>::from(data)),
                                filename: p.filename.unwrap_or_else(|| "file".into()),
                                content_type: p.content_type.unwrap_or_else(|| "application/octet-stream".into()),
                            },
                            None => PartValue::Text(p.text.unwrap_or_default()),
                        },
                    })
                    .collect(),
            ),
            (None, None) => Payload::None,
        };
        if matches!(op.body, BodyKind::None) && !matches!(payload, Payload::None) {
            return Err(plain("invalid_argument", format!("{} takes no request body", op.id)));
        }
        Ok(Request { op, client: self.with_wait(wait), path, query: pairs(query)?, payload })
    }
}

#[napi]
impl NativeClient {
    #[napi(constructor)]
    pub fn new(options: NativeClientOptions) -> Result<Self> {
        let run = || {
            let b = neonkit::ClientOptions {
                api_key: options.api_key,
                base_url: options.base_url,
                org_id: options.org_id,
                timeout: secs(options.timeout_ms),
                connect_timeout: secs(options.connect_timeout_ms),
                max_retries: whole(options.retries),
                retry_initial_backoff: secs(options.retry_initial_backoff_ms),
                retry_max_backoff: secs(options.retry_max_backoff_ms),
                wait_for_operations: options.wait,
                wait_timeout: secs(options.wait_timeout_ms),
                wait_poll_interval: secs(options.wait_initial_interval_ms),
                wait_max_poll_interval: secs(options.wait_max_interval_ms),
                max_response_bytes: whole(options.max_response_bytes),
                pool_idle_timeout: secs(options.pool_idle_timeout_ms),
                user_agent_suffix: Some("node".into()),
            }
            .builder()?;
            // reqwest's client must be built where a runtime's reactor is reachable.
            let handle = neonkit::runtime::handle()?;
            let _g = handle.enter();
            b.build()
        };
        match std::panic::catch_unwind(AssertUnwindSafe(run)) {
            Ok(Ok(client)) => Ok(NativeClient { client }),
            Ok(Err(e)) => Err(to_napi(e)),
            Err(p) => Err(panic_error(p)),
        }
    }

    /// The base URL in use (after defaults and `NEON_API_URL`).
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.client.base_url().to_string()
    }

    /// Whether mutating calls wait for their operations by default.
    #[napi(getter)]
    pub fn wait(&self) -> bool {
        self.client.waits_for_operations()
    }

    /// Calls an operation; resolves with the JSON body as a string (a Buffer for binary responses).
    /// `wait`: -1 = the client's setting, 0 = don't wait, 1 = wait.
    #[allow(clippy::too_many_arguments)]
    #[napi(catch_unwind, ts_return_type = "Promise<string | Buffer>")]
    pub fn call<'env>(
        &self,
        env: &'env Env,
        op: u32,
        path: Vec<String>,
        query: Vec<String>,
        body: Option<String>,
        parts: Option<Vec<PartInput>>,
        wait: i32,
        cancel: Option<&CancelToken>,
    ) -> Result<Object<'env>> {
        let req = self.request(op, path, query, body, parts, wait)?;
        spawn_promise(env, cancel.map(|c| c.state.clone()), req.run())
    }

    /// `call`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn call_sync(
        &self,
        op: u32,
        path: Vec<String>,
        query: Vec<String>,
        body: Option<String>,
        parts: Option<Vec<PartInput>>,
        wait: i32,
    ) -> Result<Either<String, Buffer>> {
        let req = self.request(op, path, query, body, parts, wait)?;
        block(req.run())
    }

    /// A pager over a paginated operation.
    #[napi(catch_unwind)]
    pub fn pager(&self, op: u32, path: Vec<String>, query: Vec<String>) -> Result<NativePager> {
        let op = op_at(op)?;
        if op.pagination.is_none() {
            return Err(plain("invalid_argument", format!("{} is not paginated", op.id)));
        }
        let mut q = Vec::new();
        for (k, v) in pairs(query)? {
            let param = op.query_param(&k).ok_or_else(|| plain("invalid_argument", format!("{} has no query parameter {k:?}", op.id)))?;
            q.push((param.name, v));
        }
        let pager = self.client.pager(op, path, q);
        Ok(NativePager { inner: Arc::new(tokio::sync::Mutex::new(pager)) })
    }

    /// Waits for operations given as JSON (`Operation[]`); resolves with them, final, as JSON.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn wait_for_operations<'env>(&self, env: &'env Env, operations_json: String, cancel: Option<&CancelToken>) -> Result<Object<'env>> {
        let client = self.client.clone();
        spawn_promise(env, cancel.map(|c| c.state.clone()), async move { wait_json(client, operations_json).await })
    }

    #[napi(catch_unwind)]
    pub fn wait_for_operations_sync(&self, operations_json: String) -> Result<String> {
        block(wait_json(self.client.clone(), operations_json))
    }

    /// Waits for operations known by id; resolves with them, final, as JSON.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn wait_for_operation_ids<'env>(
        &self,
        env: &'env Env,
        project_id: String,
        ids: Vec<String>,
        cancel: Option<&CancelToken>,
    ) -> Result<Object<'env>> {
        let client = self.client.clone();
        spawn_promise(env, cancel.map(|c| c.state.clone()), async move { wait_ids(client, project_id, ids).await })
    }

    #[napi(catch_unwind)]
    pub fn wait_for_operation_ids_sync(&self, project_id: String, ids: Vec<String>) -> Result<String> {
        block(wait_ids(self.client.clone(), project_id, ids))
    }
}

async fn wait_json(client: neonkit::Client, json: String) -> std::result::Result<String, napi::Error> {
    let ops: Vec<neonkit::models::Operation> = serde_json::from_str(&json).map_err(|e| {
        plain("invalid_argument", format!("not a list of operations: {}", e.to_string().split(" at line").next().unwrap_or("")))
    })?;
    let done = client.wait_for_operations(&ops).await.map_err(to_napi)?;
    serde_json::to_string(&done).map_err(|e| plain("decode", e.to_string()))
}

async fn wait_ids(client: neonkit::Client, project_id: String, ids: Vec<String>) -> std::result::Result<String, napi::Error> {
    let done = client.wait_for_operation_ids(&project_id, &ids).await.map_err(to_napi)?;
    serde_json::to_string(&done).map_err(|e| plain("decode", e.to_string()))
}

// ---------------------------------------------------------------- pagination

/// Walks the pages of one paginated call.
#[napi]
pub struct NativePager {
    inner: Arc<tokio::sync::Mutex<neonkit::Pager>>,
}

async fn next_page(pager: Arc<tokio::sync::Mutex<neonkit::Pager>>) -> std::result::Result<Option<String>, napi::Error> {
    let mut p = pager.lock().await;
    match p.next_page().await.map_err(to_napi)? {
        Some(items) => Ok(Some(serde_json::to_string(&items).map_err(|e| plain("decode", e.to_string()))?)),
        None => Ok(None),
    }
}

#[napi]
impl NativePager {
    /// Resolves with the next page's items as a JSON array, or null after the last page.
    #[napi(catch_unwind, ts_return_type = "Promise<string | null>")]
    pub fn next_page<'env>(&self, env: &'env Env, cancel: Option<&CancelToken>) -> Result<Object<'env>> {
        let inner = self.inner.clone();
        spawn_promise(env, cancel.map(|c| c.state.clone()), next_page(inner))
    }

    #[napi(catch_unwind)]
    pub fn next_page_sync(&self) -> Result<Option<String>> {
        block(next_page(self.inner.clone()))
    }
}

// ---------------------------------------------------------------- metadata

/// The operationIds in the order of the core's operation table (the index `call` takes).
#[napi]
pub fn operation_ids() -> Vec<String> {
    neonkit::operations::OPERATIONS.iter().map(|o| o.id.to_string()).collect()
}

/// The stable snake_case names of every error kind.
#[napi]
pub fn error_kinds() -> Vec<String> {
    ErrorKind::ALL.iter().map(|k| k.as_str().to_string()).collect()
}

/// The core's version.
#[napi]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Panics inside the binding, to prove that a panic becomes an error (tests only).
#[napi(ts_return_type = "Promise<void> | void")]
pub fn test_panic(env: &Env, asynchronous: bool) -> Result<Option<Object<'_>>> {
    if asynchronous {
        let p = spawn_promise(env, None, async { panic!("test panic (async)") as std::result::Result<(), napi::Error> })?;
        Ok(Some(p))
    } else {
        match std::panic::catch_unwind(|| -> () { panic!("test panic (sync)") }) {
            Ok(()) => Ok(None),
            Err(p) => Err(panic_error(p)),
        }
    }
}

// ---------------------------------------------------------------- emulator

/// Settings of the in-process emulator (all optional).
#[napi(object)]
pub struct EmulatorOptions {
    pub port: Option<u32>,
    pub api_key: Option<String>,
    pub operation_duration_ms: Option<f64>,
    pub locking: Option<bool>,
    pub rate_limits: Option<bool>,
    pub latency_ms: Option<f64>,
    pub seed: Option<f64>,
    /// Closes keep-alive connections idle for longer, as load balancers do.
    pub idle_timeout_ms: Option<f64>,
}

/// A running emulator, on 127.0.0.1, served by the shared runtime.
#[napi]
pub struct NativeEmulator {
    emu: Arc<Mutex<Option<neonkit_emulator::Emulator>>>,
    base_url: String,
    api_key: String,
}

fn with_emu<T>(emu: &Mutex<Option<neonkit_emulator::Emulator>>, f: impl FnOnce(&neonkit_emulator::Emulator) -> T) -> Result<T> {
    let guard = emu.lock().unwrap_or_else(|p| p.into_inner());
    match guard.as_ref() {
        Some(e) => Ok(f(e)),
        None => Err(plain("runtime", "the emulator was stopped")),
    }
}

#[napi]
impl NativeEmulator {
    /// `http://127.0.0.1:PORT/api/v2`
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    #[napi(getter)]
    pub fn api_key(&self) -> String {
        self.api_key.clone()
    }

    /// Adds a fault (the JSON of the admin API's `POST /_emulator/faults`).
    #[napi(catch_unwind)]
    pub fn add_fault(&self, fault_json: String) -> Result<()> {
        let fault: neonkit_emulator::Fault =
            serde_json::from_str(&fault_json).map_err(|e| plain("invalid_argument", format!("not a fault: {e}")))?;
        with_emu(&self.emu, |e| e.add_fault(fault))
    }

    #[napi(catch_unwind)]
    pub fn clear_faults(&self) -> Result<()> {
        with_emu(&self.emu, |e| e.clear_faults())
    }

    /// Empties all state (projects, faults, counters).
    #[napi(catch_unwind)]
    pub fn reset(&self) -> Result<()> {
        with_emu(&self.emu, |e| e.reset())
    }

    /// Requests received for that operationId.
    #[napi(catch_unwind)]
    pub fn request_count(&self, operation_id: String) -> Result<f64> {
        with_emu(&self.emu, |e| e.request_count(&operation_id) as f64)
    }

    /// Stops the server (idempotent).
    #[napi(catch_unwind)]
    pub fn stop(&self) -> Result<()> {
        let taken = self.emu.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(emu) = taken {
            let handle = neonkit::runtime::handle().map_err(to_napi)?;
            let _g = handle.enter();
            drop(emu);
        }
        Ok(())
    }
}

/// Starts an emulator in this process.
#[napi(catch_unwind, ts_return_type = "Promise<NativeEmulator>")]
pub fn start_emulator(env: &Env, options: Option<EmulatorOptions>) -> Result<Object<'_>> {
    let mut config = neonkit_emulator::EmulatorConfig::default();
    if let Some(o) = options {
        if let Some(p) = o.port {
            config.port = u16::try_from(p).map_err(|_| plain("invalid_argument", "port must be at most 65535"))?;
        }
        config.api_key = o.api_key;
        if let Some(d) = o.operation_duration_ms {
            config.operation_duration = ms(d);
        }
        if let Some(l) = o.locking {
            config.locking = l;
        }
        if let Some(r) = o.rate_limits {
            config.rate_limits = r;
        }
        if let Some(l) = o.latency_ms {
            config.latency = ms(l);
        }
        if let Some(s) = o.seed {
            config.seed = Some(s as u64);
        }
        config.idle_timeout = o.idle_timeout_ms.map(ms);
    }
    spawn_promise(env, None, async move {
        let emu =
            neonkit_emulator::Emulator::start(config).await.map_err(|e| plain("runtime", format!("the emulator could not start: {e}")))?;
        let base_url = emu.base_url().to_string();
        let api_key = emu.api_key().to_string();
        Ok(NativeEmulator { emu: Arc::new(Mutex::new(Some(emu))), base_url, api_key })
    })
}
