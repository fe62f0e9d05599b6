//! The HTTP seam: the client speaks to a [`HttpSend`], which is reqwest in
//! production and anything else in tests that need responses the emulator
//! cannot produce.

use bytes::Bytes;
use futures::future::BoxFuture;
use std::sync::Mutex;
use std::time::Duration;

use crate::operation::HttpMethod;

/// One HTTP attempt, fully formed.
#[derive(Clone)]
pub struct HttpRequest {
    pub method: HttpMethod,
    pub url: reqwest::Url,
    /// Headers besides Authorization (which carries the key and is set apart
    /// so that nothing prints it by accident).
    pub headers: Vec<(&'static str, String)>,
    pub authorization: String,
    pub body: Option<Bytes>,
    /// This attempt's share of the call's deadline.
    pub timeout: Duration,
    /// The largest body to read (decompressed); a larger one is a `TooLarge` error.
    pub max_response_bytes: u64,
    /// The user's extra headers (`with_options`); values may be secrets.
    pub extra_headers: std::sync::Arc<[(String, String)]>,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &self.headers)
            .field("authorization", &crate::Redacted)
            .field("body_len", &self.body.as_ref().map(|b| b.len()))
            .field("timeout", &self.timeout)
            .field("extra_headers", &self.extra_headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .finish()
    }
}

/// What the client needs of a response.
#[derive(Clone)]
pub struct HttpResponse {
    pub status: u16,
    /// `X-Neon-Ret-Request-Id`
    pub request_id: Option<String>,
    /// `Retry-After`, as sent.
    pub retry_after: Option<String>,
    /// Every header (names in lower case), in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body may hold secrets (passwords, connection URIs): its size only.
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("retry_after", &self.retry_after)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl HttpResponse {
    /// A response with a status and a body, no headers (for injected transports).
    pub fn new(status: u16, body: impl Into<Bytes>) -> HttpResponse {
        HttpResponse { status, request_id: None, retry_after: None, headers: Vec::new(), body: body.into() }
    }

    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// No connection was made: the request never left, so resending is safe.
    Connect,
    /// The attempt ran out of time.
    Timeout,
    /// The connection broke after the request may have been sent.
    Other,
    /// The body was longer than `max_response_bytes`.
    TooLarge,
    /// The request could not be formed (a URL over the HTTP library's limits):
    /// nothing was sent, and sending it again would fail the same way.
    Invalid,
}

#[derive(Debug)]
pub struct TransportError {
    pub kind: TransportErrorKind,
    pub message: String,
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// Sends one HTTP request. Implement it to inject responses in tests.
pub trait HttpSend: Send + Sync + 'static {
    fn send(&self, request: HttpRequest) -> BoxFuture<'static, Result<HttpResponse, TransportError>>;
}

/// The production transport: one pooled reqwest client (rustls with bundled
/// webpki roots, so it needs no system certificate store on any platform).
pub struct ReqwestTransport {
    settings: TransportSettings,
    /// (pid, client): a client built before `fork()` holds the parent's
    /// sockets, so the child builds its own.
    client: Mutex<(u32, reqwest::Client)>,
}

/// A blocking driver's reqwest clients, one per distinct settings.
#[derive(Default)]
struct LocalClients(Vec<(TransportSettings, reqwest::Client)>);

impl LocalClients {
    fn get(&mut self, settings: &TransportSettings) -> Result<reqwest::Client, TransportError> {
        if let Some((_, c)) = self.0.iter().find(|(s, _)| s == settings) {
            return Ok(c.clone());
        }
        let c = ReqwestTransport::build(settings)?;
        self.0.push((settings.clone(), c.clone()));
        Ok(c)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportSettings {
    pub connect_timeout: Duration,
    pub user_agent: String,
    pub pool_idle_timeout: Duration,
}

impl ReqwestTransport {
    pub fn new(settings: TransportSettings) -> Result<Self, TransportError> {
        let client = Self::build(&settings)?;
        Ok(ReqwestTransport { settings, client: Mutex::new((crate::runtime::process_id(), client)) })
    }

    fn build(s: &TransportSettings) -> Result<reqwest::Client, TransportError> {
        reqwest::Client::builder()
            .user_agent(s.user_agent.clone())
            .connect_timeout(s.connect_timeout)
            .pool_idle_timeout(s.pool_idle_timeout)
            .tcp_nodelay(true)
            .gzip(true)
            // A redirected POST would be sent again (to another host, or twice):
            // a 3xx is answered as it is, and the client turns it into an error.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| TransportError {
                kind: TransportErrorKind::Other,
                message: format!("could not build the HTTP client: {e}"),
                source: Some(Box::new(e)),
            })
    }

