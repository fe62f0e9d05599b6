//! neonkit for Kotlin and Swift, through uniffi (proc-macro style).
//!
//! Thin by design: every call goes to the neonkit core (`neonkit::Client::call`),
//! which validates arguments, retries, paginates and waits for operations. This
//! crate only converts arguments and errors and runs the core's futures:
//!
//! - async methods (`suspend fun` / `async`) spawn the core future on neonkit's
//!   shared runtime and await its join handle, so no second runtime is started
//!   (uniffi's `tokio` feature is off on purpose);
//! - `…Blocking` methods run the same future on the same runtime and wait;
//! - a panic inside the core becomes a `NeonError.Runtime`, never an abort, and
//!   a cancelled coroutine aborts the request it was waiting for.
//!
//! The per-operation methods (`client.projects().list(…)`) are generated into
//! `src/generated/api.rs` by `cargo xtask codegen` from the spec.

// `NeonError` is what every exported function returns across the FFI (a uniffi
// error with the same fields per kind); boxing it is not possible there.
#![allow(clippy::result_large_err)]

use std::future::Future;
use std::sync::Arc;

uniffi::setup_scaffolding!("neonkit");

#[rustfmt::skip]
#[path = "generated/api.rs"]
mod api;
#[cfg(feature = "emulator")]
mod emulator;

pub use api::*;

// ---------------------------------------------------------------------------
// Errors

