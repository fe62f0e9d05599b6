//! The async client: configuration, the request pipeline (validation, retries,
//! operation waits) and the dynamic entry point that the bindings call.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::events::{self, Event, EventKind, EventListener};
use crate::models::AuthDetailsResponseAuthMethod;
use crate::operation::{BodyKind, HttpMethod, OperationInfo, ResponseKind};
use crate::options::{check_headers, check_org_id, spec};
use crate::retry::{parse_retry_after, RetryPolicy};
use crate::transport::{HttpRequest, HttpResponse, HttpSend, ReqwestTransport, TransportErrorKind, TransportSettings};
use crate::wait::WaitOptions;
use crate::{Error, ErrorKind, Result};

pub const DEFAULT_BASE_URL: &str = "https://console.neon.tech/api/v2";
/// The deadline of a whole call (requests, retries, operation waits) unless the client or the call sets one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Idle pooled connections are closed after this: below the 60 s that load
/// balancers commonly allow, so the client, not the server, ends an idle one.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(45);

/// A client of the Neon API. Cheap to clone (one `Arc`), safe to share across
/// tasks and threads; clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    /// What each call made through this copy uses ([`Client::with_options`]).
    pub(crate) call: Arc<CallSettings>,
}

/// The settings a call reads, which `with_options` copies may change.
#[derive(Clone)]
pub(crate) struct CallSettings {
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// Whether mutating calls wait for the operations they start.
    pub wait: bool,
    pub wait_options: WaitOptions,
    /// Extra headers; values may be secrets and are never shown.
    pub headers: Arc<[(String, String)]>,
    pub org_id: Option<String>,
    /// The deadline of the call this copy serves (the polls and reads of an operation wait).
    pub deadline: Option<Instant>,
    /// Who is told what the client does (the bindings' logging and hooks).
    pub listener: Option<Arc<dyn EventListener>>,
}

pub(crate) struct Inner {
    pub base_url: String,
    /// `base_url` parsed once: each request's URL is this with its path and
    /// query set, which skips parsing the scheme and host again per call.
    pub base: reqwest::Url,
    pub authorization: String,
    pub max_response_bytes: u64,
    pub transport: Arc<dyn HttpSend>,
    /// What `org_id = "auto"` resolved to, found once per client (and its copies).
    pub auto_org: tokio::sync::OnceCell<Option<String>>,
}

impl Inner {
    /// The API key, for the checks that keep it out of messages.
    fn api_key(&self) -> &str {
        self.authorization.strip_prefix("Bearer ").unwrap_or_default()
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("api_key", &crate::Redacted)
            .field("org_id", &self.call.org_id)
            .field("timeout", &self.call.timeout)
            .field("retry", &self.call.retry)
            .field("wait_for_operations", &self.call.wait)
            .field("headers", &self.call.headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("listener", &self.call.listener.is_some())
            .finish()
    }
}

/// What `org_id = "auto"` means for this key (boxed: it calls `send`, which calls it).
fn resolve_auto_org(client: Client) -> futures::future::BoxFuture<'static, Result<Option<String>>> {
    Box::pin(async move {
        let auth = client.users().get_auth_details().await?;
        if auth.auth_method == AuthDetailsResponseAuthMethod::ApiKeyOrg {
            return Ok(Some(auth.account_id));
        }
        let orgs = client.users().list_organizations().await?.organizations;
        match orgs.as_slice() {
            [] => Ok(None),
            [only] => Ok(Some(only.id.clone())),
            several => Err(Error::invalid(format!(
                "this API key's user belongs to {} organizations ({}): set org_id to one of them",
                several.len(),
                several.iter().map(|o| format!("{} ({:?})", o.id, o.name)).collect::<Vec<_>>().join(", ")
            ))),
        }
    })
}

