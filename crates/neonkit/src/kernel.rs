//! What every binding calls, so that a binding only converts its language's
//! values: calls by operationId with parameters by name, the raw call, pagers,
//! multipart bodies, the panic guard and the cancellable call. Each rule here
//! (the default file name of a part, how a panic reads, what a cancelled call
//! returns) exists once for all languages.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures::FutureExt;

use crate::operation::{HttpMethod, ResponseKind};
use crate::{find_operation, Client, Error, ErrorKind, OperationInfo, Pager, Part, PartValue, Payload, Response, Result};

/// The operation of that operationId.
pub fn operation(op_id: &str) -> Result<&'static OperationInfo> {
    find_operation(op_id).ok_or_else(|| Error::invalid(format!("no operation {} in the Neon API", crate::error::quote(op_id))))
}

/// A request body as a binding received it.
pub enum Body {
    None,
    /// Serialized JSON.
    Json(Bytes),
    /// The parts of a `multipart/form-data` body.
    Parts(Vec<PartInput>),
}

/// One multipart part: text, or a file's bytes (with an optional file name and
/// content type).
pub struct PartInput {
    pub name: String,
    pub text: Option<String>,
    pub bytes: Option<Bytes>,
    pub filename: Option<String>,
    pub content_type: Option<String>,
}

impl PartInput {
    pub fn text(name: impl Into<String>, text: impl Into<String>) -> PartInput {
        PartInput { name: name.into(), text: Some(text.into()), bytes: None, filename: None, content_type: None }
    }
    pub fn file(name: impl Into<String>, bytes: impl Into<Bytes>, filename: Option<String>, content_type: Option<String>) -> PartInput {
        PartInput { name: name.into(), text: None, bytes: Some(bytes.into()), filename, content_type }
    }
}

/// The payload of a body for an operation, checked against what it takes: a
/// file part without a file name is sent under the part's name, and without a
/// content type as `application/octet-stream`.
pub fn payload(op: &'static OperationInfo, body: Body) -> Result<Payload> {
    let payload = match body {
        Body::None => Payload::None,
        Body::Json(b) => {
            if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&b) {
                return Err(Error::invalid(format!("the request body of {} is not valid JSON: {e}", op.id)).with_operation(op.id));
            }
            if let Some(check) = op.body_check {
                check(&b).map_err(|e| Error::invalid(format!("the request body of {}: {e}", op.id)).with_operation(op.id))?;
            }
            Payload::Json(b)
        }
        Body::Parts(parts) => {
            let mut out = Vec::with_capacity(parts.len());
            for p in parts {
                let value = match (p.text, p.bytes) {
                    (Some(t), None) => PartValue::Text(t),
                    (None, Some(bytes)) => PartValue::File {
                        bytes,
                        filename: p.filename.unwrap_or_else(|| p.name.clone()),
                        content_type: p.content_type.unwrap_or_else(|| "application/octet-stream".into()),
                    },
                    _ => {
                        return Err(Error::invalid(format!(
                            "multipart part {} of {} needs exactly one of text and bytes",
                            crate::error::quote(&p.name),
                            op.id
                        ))
                        .with_operation(op.id))
                    }
                };
                out.push(Part { name: p.name, value });
            }
            Payload::Multipart(out)
        }
    };
    Ok(payload)
}

/// A finished call's body, by what the operation answers.
pub enum Output {
    /// JSON text (already checked against the operation's response shape).
    Json(Bytes),
    /// Bytes as sent (downloads).
    Bytes(Bytes),
    /// No body.
    Empty,
}

/// A finished call: its body and its response's metadata.
pub struct Reply {
    pub output: Output,
    pub status: u16,
    pub request_id: Option<String>,
    /// Every response header (names in lower case), in the order received.
    pub headers: Vec<(String, String)>,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply").field("status", &self.status).field("request_id", &self.request_id).finish_non_exhaustive()
    }
}

impl Reply {
    fn new(response: ResponseKind, r: Response) -> Reply {
        let output = match response {
            ResponseKind::Bytes => Output::Bytes(r.body),
            _ if r.body.is_empty() => Output::Empty,
            ResponseKind::Empty => Output::Empty,
            ResponseKind::Json => Output::Json(r.body),
        };
        Reply { output, status: r.status, request_id: r.request_id, headers: r.headers }
    }

    /// The body, whatever it is.
    pub fn body(&self) -> &[u8] {
        match &self.output {
            Output::Json(b) | Output::Bytes(b) => b,
            Output::Empty => &[],
        }
    }
}

impl Client {
    /// Calls an operation by its operationId, with query parameters by name:
    /// everything a binding's generated method hands over, checked here.
    pub async fn call_by_id(&self, op_id: &str, path: Vec<String>, query: Vec<(String, String)>, body: Body) -> Result<Reply> {
        let op = operation(op_id)?;
        self.call_op(op, path, query, body).await
    }

    /// [`Client::call_by_id`] for an operation already looked up.
    pub async fn call_op(&self, op: &'static OperationInfo, path: Vec<String>, query: Vec<(String, String)>, body: Body) -> Result<Reply> {
        let payload = payload(op, body)?;
        let query = resolve_query(op, query)?;
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let resp = self.send(op, &path, query, payload).await?;
        Ok(Reply::new(op.response, resp))
    }