    /// The pool for this call: the blocking driver's own when a blocking call
    /// runs on this thread (its connections are served by that driver alone),
    /// else the shared one.
    fn client(&self) -> Result<reqwest::Client, TransportError> {
        if let Some(local) = crate::runtime::local_state(LocalClients::default, |clients| clients.get(&self.settings)) {
            return local;
        }
        let mut guard = self.client.lock().unwrap_or_else(|p| p.into_inner());
        let pid = crate::runtime::process_id();
        if guard.0 != pid {
            // Forget the parent's client: dropping it would close sockets the parent still uses.
            let old = std::mem::replace(&mut guard.1, Self::build(&self.settings)?);
            std::mem::forget(old);
            guard.0 = pid;
        }
        Ok(guard.1.clone())
    }
}

fn classify(e: reqwest::Error) -> TransportError {
    // A connection attempt that timed out is a connect error (nothing was
    // sent, so it is safe to resend); check it before the timeout.
    let kind = if e.is_connect() {
        TransportErrorKind::Connect
    } else if e.is_timeout() {
        TransportErrorKind::Timeout
    } else if e.is_builder() {
        TransportErrorKind::Invalid
    } else {
        TransportErrorKind::Other
    };
    // reqwest's Display names the URL, which holds no secret (the key travels in a header).
    let mut message = e.to_string();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    while let Some(s) = src {
        message.push_str(": ");
        message.push_str(&s.to_string());
        src = s.source();
    }
    TransportError { kind, message, source: Some(Box::new(e)) }
}

impl HttpSend for ReqwestTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
        let client = self.client();
        Box::pin(async move {
            let client = client?;
            let method = match request.method {
                HttpMethod::Get => reqwest::Method::GET,
                HttpMethod::Post => reqwest::Method::POST,
                HttpMethod::Put => reqwest::Method::PUT,
                HttpMethod::Patch => reqwest::Method::PATCH,
                HttpMethod::Delete => reqwest::Method::DELETE,
            };
            let mut rb = client.request(method, request.url).timeout(request.timeout).header("Authorization", request.authorization);
            for (k, v) in request.headers {
                rb = rb.header(k, v);
            }
            for (k, v) in request.extra_headers.iter() {
                rb = rb.header(k.as_str(), v.as_str());
            }
            if let Some(body) = request.body {
                rb = rb.body(body);
            }
            let limit = request.max_response_bytes;
            let mut resp = rb.send().await.map_err(classify)?;
            let status = resp.status().as_u16();
            let headers: Vec<(String, String)> =
                resp.headers().iter().filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_string(), v.to_string()))).collect();
            let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
            let request_id = header("x-neon-ret-request-id");
            let retry_after = header("retry-after");
            let too_large = || TransportError {
                kind: TransportErrorKind::TooLarge,
                message: format!("the response body is larger than {limit} bytes"),
                source: None,
            };
            // Counted as read (decompressed), so an endless or inflating body stops at the limit.
            if resp.content_length().is_some_and(|n| n > limit) {
                return Err(too_large());
            }
            // A body in one chunk (most) is kept as it came, without a copy.
            let mut first: Option<Bytes> = None;
            let mut rest: Option<bytes::BytesMut> = None;
            while let Some(chunk) = resp.chunk().await.map_err(classify)? {
                let so_far = first.as_ref().map_or(0, |b| b.len()) + rest.as_ref().map_or(0, |b| b.len());
                if (so_far + chunk.len()) as u64 > limit {
                    return Err(too_large());
                }
                match (&mut first, &mut rest) {
                    (None, _) => first = Some(chunk),
                    (Some(f), None) => {
                        let mut buf = bytes::BytesMut::with_capacity((f.len() + chunk.len()) * 2);
                        buf.extend_from_slice(f);
                        buf.extend_from_slice(&chunk);
                        first = Some(Bytes::new());
                        rest = Some(buf);
                    }
                    (Some(_), Some(buf)) => buf.extend_from_slice(&chunk),
                }
            }
            let body = match rest {
                Some(buf) => buf.freeze(),
                None => first.unwrap_or_default(),
            };
            Ok(HttpResponse { status, request_id, retry_after, headers, body })
        })
    }
}