/// The `org_id` that stands for "find it" (see [`ClientBuilder::org_id`]).
pub const AUTO_ORG: &str = "auto";

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
    user_agent: Option<String>,
    max_response_bytes: Option<u64>,
    pool_idle_timeout: Option<Duration>,
    headers: Vec<(String, String)>,
    transport: Option<Arc<dyn HttpSend>>,
    listener: Option<Arc<dyn EventListener>>,
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
    /// The organization applied wherever an operation takes an `org_id` (its
    /// query, or the resource in its body, as `project.org_id`), unless the call
    /// gives one. [`AUTO_ORG`] (`"auto"`) finds it on first use: an
    /// organization's API key uses its own organization, a personal key with
    /// exactly one organization uses that one, several are an error that lists them.
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
    /// Your application's product token (`myapp/1.2`), sent after neonkit's
    /// own: `User-Agent: neonkit/<version> (<language>) myapp/1.2`. Printable
    /// ASCII, at most 256 bytes.
    pub fn user_agent(mut self, app: impl Into<String>) -> Self {
        self.user_agent = Some(app.into());
        self
    }
    /// Receives every event of the client's calls (requests, responses,
    /// retries, operation waits): see [`crate::events`]. A closure
    /// `|e: &Event| …` is a listener.
    pub fn listener(mut self, listener: impl EventListener) -> Self {
        self.listener = Some(Arc::new(listener));
        self
    }
    /// [`ClientBuilder::listener`] for a listener already shared (or none).
    pub fn shared_listener(mut self, listener: Option<Arc<dyn EventListener>>) -> Self {
        self.listener = listener;
        self
    }
    /// The largest response body accepted, counted after decompression
    /// (default 256 MiB); a larger one fails the call with a `Decode` error.
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }
    /// How long an idle pooled connection is kept (default 45 s): keep it below
    /// the server's idle timeout, so that the client, not the server, ends idle
    /// connections (a request sent just as the server closes one fails, and a
    /// POST is never resent).
    pub fn pool_idle_timeout(mut self, idle: Duration) -> Self {
        self.pool_idle_timeout = Some(idle);
        self
    }
    /// An extra header sent with every request (a later one of the same name replaces it).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
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
            None => std::env::var("NEON_API_KEY")
                .map_err(|_| Error::new(ErrorKind::Config, "no API key: pass one to the client or set NEON_API_KEY"))?,
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
        let shown = without_userinfo(&base_url);
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(Error::new(
                ErrorKind::Config,
                format!("base URL must start with http:// or https:// (got {})", crate::error::quote(&shown)),
            ));
        }
        let base = reqwest::Url::parse(&base_url)
            .map_err(|e| Error::new(ErrorKind::Config, format!("base URL {} is not a valid URL: {e}", crate::error::quote(&shown))))?;
        if !base.username().is_empty() || base.password().is_some() {
            // It would travel as a second, Basic, Authorization header beside the key.
            return Err(Error::new(
                ErrorKind::Config,
                format!(
                    "base URL {} must not contain a user name or password (the API key is the only credential)",
                    crate::error::quote(&shown)
                ),
            ));
        }
        if base.query().is_some() || base.fragment().is_some() || base.cannot_be_a_base() {
            return Err(Error::new(
                ErrorKind::Config,
                format!("base URL {} must not have a query or a fragment", crate::error::quote(&shown)),
            ));
        }
        if let Some(org) = self.org_id.as_deref().filter(|o| *o != AUTO_ORG) {
            check_org_id("org_id", org)?;
        }
        let timeout = spec("timeout").check(self.timeout.unwrap_or(DEFAULT_TIMEOUT))?;
        let connect_timeout = spec("connect_timeout").check(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))?;
        let retry = self.retry.unwrap_or_default();
        spec("max_retries").check_whole(retry.max_retries.into())?;
        spec("retry_initial_backoff").check(retry.initial_backoff)?;
        spec("retry_max_backoff").check(retry.max_backoff)?;
        let wait = self.wait_options.unwrap_or_default();
        spec("wait_timeout").check(wait.timeout)?;
        spec("wait_poll_interval").check(wait.initial_interval)?;
        spec("wait_max_poll_interval").check(wait.max_interval)?;
        let pool_idle_timeout = spec("pool_idle_timeout").check(self.pool_idle_timeout.unwrap_or(DEFAULT_POOL_IDLE_TIMEOUT))?;
        let max_response_bytes = match self.max_response_bytes {
            Some(n) => spec("max_response_bytes").check_whole(n.min(i64::MAX as u64) as i64)? as u64,
            None => 256 << 20,
        };
        check_headers("headers", &self.headers)?;
        let headers = merge_headers(&[], &self.headers);
        let mut user_agent = crate::USER_AGENT_FORMAT
            .replace("{version}", env!("CARGO_PKG_VERSION"))
            .replace("{language}", self.user_agent_suffix.as_deref().unwrap_or("rust"));
        if let Some(app) = &self.user_agent {
            crate::options::check_user_agent("user_agent", app)?;
            user_agent.push(' ');
            user_agent.push_str(app.trim());
        }
        let transport: Arc<dyn HttpSend> = match self.transport {
            Some(t) => t,
            None => Arc::new(
                ReqwestTransport::new(TransportSettings { connect_timeout, user_agent, pool_idle_timeout })
                    .map_err(|e| Error::new(ErrorKind::Config, e.message.clone()))?,
            ),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                base_url,
                base,
                authorization: format!("Bearer {api_key}"),
                max_response_bytes,
                transport,
                auto_org: Default::default(),
            }),
            call: Arc::new(CallSettings {
                timeout,
                retry,
                wait: self.wait.unwrap_or(true),
                wait_options: wait,
                headers: headers.into(),
                org_id: self.org_id,
                deadline: None,
                listener: self.listener,
            }),
        })
    }
}

