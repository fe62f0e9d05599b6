//! The async client: configuration, the request pipeline (validation, retries,
//! operation waits) and the dynamic entry point that the bindings call.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::operation::{BodyKind, HttpMethod, OperationInfo, ResponseKind};
use crate::retry::{parse_retry_after, RetryPolicy};
use crate::transport::{HttpRequest, HttpResponse, HttpSend, ReqwestTransport, TransportErrorKind, TransportSettings};
use crate::wait::WaitOptions;
use crate::{Error, ErrorKind, Result};

pub const DEFAULT_BASE_URL: &str = "https://console.neon.tech/api/v2";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client of the Neon API. Cheap to clone (one `Arc`), safe to share across
/// tasks and threads; clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    /// Whether mutating calls wait for the operations they start.
    pub(crate) wait: bool,
}

pub(crate) struct Inner {
    pub base_url: String,
    /// `base_url` parsed once: each request's URL is this with its path and
    /// query set, which skips parsing the scheme and host again per call.
    pub base: reqwest::Url,
    pub authorization: String,
    pub org_id: Option<String>,
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub wait: WaitOptions,
    pub transport: Arc<dyn HttpSend>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("api_key", &crate::Redacted)
            .field("org_id", &self.inner.org_id)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .field("wait_for_operations", &self.wait)
            .finish()
    }
}

/// Builds a [`Client`]. Every setting has a default; only the API key is
/// required, and it may come from `NEON_API_KEY`.
#[derive(Clone, Default)]
pub struct ClientBuilder {
    api_key: Option<String>,
    base_url: Option<String>,
    org_id: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    wait: Option<bool>,
    wait_options: Option<WaitOptions>,
    user_agent_suffix: Option<String>,
    transport: Option<Arc<dyn HttpSend>>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| crate::Redacted))
            .field("base_url", &self.base_url)
            .field("org_id", &self.org_id)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API key (else `NEON_API_KEY`).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }
    /// The API's base URL (else `NEON_API_URL`, else `https://console.neon.tech/api/v2`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    /// The organization applied to every operation that takes an `org_id` query parameter, unless the call gives one.
    pub fn org_id(mut self, org_id: impl Into<String>) -> Self {
        self.org_id = Some(org_id.into());
        self
    }
    /// The deadline of one call, retries included (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// How long to wait for a TCP/TLS connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }
    /// How failed attempts are retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }
    /// Shorthand for a retry policy with this many retries (0 turns retries off).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.retry = Some(RetryPolicy { max_retries: n, ..self.retry.unwrap_or_default() });
        self
    }
    /// Whether mutating calls wait for the operations they start before returning (default true).
    pub fn wait_for_operations(mut self, wait: bool) -> Self {
        self.wait = Some(wait);
        self
    }
    /// How operation waits poll and how long they may take.
    pub fn wait_options(mut self, options: WaitOptions) -> Self {
        self.wait_options = Some(options);
        self
    }
    /// Appended to the user agent: `neonkit/<version> (<suffix>)`; bindings name their language.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }
    /// Replaces the HTTP transport (tests inject responses this way).
    pub fn transport(mut self, transport: Arc<dyn HttpSend>) -> Self {
        self.transport = Some(transport);
        self
    }

    pub fn build(self) -> Result<Client> {
        let api_key = match self.api_key {
            Some(k) => k,
            None => std::env::var("NEON_API_KEY").map_err(|_| {
                Error::new(ErrorKind::Config, "no API key: pass one to the client or set NEON_API_KEY")
            })?,
        };
        let api_key = api_key.trim().to_string();
        if api_key.is_empty() {
            return Err(Error::new(ErrorKind::Config, "the API key is empty"));
        }
        if api_key.chars().any(|c| c.is_control() || c == ' ') {
            return Err(Error::new(ErrorKind::Config, "the API key contains spaces or control characters"));
        }
        let base_url = self
            .base_url
            .or_else(|| std::env::var("NEON_API_URL").ok().filter(|u| !u.trim().is_empty()))
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
        let base_url = base_url.trim().trim_end_matches('/').to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(Error::new(ErrorKind::Config, format!("base URL must start with http:// or https:// (got {base_url:?})")));
        }
        let base = reqwest::Url::parse(&base_url).map_err(|e| Error::new(ErrorKind::Config, format!("base URL {base_url:?} is not a valid URL: {e}")))?;
        if base.query().is_some() || base.fragment().is_some() || base.cannot_be_a_base() {
            return Err(Error::new(ErrorKind::Config, format!("base URL {base_url:?} must not have a query or a fragment")));
        }
        if let Some(org) = &self.org_id {
            if org.is_empty() || !org.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
                return Err(Error::new(ErrorKind::Config, format!("org_id {org:?} is not a valid organization id")));
            }
        }
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        if timeout.is_zero() {
            return Err(Error::new(ErrorKind::Config, "timeout must be greater than zero"));
        }
        let user_agent = match &self.user_agent_suffix {
            Some(s) => format!("neonkit/{} ({s})", env!("CARGO_PKG_VERSION")),
            None => format!("neonkit/{} (rust)", env!("CARGO_PKG_VERSION")),
        };
        let transport: Arc<dyn HttpSend> = match self.transport {
            Some(t) => t,
            None => Arc::new(
                ReqwestTransport::new(TransportSettings {
                    connect_timeout: self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
                    user_agent,
                    pool_idle_timeout: Duration::from_secs(60),
                })
                .map_err(|e| Error::new(ErrorKind::Config, e.message.clone()))?,
            ),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                base_url,
                base,
                authorization: format!("Bearer {api_key}"),
                org_id: self.org_id,
                timeout,
                retry: self.retry.unwrap_or_default(),
                wait: self.wait_options.unwrap_or_default(),
                transport,
            }),
            wait: self.wait.unwrap_or(true),
        })
    }
}