/// The error of every neonkit call (Kotlin `NeonException`, Swift `NeonError`).
/// One variant per kind of the core's `ErrorKind`, each with the same fields:
/// `status` (the HTTP status, null when no response was received), `code` (the
/// API's error code, may be empty), `errorMessage`, `requestId`, `operation`
/// (the operationId of the call) and `pendingOperations` (the operations still
/// running after a wait timed out, or the one that failed), `retryable` (calling
/// again later may succeed and is safe) and `accepted` (the API accepted the call
/// before it failed: never call it again). Never contains a secret.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum NeonError {
    #[error("{error_message}")]
    BadRequest {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
    #[error("{error_message}")]
    Unauthorized {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
    #[error("{error_message}")]
    Forbidden {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
    #[error("{error_message}")]
    NotFound {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
    #[error("{error_message}")]
    Conflict {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
    #[error("{error_message}")]
    Locked {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
    #[error("{error_message}")]
    RateLimited {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
    #[error("{error_message}")]
    Server {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
    #[error("{error_message}")]
    Api {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
    #[error("{error_message}")]
    Timeout {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
    #[error("{error_message}")]
    Network {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
    #[error("{error_message}")]
    Decode {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
    #[error("{error_message}")]
    InvalidArgument {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
    #[error("{error_message}")]
    Config {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
    #[error("{error_message}")]
    OperationFailed {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
    #[error("{error_message}")]
    WaitTimeout {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
    #[error("{error_message}")]
    Runtime {
        status: Option<i32>,
        code: String,
        error_message: String,
        request_id: Option<String>,
        operation: Option<String>,
        pending_operations: Vec<String>,
        retryable: bool,
        accepted: bool,
    },
}

impl From<neonkit::Error> for NeonError {
    fn from(e: neonkit::Error) -> NeonError {
        use neonkit::ErrorKind as K;
        let status = e.status().map(i32::from);
        let code = e.code().to_string();
        let error_message = e.message().to_string();
        let request_id = e.request_id().map(String::from);
        let operation = e.operation().map(String::from);
        let pending_operations = e.pending_operations().to_vec();
        let (retryable, accepted) = (e.is_retryable(), e.is_accepted());
        macro_rules! v {
            ($variant:ident) => {
                NeonError::$variant { status, code, error_message, request_id, operation, pending_operations, retryable, accepted }
            };
        }
        match e.kind() {
            K::BadRequest => v!(BadRequest),
            K::Unauthorized => v!(Unauthorized),
            K::Forbidden => v!(Forbidden),
            K::NotFound => v!(NotFound),
            K::Conflict => v!(Conflict),
            K::Locked => v!(Locked),
            K::RateLimited => v!(RateLimited),
            K::Server => v!(Server),
            K::Api => v!(Api),
            K::Timeout => v!(Timeout),
            K::Network => v!(Network),
            K::Decode => v!(Decode),
            K::InvalidArgument => v!(InvalidArgument),
            K::Config => v!(Config),
            K::OperationFailed => v!(OperationFailed),
            K::WaitTimeout => v!(WaitTimeout),
            // Runtime, and any kind a newer core adds.
            _ => v!(Runtime),
        }
    }
}

impl NeonError {
    pub(crate) fn invalid(message: impl Into<String>, operation: Option<&str>) -> NeonError {
        NeonError::InvalidArgument {
            status: None,
            code: String::new(),
            error_message: message.into(),
            request_id: None,
            operation: operation.map(String::from),
            pending_operations: Vec::new(),
            retryable: false,
            accepted: false,
        }
    }

    pub(crate) fn runtime(message: impl Into<String>) -> NeonError {
        NeonError::Runtime {
            status: None,
            code: String::new(),
            error_message: message.into(),
            request_id: None,
            operation: None,
            pending_operations: Vec::new(),
            retryable: false,
            accepted: false,
        }
    }
}

/// The stable snake_case name of an error's kind (`not_found`, `locked`, …),
/// the same in every neonkit language.
#[uniffi::export]
pub fn error_kind(error: NeonError) -> String {
    let k = match error {
        NeonError::BadRequest { .. } => "bad_request",
        NeonError::Unauthorized { .. } => "unauthorized",
        NeonError::Forbidden { .. } => "forbidden",
        NeonError::NotFound { .. } => "not_found",
        NeonError::Conflict { .. } => "conflict",
        NeonError::Locked { .. } => "locked",
        NeonError::RateLimited { .. } => "rate_limited",
        NeonError::Server { .. } => "server",
        NeonError::Api { .. } => "api",
        NeonError::Timeout { .. } => "timeout",
        NeonError::Network { .. } => "network",
        NeonError::Decode { .. } => "decode",
        NeonError::InvalidArgument { .. } => "invalid_argument",
        NeonError::Config { .. } => "config",
        NeonError::OperationFailed { .. } => "operation_failed",
        NeonError::WaitTimeout { .. } => "wait_timeout",
        NeonError::Runtime { .. } => "runtime",
    };
    k.to_string()
}

// ---------------------------------------------------------------------------
// Running core futures

/// Aborts the spawned task when the waiting side goes away (a cancelled
/// coroutine or Swift task drops the future it was polling).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn panicked() -> NeonError {
    NeonError::runtime("neonkit panicked while running this call (a bug: please report it)")
}

fn join_error(e: tokio::task::JoinError) -> NeonError {
    if e.is_panic() {
        panicked()
    } else {
        NeonError::runtime("the call was cancelled (the neonkit runtime shut down)")
    }
}

/// Runs a core future on neonkit's shared runtime and awaits it from whatever
/// executor polls us (Kotlin coroutines, Swift tasks).
pub(crate) async fn run<T, F>(fut: F) -> Result<T, NeonError>
where
    T: Send + 'static,
    F: Future<Output = neonkit::Result<T>> + Send + 'static,
{
    let handle = neonkit::runtime::handle()?;
    let mut task = AbortOnDrop(handle.spawn(fut));
    match (&mut task.0).await {
        Ok(r) => r.map_err(NeonError::from),
        Err(e) => Err(join_error(e)),
    }
}

/// The same, run to completion on the calling thread (see `neonkit::runtime::Driver`).
pub(crate) fn run_blocking<T, F>(fut: F) -> Result<T, NeonError>
where
    F: Future<Output = neonkit::Result<T>>,
{
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| neonkit::runtime::block_on_here(fut))) {
        Ok(r) => r?.map_err(NeonError::from),
        Err(_) => Err(panicked()),
    }
}

/// Parses a JSON request body given as a string (an error before any request when it is not JSON).
pub(crate) fn json_payload(op: &'static neonkit::OperationInfo, body: Option<String>) -> Result<neonkit::Payload, NeonError> {
    match body {
        None => Ok(neonkit::Payload::None),
        Some(text) => {
            if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&text) {
                return Err(NeonError::invalid(format!("the request body of {} is not valid JSON: {e}", op.id), Some(op.id)));
            }
            Ok(neonkit::Payload::Json(bytes::Bytes::from(text.into_bytes())))
        }
    }
}

/// One part of a `multipart/form-data` body: text (`text`) or a file (`bytes`, with
/// `filename` and `contentType`).
#[derive(Clone, uniffi::Record)]
pub struct MultipartPart {
    pub name: String,
    #[uniffi(default = None)]
    pub text: Option<String>,
    #[uniffi(default = None)]
    pub bytes: Option<Vec<u8>>,
    #[uniffi(default = None)]
    pub filename: Option<String>,
    #[uniffi(default = None)]
    pub content_type: Option<String>,
}

pub(crate) fn multipart_payload(
    op: &'static neonkit::OperationInfo,
    parts: Option<Vec<MultipartPart>>,
) -> Result<neonkit::Payload, NeonError> {
    let Some(parts) = parts else { return Ok(neonkit::Payload::None) };
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        let value = match (p.text, p.bytes) {
            (Some(t), None) => neonkit::PartValue::Text(t),
            (None, Some(b)) => neonkit::PartValue::File {
                bytes: b.into(),
                filename: p.filename.unwrap_or_else(|| p.name.clone()),
                content_type: p.content_type.unwrap_or_else(|| "application/octet-stream".into()),
            },
            _ => {
                return Err(NeonError::invalid(
                    format!("multipart part {:?} of {} needs exactly one of text and bytes", p.name, op.id),
                    Some(op.id),
                ))
            }
        };
        out.push(neonkit::Part { name: p.name, value });
    }
    Ok(neonkit::Payload::Multipart(out))
}

/// Calls one operation and returns its body as UTF-8 JSON text.
pub(crate) async fn call_json(
    client: neonkit::Client,
    op: &'static neonkit::OperationInfo,
    path: Vec<String>,
    query: Vec<(&'static str, String)>,
    payload: neonkit::Payload,
) -> neonkit::Result<String> {
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let resp = client.send(op, &path, query, payload).await?;
    Ok(String::from_utf8_lossy(&resp.body).into_owned())
}

/// Calls one operation that answers with no body.
pub(crate) async fn call_empty(
    client: neonkit::Client,
    op: &'static neonkit::OperationInfo,
    path: Vec<String>,
    query: Vec<(&'static str, String)>,
    payload: neonkit::Payload,
) -> neonkit::Result<()> {
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    client.send(op, &path, query, payload).await?;
    Ok(())
}

/// Calls one operation that answers with raw bytes.
pub(crate) async fn call_bytes(
    client: neonkit::Client,
    op: &'static neonkit::OperationInfo,
    path: Vec<String>,
    query: Vec<(&'static str, String)>,
    payload: neonkit::Payload,
) -> neonkit::Result<Vec<u8>> {
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let resp = client.send(op, &path, query, payload).await?;
    Ok(resp.body.to_vec())
}

// ---------------------------------------------------------------------------
// The client

/// How a [`NeonClient`] is configured. Every field is optional. The API key is
/// not a field: Records become Kotlin data classes and Swift structs whose
/// `toString`/`description` print every field, and a key must never be printed.
#[derive(Clone, Default, uniffi::Record)]
pub struct NeonClientOptions {
    /// The API's base URL; else `NEON_API_URL`, else `https://console.neon.tech/api/v2`.
    #[uniffi(default = None)]
    pub base_url: Option<String>,
    /// The organization applied to every operation that takes an `org_id` query parameter.
    #[uniffi(default = None)]
    pub org_id: Option<String>,
    /// The deadline of one call, retries included, in milliseconds (default 60 000).
    #[uniffi(default = None)]
    pub timeout_ms: Option<i64>,
    /// How long to wait for a connection, in milliseconds (default 10 000).
    #[uniffi(default = None)]
    pub connect_timeout_ms: Option<i64>,
    /// Retries after the first attempt (default 5; 0 turns retries off).
    #[uniffi(default = None)]
    pub max_retries: Option<i32>,
    /// The backoff before the first retry, in milliseconds (default 250).
    #[uniffi(default = None)]
    pub initial_backoff_ms: Option<i64>,
    /// The longest backoff, in milliseconds (default 8 000).
    #[uniffi(default = None)]
    pub max_backoff_ms: Option<i64>,
    /// Whether mutating calls wait for the operations they start (default true).
    #[uniffi(default = None)]
    pub wait_for_operations: Option<bool>,
    /// The longest an operation wait may take, in milliseconds (default 300 000).
    #[uniffi(default = None)]
    pub wait_timeout_ms: Option<i64>,
    /// The first pause between operation polls, in milliseconds (default 50).
    #[uniffi(default = None)]
    pub wait_initial_interval_ms: Option<i64>,
    /// The longest pause between operation polls, in milliseconds (default 2 000).
    #[uniffi(default = None)]
    pub wait_max_interval_ms: Option<i64>,
    /// The largest response body accepted, decompressed, in bytes (default 256 MiB).
    #[uniffi(default = None)]
    pub max_response_bytes: Option<i64>,
    /// How long an idle pooled connection is kept, in milliseconds (default 45 000); keep it
    /// below the server's idle timeout.
    #[uniffi(default = None)]
    pub pool_idle_timeout_ms: Option<i64>,
}

/// Milliseconds to the core's seconds (the core checks the range).
fn secs(ms: Option<i64>) -> Option<f64> {
    ms.map(|v| v as f64 / 1000.0)
}

/// A client of the Neon API. Safe to share across threads and coroutines;
/// every resource namespace (`projects()`, `branches()`, …) shares its connection pool.
#[derive(uniffi::Object)]
pub struct NeonClient {
    pub(crate) client: neonkit::Client,
}

impl std::fmt::Debug for NeonClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The core's Debug redacts the key.
        std::fmt::Debug::fmt(&self.client, f)
    }
}

#[uniffi::export]
impl NeonClient {
    /// Builds a client; `apiKey` falls back to `NEON_API_KEY`. Fails with `Config`
    /// when there is no key or an option is invalid.
    #[uniffi::constructor(default(api_key = None, options = None))]
    pub fn new(api_key: Option<String>, options: Option<NeonClientOptions>) -> Result<Arc<NeonClient>, NeonError> {
        let o = options.unwrap_or_default();
        let b = neonkit::ClientOptions {
            api_key,
            base_url: o.base_url,
            org_id: o.org_id,
            timeout: secs(o.timeout_ms),
            connect_timeout: secs(o.connect_timeout_ms),
            max_retries: o.max_retries.map(i64::from),
            retry_initial_backoff: secs(o.initial_backoff_ms),
            retry_max_backoff: secs(o.max_backoff_ms),
            wait_for_operations: o.wait_for_operations,
            wait_timeout: secs(o.wait_timeout_ms),
            wait_poll_interval: secs(o.wait_initial_interval_ms),
            wait_max_poll_interval: secs(o.wait_max_interval_ms),
            max_response_bytes: o.max_response_bytes,
            pool_idle_timeout: secs(o.pool_idle_timeout_ms),
            user_agent_suffix: Some("kotlin-swift".into()),
        }
        .builder()?;
        Ok(Arc::new(NeonClient { client: b.build()? }))
    }

    /// The same client (sharing its connection pool) with operation waits on or
    /// off: `client.withWait(false).branches().create(…)` returns as soon as the
    /// API accepts the request, with its operations still running.
    pub fn with_wait(&self, wait: bool) -> Arc<NeonClient> {
        Arc::new(NeonClient { client: self.client.with_wait(wait) })
    }

    /// Whether mutating calls wait for their operations.
    pub fn waits_for_operations(&self) -> bool {
        self.client.waits_for_operations()
    }

    /// The API's base URL.
    pub fn base_url(&self) -> String {
        self.client.base_url().to_string()
    }

    /// Polls the operations (by id, in one project) until each is finished or
    /// skipped; returns them in their final state as a JSON array. A failed
    /// operation is an `OperationFailed` error; a wait past the client's wait
    /// timeout is a `WaitTimeout` error listing the ones still running.
    pub async fn wait_for_operations(&self, project_id: String, operation_ids: Vec<String>) -> Result<String, NeonError> {
        let c = self.client.clone();
        run(wait_ops(c, project_id, operation_ids)).await
    }

    /// The blocking form of `waitForOperations`.
    pub fn wait_for_operations_blocking(&self, project_id: String, operation_ids: Vec<String>) -> Result<String, NeonError> {
        let c = self.client.clone();
        run_blocking(wait_ops(c, project_id, operation_ids))
    }

    /// Calls any operation by its operationId (the escape hatch behind the
    /// generated methods): path parameter values in path order, query
    /// parameters as name/value pairs (repeat a name for arrays), a JSON body.
    /// Returns the response body (JSON text; empty for operations without one).
    pub async fn call(
        &self,
        operation_id: String,
        path: Vec<String>,
        query: Vec<QueryPair>,
        body: Option<String>,
    ) -> Result<String, NeonError> {
        let (op, q, payload) = dynamic_args(&operation_id, query, body)?;
        run(call_json(self.client.clone(), op, path, q, payload)).await
    }

    /// The blocking form of `call`.
    pub fn call_blocking(
        &self,
        operation_id: String,
        path: Vec<String>,
        query: Vec<QueryPair>,
        body: Option<String>,
    ) -> Result<String, NeonError> {
        let (op, q, payload) = dynamic_args(&operation_id, query, body)?;
        run_blocking(call_json(self.client.clone(), op, path, q, payload))
    }
}

async fn wait_ops(client: neonkit::Client, project_id: String, ids: Vec<String>) -> neonkit::Result<String> {
    let ops = client.wait_for_operation_ids(&project_id, &ids).await?;
    Ok(serde_json::to_string(&ops).expect("operations serialize"))
}

/// A query parameter for [`NeonClient::call`].
#[derive(Clone, uniffi::Record)]
pub struct QueryPair {
    pub name: String,
    pub value: String,
}

type DynArgs = (&'static neonkit::OperationInfo, Vec<(&'static str, String)>, neonkit::Payload);

fn dynamic_args(operation_id: &str, query: Vec<QueryPair>, body: Option<String>) -> Result<DynArgs, NeonError> {
    let op = neonkit::find_operation(operation_id)
        .ok_or_else(|| NeonError::invalid(format!("no operation {operation_id:?} in the Neon API v2"), None))?;
    let mut q = Vec::with_capacity(query.len());
    for p in query {
        let param = op
            .query_param(&p.name)
            .ok_or_else(|| NeonError::invalid(format!("{} has no query parameter {:?}", op.id, p.name), Some(op.id)))?;
        q.push((param.name, p.value));
    }
    let payload = match op.body {
        neonkit::operation::BodyKind::Multipart { .. } if body.is_some() => {
            return Err(NeonError::invalid(format!("{} takes a multipart body: use its generated method", op.id), Some(op.id)))
        }
        _ => json_payload(op, body)?,
    };
    Ok((op, q, payload))
}

/// Every operationId of the Neon API v2 that this library can call (163).
#[uniffi::export]
pub fn operation_ids() -> Vec<String> {
    neonkit::operations::OPERATIONS.iter().map(|o| o.id.to_string()).collect()
}

/// The version of the neonkit library.
#[uniffi::export]
pub fn neonkit_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Stops neonkit's shared runtime (in-flight calls are cancelled); the next
/// call starts a new one. Optional: call it at process exit if you like.
#[uniffi::export]
pub fn shutdown_runtime() {
    neonkit::runtime::shutdown();
}

// ---------------------------------------------------------------------------
// Pagination

/// Walks every page of a paginated operation (all three cursor shapes of the
/// API are handled by the core). Each item is one JSON object as text.
#[derive(uniffi::Object)]
pub struct NeonPager {
    inner: Arc<tokio::sync::Mutex<neonkit::Pager>>,
}

impl NeonPager {
    pub(crate) fn new(
        client: &neonkit::Client,
        op: &'static neonkit::OperationInfo,
        path: Vec<String>,
        query: Vec<(&'static str, String)>,
    ) -> Arc<NeonPager> {
        Arc::new(NeonPager { inner: Arc::new(tokio::sync::Mutex::new(client.pager(op, path, query))) })
    }
}

async fn next_page(pager: Arc<tokio::sync::Mutex<neonkit::Pager>>) -> neonkit::Result<Option<Vec<String>>> {
    let mut p = pager.lock().await;
    Ok(p.next_page().await?.map(|items| items.iter().map(|v| v.to_string()).collect()))
}

async fn collect_all(pager: Arc<tokio::sync::Mutex<neonkit::Pager>>) -> neonkit::Result<Vec<String>> {
    let mut p = pager.lock().await;
    let mut out = Vec::new();
    while let Some(items) = p.next_page().await? {
        out.extend(items.iter().map(|v| v.to_string()));
    }
    Ok(out)
}

#[uniffi::export]
impl NeonPager {
    /// The next page's items, or null after the last page.
    pub async fn next_page(&self) -> Result<Option<Vec<String>>, NeonError> {
        run(next_page(self.inner.clone())).await
    }

    /// The blocking form of `nextPage`.
    pub fn next_page_blocking(&self) -> Result<Option<Vec<String>>, NeonError> {
        run_blocking(next_page(self.inner.clone()))
    }

    /// Every remaining item, across all remaining pages.
    pub async fn collect_all(&self) -> Result<Vec<String>, NeonError> {
        run(collect_all(self.inner.clone())).await
    }

    /// The blocking form of `collectAll`.
    pub fn collect_all_blocking(&self) -> Result<Vec<String>, NeonError> {
        run_blocking(collect_all(self.inner.clone()))
    }
}