/// The client's headers with a call's added; a call's header replaces the client's of the same name.
fn merge_headers(base: &[(String, String)], extra: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        base.iter().filter(|(k, _)| !extra.iter().any(|(e, _)| e.eq_ignore_ascii_case(k))).cloned().collect();
    for (i, (k, v)) in extra.iter().enumerate() {
        // The last of one name wins within the call's own list too.
        if !extra[i + 1..].iter().any(|(e, _)| e.eq_ignore_ascii_case(k)) {
            out.push((k.clone(), v.clone()));
        }
    }
    out
}

/// A URL as it may be shown: without a user name or password.
fn without_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let authority_end = url[scheme_end..].find(['/', '?', '#']).map(|i| scheme_end + i).unwrap_or(url.len());
    match url[scheme_end..authority_end].rfind('@') {
        Some(at) => format!("{}<redacted>@{}", &url[..scheme_end], &url[scheme_end + at + 1..]),
        None => url.to_string(),
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
#[derive(Clone)]
pub struct Response {
    pub status: u16,
    pub request_id: Option<String>,
    /// Every response header (names in lower case), in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub(crate) operation: &'static str,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body may hold secrets (passwords, connection URIs): its size only.
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("operation", &self.operation)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl Response {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

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

fn too_large(op: &'static OperationInfo, limit: u64) -> Error {
    Error::new(ErrorKind::Decode, format!("the response body is larger than max_response_bytes ({limit} bytes)")).with_operation(op.id)
}

/// Whether a JSON body already sets the org the operation takes in its body
/// (`project.org_id` of createProject) to something other than `null`.
fn body_gives_org_id(op: &'static OperationInfo, payload: &Payload) -> bool {
    let Payload::Json(body) = payload else {
        return false;
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    let pointer: String = op.body_org_id.iter().map(|p| format!("/{p}")).collect();
    value.pointer(&pointer).is_some_and(|v| !v.is_null())
}

/// Puts the client's `org_id` where the body takes one (`project.org_id` of
/// createProject), unless the body gives its own.
fn with_body_org_id(op: &'static OperationInfo, body: &Bytes, org: &str) -> Result<Bytes> {
    let mut value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| Error::invalid(format!("the request body is not valid JSON: {e}")).with_operation(op.id))?;
    let (field, parents) = op.body_org_id.split_last().expect("non-empty");
    let mut at = &mut value;
    for p in parents {
        let Some(map) = at.as_object_mut() else {
            return Ok(body.clone());
        };
        at = map.entry(*p).or_insert_with(|| serde_json::Value::Object(Default::default()));
    }
    let Some(map) = at.as_object_mut() else {
        return Ok(body.clone());
    };
    if map.get(*field).is_some_and(|v| !v.is_null()) {
        return Ok(body.clone());
    }
    map.insert((*field).to_string(), org.into());
    Ok(serde_json::to_vec(&value).expect("JSON value serializes").into())
}

fn error_from_response(op: &'static OperationInfo, resp: &HttpResponse) -> Error {
    let body: ApiErrorBody = serde_json::from_slice(&resp.body).unwrap_or_default();
    let kind = ErrorKind::from_status(resp.status);
    let message = body.message.filter(|m| !m.is_empty()).unwrap_or_else(|| match kind {
        // Redirects are never followed: a redirected POST would be sent twice,
        // or to another host, and the Neon API does not redirect.
        ErrorKind::Api if (300..400).contains(&resp.status) => {
            let to = resp.header("location").map(|l| format!(" to {}", crate::error::quote(&without_userinfo(l)))).unwrap_or_default();
            format!("the API answered with a redirect (HTTP {}{to}), which neonkit does not follow", resp.status)
        }
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
        Client { inner: self.inner.clone(), call: Arc::new(CallSettings { wait, ..(*self.call).clone() }) }
    }

    /// The same client (sharing its pool) whose calls tell this listener what
    /// they do, instead of this client's listener (`None`: no listener).
    pub fn with_listener(&self, listener: Option<Arc<dyn EventListener>>) -> Client {
        Client { inner: self.inner.clone(), call: Arc::new(CallSettings { listener, ..(*self.call).clone() }) }
    }

    /// Hands an event to tracing and this client's listener; made only if one of them wants it.
    #[inline]
    pub(crate) fn emit(&self, kind: EventKind, make: impl FnOnce() -> Event) {
        events::emit(self.call.listener.as_deref(), kind, make)
    }

    /// The same client (sharing its pool) whose every call uses these options:
    /// `client.with_options(&CallOptions::default().timeout(Duration::from_secs(5)))?.projects().get(id)`.
    /// Options left `None` keep this client's values; a bad value is a `Config`
    /// error naming it, before any call.
    pub fn with_options(&self, options: &crate::CallOptions) -> Result<Client> {
        options.check()?;
        let mut call = (*self.call).clone();
        if let Some(t) = options.timeout {
            call.timeout = t;
        }
        if let Some(n) = options.max_retries {
            call.retry.max_retries = n;
        }
        if let Some(w) = options.wait_for_operations {
            call.wait = w;
        }
        if let Some(t) = options.wait_timeout {
            call.wait_options.timeout = t;
        }
        if !options.headers.is_empty() {
            call.headers = merge_headers(&call.headers, &options.headers).into();
        }
        if let Some(o) = &options.org_id {
            call.org_id = Some(o.clone());
        }
        Ok(Client { inner: self.inner.clone(), call: Arc::new(call) })
    }

    /// The organization `org_id = "auto"` stands for (`None`: a personal
    /// account without one), found once: the key's own organization, else the
    /// user's only one.
    async fn auto_org(&self, op: &'static OperationInfo) -> Result<Option<String>> {
        let found = self
            .inner
            .auto_org
            .get_or_try_init(|| {
                // Without an org of its own, so that the lookups never resolve again.
                let plain = Client { inner: self.inner.clone(), call: Arc::new(CallSettings { org_id: None, ..(*self.call).clone() }) };
                resolve_auto_org(plain)
            })
            .await
            // A failed lookup stays the error's operation (the message names the call that needed it).
            .map_err(|e: Error| {
                let e = e.prefixed(&format!("{}: resolving org_id \"auto\"", op.id));
                match e.operation() {
                    Some(_) => e,
                    None => e.with_operation(op.id),
                }
            })?;
        Ok(found.clone())
    }

    /// This client bound to a call's deadline (the polls of its operation wait).
    pub(crate) fn within(&self, deadline: Instant) -> Client {
        Client { inner: self.inner.clone(), call: Arc::new(CallSettings { deadline: Some(deadline), ..(*self.call).clone() }) }
    }

    /// The deadline of a call starting now.
    pub(crate) fn deadline(&self) -> Instant {
        let own = Instant::now() + self.call.timeout;
        self.call.deadline.map_or(own, |d| d.min(own))
    }

    /// Whether mutating calls wait for their operations.
    pub fn waits_for_operations(&self) -> bool {
        self.call.wait
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
            let param = op.query_param(name).ok_or_else(|| {
                Error::invalid(format!("{} has no query parameter {}", op.id, crate::error::quote(name))).with_operation(op.id)
            })?;
            pairs.push((param.name, value.clone()));
        }
        self.send(op, path, pairs, payload).await
    }

    /// Refuses an argument that is the client's own API key (passed in the
    /// wrong place by mistake) without repeating it in the message.
    fn check_not_key(&self, op: &'static OperationInfo, what: &str, name: &str, value: &str) -> Result<()> {
        let key = self.inner.api_key();
        if key.len() >= 8 && value.len() >= key.len() && value.contains(key) {
            return Err(Error::invalid(format!("{what} {name} holds the client's API key; pass the key only as the client's api_key"))
                .with_operation(op.id));
        }
        Ok(())
    }

    /// Sends one operation: checks its arguments, applies the default org,
    /// retries what is safe to retry, and waits for the operations it starts.
    pub async fn send(
        &self,
        op: &'static OperationInfo,
        path: &[&str],
        mut query: Vec<(&'static str, String)>,
        mut payload: Payload,
    ) -> Result<Response> {
        for (param, value) in op.path_params.iter().zip(path) {
            self.check_not_key(op, "path parameter", param.name, value)?;
        }
        let path = op.build_path(path).map_err(|e| e.with_operation(op.id))?;
        for (name, value) in &query {
            self.check_not_key(op, "query parameter", name, value)?;
            if value.len() > crate::operation::MAX_QUERY_VALUE_BYTES {
                return Err(Error::invalid(format!(
                    "query parameter {name} must be at most {} bytes (got {})",
                    crate::operation::MAX_QUERY_VALUE_BYTES,
                    value.len()
                ))
                .with_operation(op.id));
            }
        }
        let auto_org;
        let org = match self.call.org_id.as_deref() {
            // Resolved only where an org would be sent: not for a call that gives its own.
            Some(AUTO_ORG) => {
                let takes_org = op.query_param("org_id").is_some_and(|_| !query.iter().any(|(k, _)| *k == "org_id"))
                    || (!op.body_org_id.is_empty() && !body_gives_org_id(op, &payload));
                auto_org = if takes_org { self.auto_org(op).await? } else { None };
                auto_org.as_ref()
            }
            _ => self.call.org_id.as_ref(),
        };
        if let Some(org) = org {
            if let Some(param) = op.query_param("org_id") {
                if !query.iter().any(|(k, _)| *k == "org_id") {
                    query.push((param.name, org.clone()));
                }
            }
            if !op.body_org_id.is_empty() {
                if let Payload::Json(body) = &payload {
                    payload = Payload::Json(with_body_org_id(op, body, org)?);
                }
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
        let deadline = self.deadline();
        let resp = self.execute(op, url, headers, body, deadline).await?;
        crate::metadata::record(resp.status, &resp.request_id, &resp.headers);
        if op.response == ResponseKind::Json {
            crate::shape::check(op, &resp.body).map_err(|e| e.with_request_id(resp.request_id.clone()))?;
        }
        let mut response =
            Response { status: resp.status, request_id: resp.request_id, headers: resp.headers, body: resp.body, operation: op.id };
        if op.returns_operations && self.call.wait {
            response.body = self.within(deadline).wait_in_body(op, response.body, response.request_id.clone()).await?;
        }
        Ok(response)
    }

    async fn execute(
        &self,
        op: &'static OperationInfo,
        url: reqwest::Url,
        headers: Vec<(&'static str, String)>,
        body: Option<Bytes>,
        deadline: Instant,
    ) -> Result<HttpResponse> {
        let policy = &self.call.retry;
        let max_attempts = policy.max_retries.saturating_add(1);
        let event = |kind, attempt| Event { attempt, max_attempts, ..Event::new(kind, op.id, op.method.as_str(), op.path) };
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let now = Instant::now();
            let remaining = deadline.saturating_duration_since(now);
            if remaining.is_zero() {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!("the call did not finish within its timeout ({:?})", self.call.timeout),
                )
                .with_operation(op.id));
            }
            let request = HttpRequest {
                method: op.method,
                url: url.clone(),
                headers: headers.clone(),
                authorization: self.inner.authorization.clone(),
                body: body.clone(),
                timeout: remaining,
                max_response_bytes: self.inner.max_response_bytes,
                extra_headers: self.call.headers.clone(),
            };
            self.emit(EventKind::Request, || event(EventKind::Request, attempt));
            let result = self.inner.transport.send(request).await;
            let elapsed = now.elapsed();
            // What the attempt came to, for its events: (status, network error kind, request id).
            let (error, retryable, retry_after, outcome) = match result {
                Ok(resp) if resp.body.len() as u64 > self.inner.max_response_bytes => {
                    self.emit(EventKind::Response, || Event {
                        status: Some(resp.status),
                        request_id: resp.request_id.clone(),
                        duration: Some(elapsed),
                        ..event(EventKind::Response, attempt)
                    });
                    return Err(too_large(op, self.inner.max_response_bytes).with_status(resp.status).with_request_id(resp.request_id));
                }
                Ok(resp) if (200..300).contains(&resp.status) => {
                    self.emit(EventKind::Response, || Event {
                        status: Some(resp.status),
                        request_id: resp.request_id.clone(),
                        duration: Some(elapsed),
                        ..event(EventKind::Response, attempt)
                    });
                    return Ok(resp);
                }
                Ok(resp) => {
                    let err = error_from_response(op, &resp);
                    let outcome = (Some(resp.status), None, err.request_id().map(String::from));
                    self.emit(EventKind::Response, || Event {
                        status: outcome.0,
                        request_id: outcome.2.clone(),
                        duration: Some(elapsed),
                        ..event(EventKind::Response, attempt)
                    });
                    let retryable = match resp.status {
                        423 | 429 | 503 => true,
                        500 | 502 | 504 => op.method == HttpMethod::Get,
                        _ => false,
                    };
                    let ra = err.retry_after();
                    let err = match resp.status {
                        500 | 502 | 504 if op.method != HttpMethod::Get => err.maybe_applied(),
                        _ => err,
                    };
                    (err, retryable, ra, outcome)
                }
                Err(te) => {
                    let name = match te.kind {
                        TransportErrorKind::Connect => "connect",
                        TransportErrorKind::Timeout => "timeout",
                        TransportErrorKind::TooLarge => "too_large",
                        TransportErrorKind::Invalid => "invalid_request",
                        TransportErrorKind::Other => "connection",
                    };
                    self.emit(EventKind::Response, || Event {
                        error: Some(name),
                        duration: Some(elapsed),
                        ..event(EventKind::Response, attempt)
                    });
                    match te.kind {
                        TransportErrorKind::TooLarge => {
                            return Err(too_large(op, self.inner.max_response_bytes).with_source(te));
                        }
                        TransportErrorKind::Invalid => {
                            return Err(Error::invalid(format!("the request could not be formed: {}", te.message))
                                .with_operation(op.id)
                                .with_source(te));
                        }
                        _ => {}
                    }
                    let kind = if te.kind == TransportErrorKind::Timeout { ErrorKind::Timeout } else { ErrorKind::Network };
                    // Only a request that never left may be resent, unless it is a GET.
                    let retryable =
                        te.kind == TransportErrorKind::Connect || (op.method == HttpMethod::Get && te.kind != TransportErrorKind::Timeout);
                    let message = match kind {
                        ErrorKind::Timeout => format!("the request timed out: {}", te.message),
                        _ => format!("the request failed: {}", te.message),
                    };
                    let mut err = Error::new(kind, message).with_operation(op.id);
                    if op.method != HttpMethod::Get && te.kind != TransportErrorKind::Connect {
                        err = err.maybe_applied();
                    }
                    (err.with_source(te), retryable, None, (None, Some(name), None))
                }
            };
            if !retryable || attempt > policy.max_retries {
                return Err(error);
            }
            let delay = retry_after.unwrap_or_else(|| policy.backoff(attempt));
            // A server may ask for any delay (`Retry-After: 1e300`): one past the
            // deadline ends the call with the status's own error.
            if Instant::now().checked_add(delay).is_none_or(|at| at >= deadline) {
                return Err(error);
            }
            let (status, error_name, request_id) = outcome;
            self.emit(EventKind::Retry, || Event {
                status,
                error: error_name,
                request_id,
                delay: Some(delay),
                ..event(EventKind::Retry, attempt + 1)
            });
            tokio::time::sleep(delay).await;
        }
    }
}

/// What the raw call's requests are named in logs and errors, per method.
fn raw_operation(method: HttpMethod) -> &'static OperationInfo {
    const fn raw(method: HttpMethod) -> OperationInfo {
        OperationInfo {
            id: "request",
            method,
            path: "(raw)",
            namespace: "",
            method_words: &[],
            path_params: &[],
            query_params: &[],
            body: BodyKind::Json { required: false },
            response: ResponseKind::Bytes,
            success_status: 200,
            pagination: None,
            returns_operations: false,
            response_fields: &[],
            body_org_id: &[],
            body_check: None,
            deprecated: false,
        }
    }
    static GET: OperationInfo = raw(HttpMethod::Get);
    static POST: OperationInfo = raw(HttpMethod::Post);
    static PUT: OperationInfo = raw(HttpMethod::Put);
    static PATCH: OperationInfo = raw(HttpMethod::Patch);
    static DELETE: OperationInfo = raw(HttpMethod::Delete);
    match method {
        HttpMethod::Get => &GET,
        HttpMethod::Post => &POST,
        HttpMethod::Put => &PUT,
        HttpMethod::Patch => &PATCH,
        HttpMethod::Delete => &DELETE,
    }
}

/// The longest path the raw call takes.
const MAX_RAW_PATH_BYTES: usize = 2048;

/// A raw call's path: relative to the base URL, already percent-encoded, with
/// no query, no fragment and no dot or empty segments (which would address
/// another resource than the one written).
fn check_raw_path(path: &str) -> Result<()> {
    let bad = |why: &str| Err(Error::invalid(format!("the path {} {why}", crate::error::quote(path))).with_operation("request"));
    if !path.starts_with('/') {
        return bad("must start with '/' (it is relative to the base URL)");
    }
    if path.len() > MAX_RAW_PATH_BYTES {
        return bad(&format!("must be at most {MAX_RAW_PATH_BYTES} bytes"));
    }
    if path.contains(['?', '#']) {
        return bad("must not hold a query or a fragment (pass query parameters apart)");
    }
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=%".contains(&b);
    if !path.bytes().all(allowed) {
        return bad("holds characters that must be percent-encoded");
    }
    let bytes = path.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%' && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)) {
            return bad("holds a '%' that is not a percent-escape");
        }
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    if segments.iter().enumerate().any(|(i, s)| {
        (s.is_empty() && i + 1 < segments.len()) || matches!(*s, "." | ".." | "%2e" | "%2E" | "%2e%2e" | "%2E%2E" | ".%2e" | "%2e.")
    }) {
        return bad("must not hold empty, '.' or '..' segments");
    }
    Ok(())
}

impl HttpMethod {
    /// The method of that name (any case).
    pub fn parse(name: &str) -> Result<HttpMethod> {
        match name.to_ascii_uppercase().as_str() {
            "GET" => Ok(HttpMethod::Get),
            "POST" => Ok(HttpMethod::Post),
            "PUT" => Ok(HttpMethod::Put),
            "PATCH" => Ok(HttpMethod::Patch),
            "DELETE" => Ok(HttpMethod::Delete),
            _ => Err(Error::invalid(format!("the method must be GET, POST, PUT, PATCH or DELETE (got {})", crate::error::quote(name)))
                .with_operation("request")),
        }
    }
}

impl Client {
    /// Calls any path of the API, for what the spec (and so the generated
    /// methods) lacks, through the same pipeline: the key, extra headers,
    /// retries (by the method's rules), the call's deadline, errors with
    /// request ids. `path` is relative to the base URL (`/projects/abc/…`),
    /// percent-encoded; `query` pairs are encoded here; `body` is JSON. The
    /// response is not checked against the spec and no operations are waited
    /// for; a non-2xx status is an error as for any call.
    pub async fn request(&self, method: HttpMethod, path: &str, query: &[(String, String)], body: Option<Bytes>) -> Result<Response> {
        let op = raw_operation(method);
        self.check_not_key(op, "the", "path", path)?;
        check_raw_path(path)?;
        let mut url = self.inner.base.clone();
        let full_path = format!("{}{path}", self.inner.base.path().trim_end_matches('/'));
        url.set_path(&full_path);
        if !query.is_empty() {
            let mut q = String::with_capacity(64);
            for (i, (k, v)) in query.iter().enumerate() {
                self.check_not_key(op, "query parameter", k, v)?;
                if k.is_empty() {
                    return Err(Error::invalid("a query parameter's name is empty").with_operation(op.id));
                }
                if i > 0 {
                    q.push('&');
                }
                q.push_str(&crate::operation::encode_segment(k));
                q.push('=');
                q.push_str(&crate::operation::encode_segment(v));
            }
            url.set_query(Some(&q));
        }
        let mut headers: Vec<(&'static str, String)> = vec![("Accept", "application/json".into())];
        if let Some(b) = &body {
            if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(b) {
                return Err(Error::invalid(format!("the request body is not valid JSON: {e}")).with_operation(op.id));
            }
            headers.push(("Content-Type", "application/json".into()));
        }
        let deadline = self.deadline();
        let resp = self.execute(op, url, headers, body, deadline).await?;
        crate::metadata::record(resp.status, &resp.request_id, &resp.headers);
        Ok(Response { status: resp.status, request_id: resp.request_id, headers: resp.headers, body: resp.body, operation: op.id })
    }
}