    /// The raw call ([`Client::request`]) with the method by name.
    pub async fn request_by_name(&self, method: &str, path: &str, query: Vec<(String, String)>, body: Option<Bytes>) -> Result<Reply> {
        let method = HttpMethod::parse(method)?;
        let resp = self.request(method, path, &query, body).await?;
        Ok(Reply { output: Output::Bytes(resp.body), status: resp.status, request_id: resp.request_id, headers: resp.headers })
    }

    /// A pager over a paginated operation, by operationId, with query
    /// parameters by name (a `cursor` among them starts the walk there) and,
    /// for an operation whose cursor travels in the body, that body.
    pub fn pager_by_id(&self, op_id: &str, path: Vec<String>, query: Vec<(String, String)>, body: Body) -> Result<Pager> {
        let op = operation(op_id)?;
        if op.pagination.is_none() {
            return Err(Error::invalid(format!("{} is not paginated", op.id)).with_operation(op.id));
        }
        let body = match payload(op, body)? {
            Payload::None => None,
            Payload::Json(b) => Some(serde_json::from_slice(&b).map_err(|e| Error::invalid(e.to_string()).with_operation(op.id))?),
            _ => return Err(Error::invalid(format!("{} is paginated and takes no multipart body", op.id)).with_operation(op.id)),
        };
        self.pager(op, path, resolve_query(op, query)?, body)
    }
}

fn resolve_query(op: &'static OperationInfo, query: Vec<(String, String)>) -> Result<Vec<(&'static str, String)>> {
    query
        .into_iter()
        .map(|(name, value)| match op.query_param(&name) {
            Some(p) => Ok((p.name, value)),
            None => {
                let known: Vec<&str> = op.query_params.iter().map(|q| q.name).collect();
                Err(Error::invalid(format!(
                    "{} has no query parameter {} (it takes: {})",
                    op.id,
                    crate::error::quote(&name),
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ))
                .with_operation(op.id))
            }
        })
        .collect()
}

// ---------------------------------------------------------------- running calls

/// The error a Rust panic becomes: no panic crosses into another language.
pub fn panic_error(payload: Box<dyn std::any::Any + Send>) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    Error::new(ErrorKind::Runtime, format!("internal error in neonkit (a Rust panic, please report it): {what}"))
}

/// The future, with a panic inside it turned into a `Runtime` error.
pub async fn guarded<T>(fut: impl Future<Output = Result<T>>) -> Result<T> {
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(r) => r,
        Err(p) => Err(panic_error(p)),
    }
}

/// Runs a call to its end on the calling thread (see [`crate::runtime::Driver`]),
/// a panic included.
pub fn run_here<T>(fut: impl Future<Output = Result<T>>) -> Result<T> {
    match std::panic::catch_unwind(AssertUnwindSafe(|| crate::runtime::block_on_here(fut))) {
        Ok(r) => r?,
        Err(p) => Err(panic_error(p)),
    }
}

/// Cancels the call it is given to; made before the call, so a language can
/// tie it to its own cancellation (Node's `AbortSignal`, Python's task cancel).
#[derive(Clone, Default)]
pub struct CancelToken {
    state: Arc<CancelState>,
}

#[derive(Default)]
struct CancelState {
    flag: AtomicBool,
    notify: tokio::sync::Notify,
}

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Drops the call's future: no further requests, its connection closed;
    /// the call ends with an `Aborted` error.
    pub fn cancel(&self) {
        self.state.flag.store(true, Ordering::SeqCst);
        self.state.notify.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.state.flag.load(Ordering::SeqCst)
    }

    async fn cancelled(&self) {
        loop {
            let notified = self.state.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// Runs a call on the shared runtime; `done` receives its outcome there (a
/// panic as a `Runtime` error, a cancelled call as an `Aborted` one).
pub fn spawn<T, F, D>(fut: F, cancel: Option<CancelToken>, done: D) -> Result<()>
where
    T: Send + 'static,
    F: Future<Output = Result<T>> + Send + 'static,
    D: FnOnce(Result<T>) + Send + 'static,
{
    let handle = crate::runtime::handle()?;
    handle.spawn(async move {
        let run = guarded(fut);
        let result = match cancel {
            Some(c) => tokio::select! {
                r = run => r,
                _ = c.cancelled() => Err(Error::new(ErrorKind::Aborted, "the call was aborted")),
            },
            None => run.await,
        };
        done(result);
    });
    Ok(())
}

/// Runs a call on the shared runtime and awaits it from any executor (Kotlin
/// coroutines, Swift tasks): dropping the returned future cancels the call.
pub async fn on_runtime<T, F>(fut: F) -> Result<T>
where
    T: Send + 'static,
    F: Future<Output = Result<T>> + Send + 'static,
{
    struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);
    impl<T> Drop for AbortOnDrop<T> {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let mut task = AbortOnDrop(crate::runtime::handle()?.spawn(guarded(fut)));
    match (&mut task.0).await {
        Ok(r) => r,
        Err(e) if e.is_panic() => Err(panic_error(e.into_panic())),
        Err(_) => Err(Error::new(ErrorKind::Runtime, "the call was cancelled (the neonkit runtime shut down)")),
    }
}