/// A request body.
#[derive(Clone, Debug)]
pub enum Payload {
    None,
    /// Serialized JSON.
    Json(Bytes),
    /// `multipart/form-data` parts.
    Multipart(Vec<Part>),
}

/// One part of a multipart body.
#[derive(Clone)]
pub struct Part {
    pub name: String,
    pub value: PartValue,
}

#[derive(Clone)]
pub enum PartValue {
    Text(String),
    File { bytes: Bytes, filename: String, content_type: String },
}

impl std::fmt::Debug for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Parts may carry secrets (environment variables): show only their shape.
        let size = match &self.value {
            PartValue::Text(t) => t.len(),
            PartValue::File { bytes, .. } => bytes.len(),
        };
        f.debug_struct("Part").field("name", &self.name).field("bytes", &size).finish()
    }
}

/// A body that is sent as `multipart/form-data` (generated for such request types).
pub trait MultipartBody {
    fn parts(&self) -> Vec<Part>;
}

impl Payload {
    pub fn json<T: Serialize + ?Sized>(body: &T) -> Result<Payload> {
        serde_json::to_vec(body)
            .map(|v| Payload::Json(v.into()))
            .map_err(|e| Error::invalid(format!("the request body could not be serialized: {e}")))
    }
    pub fn multipart<T: MultipartBody>(body: &T) -> Result<Payload> {
        Ok(Payload::Multipart(body.parts()))
    }
}

fn encode_multipart(parts: &[Part]) -> (String, Bytes) {
    let boundary = format!("neonkit-{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>());
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match &p.value {
            PartValue::Text(t) => {
                out.extend_from_slice(format!("Content-Disposition: form-data; name=\"{}\"\r\n\r\n", p.name).as_bytes());
                out.extend_from_slice(t.as_bytes());
            }
            PartValue::File { bytes, filename, content_type } => {
                out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {content_type}\r\n\r\n",
                        p.name, filename
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(bytes);
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), out.into())
}

/// A successful response.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub request_id: Option<String>,
    pub body: Bytes,
    pub(crate) operation: &'static str,
}

impl Response {
    /// Decodes the body.
    pub fn json<T: DeserializeOwned>(self) -> Result<T> {
        decode(self.operation, &self.body, self.request_id)
    }
    pub fn empty(self) -> Result<()> {
        Ok(())
    }
    pub fn bytes(self) -> Result<Bytes> {
        Ok(self.body)
    }
}

pub(crate) fn decode<T: DeserializeOwned>(operation: &'static str, body: &[u8], request_id: Option<String>) -> Result<T> {
    // One UTF-8 check of the whole body lets the parser skip checking each string.
    let parsed = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(e) => Err(serde::de::Error::custom(format_args!("the body is not UTF-8 (byte {})", e.valid_up_to()))),
    };
    parsed.map_err(|e| Error::decode(operation, &e, request_id))
}

