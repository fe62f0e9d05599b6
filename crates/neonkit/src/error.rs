//! One error type for every failure, with a kind that each binding maps one to
//! one into its own idiom.

use std::fmt;
use std::time::Duration;

pub use crate::vocabulary::ErrorKind;

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of every neonkit call. Never contains a secret.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    status: Option<u16>,
    code: String,
    message: String,
    request_id: Option<String>,
    operation: Option<&'static str>,
    retry_after: Option<Duration>,
    pending_operations: Vec<String>,
    /// The API accepted the call (it made or changed something) before this failed.
    accepted: bool,
    /// A non-idempotent request that may have reached the server (a timeout, a
    /// broken connection, a 5xx other than 503): sending it again may apply it twice.
    maybe_applied: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                status: None,
                code: String::new(),
                message: message.into(),
                request_id: None,
                operation: None,
                retry_after: None,
                pending_operations: Vec::new(),
                accepted: false,
                maybe_applied: false,
                source: None,
            }),
        }
    }

    /// A response body that could not be decoded; the message keeps serde's
    /// description of the problem and drops the values it quotes.
    pub fn decode(operation: &'static str, error: &serde_json::Error, request_id: Option<String>) -> Error {
        Error::new(ErrorKind::Decode, format!("could not decode the response: {}", scrub_decode_message(&error.to_string())))
            .with_operation(operation)
            .with_request_id(request_id)
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }
    pub(crate) fn with_status_opt(mut self, status: Option<u16>) -> Self {
        self.inner.status = status;
        self
    }
    pub(crate) fn accepted(mut self) -> Self {
        self.inner.accepted = true;
        self
    }
    pub(crate) fn maybe_applied(mut self) -> Self {
        self.inner.maybe_applied = true;
        self
    }
    pub(crate) fn with_code(mut self, code: impl Into<String>) -> Self {
        self.inner.code = code.into();
        self
    }
    pub(crate) fn with_request_id(mut self, id: Option<String>) -> Self {
        self.inner.request_id = id;
        self
    }
    pub(crate) fn with_operation(mut self, op: &'static str) -> Self {
        self.inner.operation = Some(op);
        self
    }
    pub(crate) fn with_retry_after(mut self, d: Option<Duration>) -> Self {
        self.inner.retry_after = d;
        self
    }
    pub(crate) fn with_pending(mut self, ids: Vec<String>) -> Self {
        self.inner.pending_operations = ids;
        self
    }
    /// The same error, its message led by `prefix` (a workflow's step).
    pub(crate) fn prefixed(mut self, prefix: &str) -> Self {
        self.inner.message = format!("{prefix}: {}", self.inner.message);
        self
    }
    pub(crate) fn with_source(mut self, e: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(e));
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }
    /// The API's error code (may be empty).
    pub fn code(&self) -> &str {
        &self.inner.code
    }
    /// What went wrong, in words.
    pub fn message(&self) -> &str {
        &self.inner.message
    }
    /// The request id from the error body, else the `X-Neon-Ret-Request-Id` header.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }
    /// The operationId of the call that failed.
    pub fn operation(&self) -> Option<&'static str> {
        self.inner.operation
    }
    /// How long the server asked to wait (429 `Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }
    /// The ids of the operations still running when a wait timed out (or the one that failed).
    pub fn pending_operations(&self) -> &[String] {
        &self.inner.pending_operations
    }
    /// Whether the API accepted the call before it failed (the resource was
    /// made; only waiting for its operations failed): never call it again.
    pub fn is_accepted(&self) -> bool {
        self.inner.accepted
    }

    /// Whether the request may have been applied though no answer says so (a
    /// POST/PATCH/PUT/DELETE whose answer was lost, or a 500/502/504 to one).
    pub(crate) fn may_have_been_applied(&self) -> bool {
        self.inner.maybe_applied
    }
    /// Whether calling again later may succeed and is safe: never after the API
    /// accepted the call, nor for a POST/PATCH/PUT/DELETE that may have reached
    /// the server (a timeout, a broken connection, a 500).
    pub fn is_retryable(&self) -> bool {
        !self.inner.accepted && !self.inner.maybe_applied && self.inner.kind.retryable_kind()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.inner.message)?;
        let mut details = Vec::new();
        if let Some(op) = self.inner.operation {
            details.push(format!("operation {op}"));
        }
        if let Some(s) = self.inner.status {
            details.push(format!("status {s}"));
        }
        if !self.inner.code.is_empty() {
            details.push(format!("code {}", self.inner.code));
        }
        if let Some(r) = &self.inner.request_id {
            details.push(format!("request id {r}"));
        }
        if !details.is_empty() {
            write!(f, " ({})", details.join(", "))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("status", &self.inner.status)
            .field("code", &self.inner.code)
            .field("message", &self.inner.message)
            .field("request_id", &self.inner.request_id)
            .field("operation", &self.inner.operation)
            .field("pending_operations", &self.inner.pending_operations)
            .field("source", &self.inner.source.as_ref().map(|s| s.to_string()))
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source.as_ref().map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// A value as messages show it: quoted, and cut short when long (a value in
/// the wrong place may be a secret, and a huge one helps nobody).
pub(crate) fn quote(value: &str) -> String {
    const SHOWN: usize = 12;
    if value.chars().count() <= SHOWN + 4 {
        return format!("{value:?}");
    }
    let head: String = value.chars().take(SHOWN).collect();
    format!("{:?}… ({} bytes)", head, value.len())
}

/// serde_json's messages quote the offending value ("invalid type: string
/// \"npg_…\""), which may be a secret: keep the shape of the message, drop the value.
pub(crate) fn scrub_decode_message(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut in_quote = false;
    for c in msg.chars() {
        if c == '"' {
            if !in_quote {
                out.push_str("\"…");
            } else {
                out.push('"');
            }
            in_quote = !in_quote;
        } else if !in_quote {
            out.push(c);
        }
    }
    out
}