#[derive(serde::Deserialize, Default)]
struct ApiErrorBody {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    request_id: Option<String>,
}

fn error_from_response(op: &'static OperationInfo, resp: &HttpResponse) -> Error {
    let body: ApiErrorBody = serde_json::from_slice(&resp.body).unwrap_or_default();
    let kind = ErrorKind::from_status(resp.status);
    let message = body.message.filter(|m| !m.is_empty()).unwrap_or_else(|| match kind {
        ErrorKind::Api => format!("the API answered HTTP {}", resp.status),
        k => format!("the API answered HTTP {} ({})", resp.status, k.as_str().replace('_', " ")),
    });
    Error::new(kind, message)
        .with_status(resp.status)
        .with_code(body.code.unwrap_or_default())
        .with_request_id(body.request_id.filter(|r| !r.is_empty()).or_else(|| resp.request_id.clone()))
        .with_operation(op.id)
        .with_retry_after(resp.retry_after.as_deref().and_then(parse_retry_after))
}

impl Client {
    /// A builder; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from `NEON_API_KEY` (and `NEON_API_URL`) with default settings.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::default().build()
    }

    /// The same client (sharing its pool) with operation waits turned on or
    /// off: `client.with_wait(false).branches().create(…)` returns as soon as
    /// the API accepts the request, with the operations still running.
    pub fn with_wait(&self, wait: bool) -> Client {
        Client { inner: self.inner.clone(), wait }
    }

    /// Whether mutating calls wait for their operations.
    pub fn waits_for_operations(&self) -> bool {
        self.wait
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The blocking facade over this client.
    pub fn blocking(&self) -> crate::blocking::Client {
        crate::blocking::Client::from_async(self.clone())
    }

    /// Calls an operation with parameters given by name: what the bindings use.
    /// Unknown query parameters and missing required ones are rejected before
    /// any request.
    pub async fn call(&self, op: &'static OperationInfo, path: &[&str], query: &[(&str, String)], payload: Payload) -> Result<Response> {
        let mut pairs = Vec::with_capacity(query.len());
        for (name, value) in query {
            let param = op
                .query_param(name)
                .ok_or_else(|| Error::invalid(format!("{} has no query parameter {name:?}", op.id)).with_operation(op.id))?;
            pairs.push((param.name, value.clone()));
        }
        self.send(op, path, pairs, payload).await
    }

    /// Sends one operation: checks its arguments, applies the default org,
    /// retries what is safe to retry, and waits for the operations it starts.
    pub async fn send(&self, op: &'static OperationInfo, path: &[&str], mut query: Vec<(&'static str, String)>, payload: Payload) -> Result<Response> {
        let path = op.build_path(path).map_err(|e| e.with_operation(op.id))?;
        if let (Some(org), Some(param)) = (&self.inner.org_id, op.query_param("org_id")) {
            if !query.iter().any(|(k, _)| *k == "org_id") {
                query.push((param.name, org.clone()));
            }
        }
        for q in op.query_params.iter().filter(|q| q.required) {
            if !query.iter().any(|(k, v)| *k == q.name && !v.is_empty()) {
                return Err(Error::invalid(format!("query parameter {} is required", q.name)).with_operation(op.id));
            }
        }
        match (op.body, &payload) {
            (BodyKind::None, Payload::None) => {}
            (BodyKind::None, _) => return Err(Error::invalid(format!("{} takes no request body", op.id)).with_operation(op.id)),
            (BodyKind::Json { required: true } | BodyKind::Multipart { required: true }, Payload::None) => {
                return Err(Error::invalid(format!("{} needs a request body", op.id)).with_operation(op.id))
            }
            (BodyKind::Json { .. }, Payload::Multipart(_)) | (BodyKind::Multipart { .. }, Payload::Json(_)) => {
                return Err(Error::invalid(format!("{} takes a different kind of body", op.id)).with_operation(op.id))
            }
            _ => {}
        }
        let mut url = self.inner.base.clone();
        let base_path = self.inner.base.path().trim_end_matches('/');
        let mut full_path = String::with_capacity(base_path.len() + path.len());
        full_path.push_str(base_path);
        full_path.push_str(&path);
        url.set_path(&full_path);
        if !query.is_empty() {
            let mut q = String::with_capacity(64);
            for (i, (k, v)) in query.iter().enumerate() {
                if i > 0 {
                    q.push('&');
                }
                q.push_str(k);
                q.push('=');
                q.push_str(&crate::operation::encode_segment(v));
            }
            url.set_query(Some(&q));
        }
        let mut headers: Vec<(&'static str, String)> = vec![("Accept", "application/json".into())];
        let body = match payload {
            Payload::None => None,
            Payload::Json(b) => {
                headers.push(("Content-Type", "application/json".into()));
                Some(b)
            }
            Payload::Multipart(parts) => {
                let (ct, b) = encode_multipart(&parts);
                headers.push(("Content-Type", ct));
                Some(b)
            }
        };
        if op.response == ResponseKind::Bytes {
            headers[0].1 = "application/octet-stream, application/json".into();
        }
        let resp = self.execute(op, url, headers, body).await?;
        let mut response = Response { status: resp.status, request_id: resp.request_id, body: resp.body, operation: op.id };
        if op.returns_operations && self.wait {
            response.body = self.wait_in_body(op, response.body, response.request_id.clone()).await?;
        }
        Ok(response)
    }

    async fn execute(&self, op: &'static OperationInfo, url: reqwest::Url, headers: Vec<(&'static str, String)>, body: Option<Bytes>) -> Result<HttpResponse> {
        let started = Instant::now();
        let deadline = started + self.inner.timeout;
        let policy = &self.inner.retry;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let now = Instant::now();
            let remaining = deadline.saturating_duration_since(now);
            if remaining.is_zero() {
                return Err(Error::new(ErrorKind::Timeout, format!("the call did not finish within {:?}", self.inner.timeout)).with_operation(op.id));
            }
            let request = HttpRequest {
                method: op.method,
                url: url.clone(),
                headers: headers.clone(),
                authorization: self.inner.authorization.clone(),
                body: body.clone(),
                timeout: remaining,
            };
            let result = self.inner.transport.send(request).await;
            let elapsed = now.elapsed();
            let (error, retryable, retry_after) = match result {
                Ok(resp) if (200..300).contains(&resp.status) => {
                    tracing::debug!(target: "neonkit", method = op.method.as_str(), path = op.path, status = resp.status, attempt, request_id = resp.request_id.as_deref().unwrap_or(""), duration_ms = elapsed.as_millis() as u64, "request");
                    return Ok(resp);
                }
                Ok(resp) => {
                    let err = error_from_response(op, &resp);
                    tracing::debug!(target: "neonkit", method = op.method.as_str(), path = op.path, status = resp.status, attempt, request_id = err.request_id().unwrap_or(""), duration_ms = elapsed.as_millis() as u64, "request failed");
                    let retryable = match resp.status {
                        423 | 429 | 503 => true,
                        500 | 502 | 504 => op.method == HttpMethod::Get,
                        _ => false,
                    };
                    let ra = err.retry_after();
                    (err, retryable, ra)
                }
                Err(te) => {
                    let kind = if te.kind == TransportErrorKind::Timeout { ErrorKind::Timeout } else { ErrorKind::Network };
                    tracing::debug!(target: "neonkit", method = op.method.as_str(), path = op.path, attempt, error = %te.message, duration_ms = elapsed.as_millis() as u64, "request error");
                    // Only a request that never left may be resent, unless it is a GET.
                    let retryable = te.kind == TransportErrorKind::Connect || (op.method == HttpMethod::Get && te.kind != TransportErrorKind::Timeout);
                    let message = match kind {
                        ErrorKind::Timeout => format!("the request timed out: {}", te.message),
                        _ => format!("the request failed: {}", te.message),
                    };
                    (Error::new(kind, message).with_operation(op.id).with_source(te), retryable, None)
                }
            };
            if !retryable || attempt > policy.max_retries {
                return Err(error);
            }
            let delay = retry_after.unwrap_or_else(|| policy.backoff(attempt));
            if Instant::now() + delay >= deadline {
                return Err(error);
            }
            tracing::debug!(target: "neonkit", method = op.method.as_str(), path = op.path, attempt, delay_ms = delay.as_millis() as u64, "retrying");
            tokio::time::sleep(delay).await;
        }
    }
}
