//! The HTTP side: the accept loop (hyper, so a fault can drop a connection before any
//! response bytes), the axum router built from the spec's operation table, the
//! per-request pipeline (request id, counting, faults, auth, rate limits, body
//! validation, panic catching) and the admin API.

use crate::handlers::{self, Auth, Reply, Req};
use crate::spec::{self, Op};
use crate::state::Store;
use crate::{EmulatorConfig, Fault, FaultKind, FaultRates, DEV_API_KEY};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::routing::{on, MethodFilter};
use axum::Router;
use bytes::Bytes;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};

pub const REQUEST_ID_HEADER: &str = "x-neon-ret-request-id";
pub const LOCKED_MESSAGE: &str = "project already has running conflicting operations, scheduling of new ones is prohibited";

/// Switches that can change at run time (admin API).
#[derive(Clone, Debug)]
pub struct Dyn {
    pub operation_duration: Duration,
    pub locking: bool,
    pub rate_limits: bool,
    pub latency: Duration,
    pub fault_rates: FaultRates,
}

struct FaultEntry {
    fault: Fault,
    remaining: Option<u32>,
}

pub struct Inner {
    pub api_key: String,
    pub dynamic: RwLock<Dyn>,
    faults: Mutex<Vec<FaultEntry>>,
    counts: Vec<AtomicU64>,
    store: Mutex<Store>,
    pub rng: Mutex<StdRng>,
    rate: Vec<Mutex<VecDeque<Instant>>>,
    seed: Option<u64>,
    req_seq: AtomicU64,
    /// `--postgres`: the PostgreSQL behind the API.
    pub pg: Option<Arc<crate::pg::Cluster>>,
    /// Where the timestamps it writes come from (`/_emulator/clock`).
    pub clock: crate::clock::Clock,
    /// `--state FILE`: where the store is kept across restarts.
    pub state: Option<Arc<crate::persist::StateFile>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Inner {
    /// `store`: what a state file held (`None`: a new store).
    pub fn new(config: &EmulatorConfig, pg: Option<Arc<crate::pg::Cluster>>, store: Option<Store>) -> Inner {
        let spec = spec::spec();
        let mut rng = match config.seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_entropy(),
        };
        let store = store.unwrap_or_else(|| Store::new(&mut rng));
        Inner {
            api_key: config.api_key.clone().unwrap_or_else(|| DEV_API_KEY.to_string()),
            dynamic: RwLock::new(Dyn {
                operation_duration: config.operation_duration,
                locking: config.locking,
                rate_limits: config.rate_limits,
                latency: config.latency,
                fault_rates: config.fault_rates.clone(),
            }),
            faults: Mutex::new(Vec::new()),
            counts: spec.ops.iter().map(|_| AtomicU64::new(0)).collect(),
            store: Mutex::new(store),
            rng: Mutex::new(rng),
            rate: spec.ops.iter().map(|_| Mutex::new(VecDeque::new())).collect(),
            seed: config.seed,
            req_seq: AtomicU64::new(0),
            pg,
            clock: Default::default(),
            state: config.state_file.clone().map(|p| Arc::new(crate::persist::StateFile::new(p))),
        }
    }

    /// Something in the store changed: the state file is written soon.
    pub fn changed(&self) {
        if let Some(s) = &self.state {
            s.changed();
        }
    }

    /// Writes the state file now (with `--state`).
    pub fn save_state(&self) -> Result<(), String> {
        let Some(s) = &self.state else { return Ok(()) };
        s.write(|| {
            // the store is locked while it is encoded, not while the file is written;
            // lock order everywhere: store, then the cluster's names
            let bytes = {
                let store = self.store();
                crate::persist::encode(&store, self.pg.as_ref().map(|c| c.made_names()))?
            };
            crate::persist::write(&s.path, &bytes)
        })
    }

    pub fn dyn_cfg(&self) -> Dyn {
        self.dynamic.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    pub fn add_fault(&self, fault: Fault) {
        let remaining = fault.times;
        lock(&self.faults).push(FaultEntry { fault, remaining });
    }

    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    /// Adds an organization of the emulator's user; returns it as the API renders it.
    pub fn add_organization(&self, name: &str) -> Value {
        // lock order everywhere: store, then rng
        let _clock = self.clock.enter();
        let mut store = self.store();
        let mut rng = lock(&self.rng);
        store.add_org(&mut *rng, name).render()
    }

    pub fn request_count(&self, operation_id: &str) -> u64 {
        spec::spec().index_of(operation_id).map(|i| self.counts[i].load(Ordering::Relaxed)).unwrap_or(0)
    }

    pub fn reset(&self) {
        // back to the real time before the seeded organization is made again
        self.clock.real();
        // lock order everywhere: store, then rng
        let mut store = self.store();
        let mut rng = lock(&self.rng);
        if let Some(s) = self.seed {
            *rng = StdRng::seed_from_u64(s);
        }
        *store = Store::new(&mut *rng);
        self.backing().clear();
        drop(rng);
        drop(store);
        self.clear_faults();
        for c in &self.counts {
            c.store(0, Ordering::Relaxed);
        }
        for r in &self.rate {
            lock(r).clear();
        }
    }

    /// The targeted faults that apply to this request (consuming their counts).
    fn take_faults(&self, op: &Op) -> Vec<FaultKind> {
        let mut faults = lock(&self.faults);
        let mut out = Vec::new();
        for f in faults.iter_mut() {
            let matches = f.fault.operation_id.as_deref().map(|o| o == op.operation_id).unwrap_or(true);
            if !matches || f.remaining == Some(0) {
                continue;
            }
            if let Some(r) = f.remaining.as_mut() {
                *r -= 1;
            }
            out.push(f.fault.kind.clone());
        }
        faults.retain(|f| f.remaining != Some(0));
        out
    }

    fn random_fault(&self, rates: &FaultRates) -> Option<FaultKind> {
        let total = rates.status_429 + rates.status_500 + rates.status_503 + rates.drop_connection + rates.truncate_body;
        if total <= 0.0 {
            return None;
        }
        let r: f64 = lock(&self.rng).gen();
        let mut acc = 0.0;
        let table = [
            (rates.status_429, FaultKind::Status { status: 429, retry_after: Some("1".into()) }),
            (rates.status_500, FaultKind::Status { status: 500, retry_after: None }),
            (rates.status_503, FaultKind::Status { status: 503, retry_after: None }),
            (rates.drop_connection, FaultKind::DropConnection),
            (rates.truncate_body, FaultKind::TruncateBody),
        ];
        for (p, k) in table {
            acc += p;
            if r < acc {
                return Some(k);
            }
        }
        None
    }

    /// Neon's limits: 40 requests in any second and 700 in any minute, per route.
    fn rate_limited(&self, op: &Op) -> Option<u64> {
        let now = Instant::now();
        let mut q = lock(&self.rate[op.index]);
        while q.front().map(|t| now.duration_since(*t) >= Duration::from_secs(60)).unwrap_or(false) {
            q.pop_front();
        }
        let last_second = q.iter().rev().take_while(|t| now.duration_since(**t) < Duration::from_secs(1)).count();
        if last_second >= 40 {
            return Some(1);
        }
        if q.len() >= 700 {
            let oldest = *q.front().unwrap();
            let wait = Duration::from_secs(60).saturating_sub(now.duration_since(oldest));
            return Some(wait.as_secs().max(1));
        }
        q.push_back(now);
        None
    }

    fn request_id(&self, req: &Request) -> String {
        if let Some(v) = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()) {
            if !v.is_empty() && v.len() <= 128 {
                return v.to_string();
            }
        }
        let n = self.req_seq.fetch_add(1, Ordering::Relaxed);
        let r: u64 = lock(&self.rng).gen();
        let x = r ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            (x >> 32) as u32,
            (x >> 16) as u16,
            (x & 0xfff) as u16,
            (n & 0xfff) as u16,
            (r ^ n) & 0xffff_ffff_ffff
        )
    }
}

// ------------------------------------------------------------------ responses

/// Marks a response whose connection must be dropped before any bytes are written.
#[derive(Clone, Copy)]
struct DropMarker;

pub fn error_response(status: u16, code: &str, message: &str, request_id: &str) -> Response {
    let body = json!({"code": code, "message": message, "request_id": request_id});
    json_response(status, &body, request_id)
}

/// An error for an operation: Neon's general error body, or, where the operation
/// declares its own schema for that status, a body of that shape carrying the
/// same code, message and request id.
pub fn op_error_response(op: &Op, status: u16, code: &str, message: &str, request_id: &str) -> Response {
    op_error_response_with(op, status, code, message, request_id, &serde_json::Map::new())
}

/// [`op_error_response`] with more fields of the body (e.g. the `reason` of an
/// operation's own error shape), kept where the body still validates.
pub fn op_error_response_with(
    op: &Op,
    status: u16,
    code: &str,
    message: &str,
    request_id: &str,
    fields: &serde_json::Map<String, Value>,
) -> Response {
    let s = spec::spec();
    if let Some((_, schema)) = op.error_schemas.iter().find(|(c, _)| *c == status) {
        let mut v = s.synth(schema, None, 100);
        if let Some(o) = v.as_object_mut() {
            o.insert("message".into(), json!(message));
            o.insert("request_id".into(), json!(request_id));
            if !code.is_empty() || !o.contains_key("code") {
                o.insert("code".into(), json!(code));
            }
            let plain = v.clone();
            if let Some(o) = v.as_object_mut() {
                o.extend(fields.iter().map(|(k, x)| (k.clone(), x.clone())));
            }
            if s.validate(schema, &v).is_err() {
                v = plain;
            }
        }
        if s.validate(schema, &v).is_ok() {
            return json_response(status, &v, request_id);
        }
    }
    if fields.is_empty() {
        return error_response(status, code, message, request_id);
    }
    let mut body = json!({"code": code, "message": message, "request_id": request_id});
    if let Some(o) = body.as_object_mut() {
        for (k, x) in fields {
            o.entry(k.clone()).or_insert_with(|| x.clone());
        }
    }
    json_response(status, &body, request_id)
}

fn json_response(status: u16, body: &Value, request_id: &str) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = Response::new(Body::from(bytes));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert(REQUEST_ID_HEADER, v);
    }
    resp
}

fn default_message(status: u16) -> &'static str {
    match status {
        400 => "bad request",
        401 => "authentication required",
        403 => "forbidden",
        404 => "not found",
        409 => "conflict",
        423 => LOCKED_MESSAGE,
        429 => "rate limit exceeded, try again later",
        500 => "internal server error",
        502 => "bad gateway",
        503 => "service unavailable",
        504 => "gateway timeout",
        _ => "error",
    }
}

fn fault_status_response(op: &Op, status: u16, retry_after: Option<&str>, request_id: &str) -> Response {
    let mut resp = op_error_response(op, status, "", default_message(status), request_id);
    if let Some(ra) = retry_after {
        if let Ok(v) = HeaderValue::from_str(ra) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    resp
}

/// Keeps the headers (with the full Content-Length) but sends only half of the body,
/// then fails the stream so the server closes the connection.
async fn truncate(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let full = bytes.len();
    let cut = bytes.slice(0..full / 2);
    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(full.max(1)));
    // The partial chunk goes out first (hyper flushes it with the headers); the
    // error a moment later makes hyper close the connection mid-body.
    let stream = futures::stream::unfold(0u8, move |step| {
        let cut = cut.clone();
        async move {
            match step {
                0 => Some((Ok::<Bytes, std::io::Error>(cut), 1)),
                1 => {
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    Some((Err(std::io::Error::new(std::io::ErrorKind::BrokenPipe, "truncated by fault injection")), 2))
                }
                _ => None,
            }
        }
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

/// RFC 7386 JSON merge patch: objects merge recursively, `null` deletes the key,
/// anything else (arrays included) replaces the target.
fn json_merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    let t = target.as_object_mut().expect("made an object above");
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            json_merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

/// The `merge_body` faults: a 2xx JSON answer, merge-patched with each patch in
/// turn, with its Content-Length made right. Anything else is left as it is.
async fn merge_body(resp: Response, patches: &[Value]) -> Response {
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|ct| ct.to_ascii_lowercase().contains("json"))
        .unwrap_or(false);
    if patches.is_empty() || !resp.status().is_success() || !is_json {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    for p in patches {
        json_merge_patch(&mut value, p);
    }
    let out = serde_json::to_vec(&value).unwrap_or_default();
    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(out.len()));
    Response::from_parts(parts, Body::from(out))
}

// ------------------------------------------------------------------ pipeline

async fn dispatch(inner: Arc<Inner>, op: &'static Op, req: Request) -> Response {
    let request_id = inner.request_id(&req);
    inner.counts[op.index].fetch_add(1, Ordering::Relaxed);
    let cfg = inner.dyn_cfg();

    let mut delay = cfg.latency;
    let mut fail_ops: Option<String> = None;
    let mut action: Option<FaultKind> = None;
    let mut patches: Vec<Value> = Vec::new();
    for f in inner.take_faults(op) {
        match f {
            FaultKind::Latency { ms } => delay += Duration::from_millis(ms),
            FaultKind::MergeBody { body } => patches.push(body),
            FaultKind::FailOperation { error } => fail_ops = Some(error.unwrap_or_else(|| "operation failed (injected fault)".to_string())),
            other => {
                if action.is_none() {
                    action = Some(other)
                }
            }
        }
    }
    if action.is_none() {
        action = inner.random_fault(&cfg.fault_rates);
    }
    let dropped = || {
        let mut r = Response::new(Body::empty());
        r.extensions_mut().insert(DropMarker);
        r
    };
    match action {
        Some(FaultKind::Status { status, retry_after }) => {
            hold_back(delay).await;
            return fault_status_response(op, status, retry_after.as_deref(), &request_id);
        }
        Some(FaultKind::DropConnection) => {
            hold_back(delay).await;
            return dropped();
        }
        _ => {}
    }

    // The request is handled on arrival and only its answer waits: concurrent
    // requests under a latency fault all see the state as it was when they came in,
    // which is what makes two slow lookups race the creates that follow them.
    let resp = handle(&inner, op, req, &request_id, fail_ops, &cfg).await;
    let resp = merge_body(resp, &patches).await;
    hold_back(delay).await;
    match action {
        Some(FaultKind::DropConnectionAfterHandling) => dropped(),
        Some(FaultKind::StatusAfterHandling { status }) => fault_status_response(op, status, None, &request_id),
        Some(FaultKind::TruncateBody) => truncate(resp).await,
        _ => resp,
    }
}

/// Waits out a configured or injected latency (nothing at all without one).
async fn hold_back(delay: Duration) {
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

fn bearer(req: &Request) -> Option<String> {
    let v = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let mut it = v.splitn(2, ' ');
    let scheme = it.next()?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    Some(it.next()?.trim().to_string())
}

async fn handle(inner: &Arc<Inner>, op: &'static Op, req: Request, request_id: &str, fail_ops: Option<String>, cfg: &Dyn) -> Response {
    // Auth
    let auth = match bearer(&req) {
        None => return op_error_response(op, 401, "", "authentication required: provide an API key as a Bearer token", request_id),
        Some(k) if k == inner.api_key => Auth::personal(),
        Some(k) => match inner.store().auth_for_key(&k) {
            Some(a) => a,
            None => return op_error_response(op, 401, "", "invalid API key", request_id),
        },
    };
    if cfg.rate_limits {
        if let Some(wait) = inner.rate_limited(op) {
            return fault_status_response(op, 429, Some(&wait.to_string()), request_id);
        }
    }
    let (parts, body) = req.into_parts();
    // Path params (positional captures p0, p1, … mapped to the spec's names).
    let mut path = Vec::with_capacity(op.path_params.len());
    {
        use axum::extract::FromRequestParts;
        let mut parts = parts;
        let raw = axum::extract::RawPathParams::from_request_parts(&mut parts, &()).await;
        match raw {
            Ok(raw) => {
                for (i, (_, v)) in raw.iter().enumerate() {
                    if let Some(name) = op.path_params.get(i) {
                        path.push((name.clone(), v.to_string()));
                    }
                }
            }
            Err(_) => return op_error_response(op, 400, "", "invalid path parameter", request_id),
        }
        let query: Vec<(String, String)> = parts.uri.query().map(url_decode_pairs).unwrap_or_default();
        let raw_body = match axum::body::to_bytes(body, 16 * 1024 * 1024).await {
            Ok(b) => b,
            Err(_) => return op_error_response(op, 400, "", "could not read request body", request_id),
        };
        let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let host = parts.headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("127.0.0.1").to_string();
        let r = Req {
            op,
            path,
            query,
            raw_body,
            content_type,
            host,
            body: Value::Null,
            auth,
            request_id: request_id.to_string(),
            fail_ops,
            cfg: cfg.clone(),
        };
        let inner2 = inner.clone();
        let panic_hook = parts.headers.contains_key("x-emulator-panic");
        // what the branch's log line records (families::logs), taken before the request moves
        let log_target = crate::families::logs::target(op, &r.path, parts.uri.path());
        // every timestamp the handling writes (the log line's included) reads the emulator's clock
        let _clock = inner.clock.enter();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            if panic_hook {
                panic!("handler panic requested through the X-Emulator-Panic header");
            }
            handlers::prepare_and_handle(&inner2, r)
        }));
        let resp = match result {
            Ok(Ok(reply)) => reply_response(reply, op, request_id),
            Ok(Err(e)) => op_error_response_with(op, e.status, &e.code, &e.message, request_id, &e.fields),
            Err(_) => error_response(500, "", "internal server error", request_id),
        };
        if let Some(t) = log_target {
            crate::families::logs::record(&mut inner.store(), op, t, resp.status().as_u16(), request_id);
        }
        if !op.method.eq_ignore_ascii_case("get") {
            inner.changed();
        }
        resp
    }
}

fn url_decode_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|s| !s.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_component(k), decode_component(v))
        })
        .collect()
}

fn decode_component(s: &str) -> String {
    let s = s.replace('+', " ");
    percent_encoding::percent_decode_str(&s).decode_utf8_lossy().into_owned()
}

fn reply_response(reply: Reply, op: &Op, request_id: &str) -> Response {
    match reply {
        Reply::Json(status, v) => json_response(status.unwrap_or(op.success_status), &v, request_id),
        Reply::Empty(status) => {
            let mut resp = Response::new(Body::empty());
            *resp.status_mut() = StatusCode::from_u16(status.unwrap_or(op.success_status)).unwrap_or(StatusCode::OK);
            if let Ok(v) = HeaderValue::from_str(request_id) {
                resp.headers_mut().insert(REQUEST_ID_HEADER, v);
            }
            resp
        }
        Reply::Bytes(ct, data) => {
            let mut resp = Response::new(Body::from(data));
            *resp.status_mut() = StatusCode::from_u16(op.success_status).unwrap_or(StatusCode::OK);
            resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            if let Ok(v) = HeaderValue::from_str(request_id) {
                resp.headers_mut().insert(REQUEST_ID_HEADER, v);
            }
            resp
        }
    }
}

// ------------------------------------------------------------------ admin API

async fn admin(State(inner): State<Arc<Inner>>, req: Request) -> Response {
    let rid = inner.request_id(&req);
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(url_decode_pairs).unwrap_or_default();
    let body = axum::body::to_bytes(req.into_body(), 1 << 20).await.unwrap_or_default();
    let ok = |v: Value| json_response(200, &v, &rid);
    match (method.as_str(), path.as_str()) {
        ("POST", "/_emulator/faults") => match serde_json::from_slice::<Fault>(&body) {
            Ok(f) => {
                if let Some(op) = &f.operation_id {
                    if spec::spec().op(op).is_none() {
                        return error_response(400, "", &format!("unknown operation_id {op:?}"), &rid);
                    }
                }
                inner.add_fault(f);
                ok(json!({"ok": true}))
            }
            Err(e) => error_response(400, "", &format!("invalid fault: {e}"), &rid),
        },
        ("DELETE", "/_emulator/faults") => {
            inner.clear_faults();
            ok(json!({"ok": true}))
        }
        ("GET", "/_emulator/requests") => match query.iter().find(|(k, _)| k == "operation_id") {
            Some((_, op)) => ok(json!({"count": inner.request_count(op)})),
            None => {
                let s = spec::spec();
                let mut m = serde_json::Map::new();
                for o in &s.ops {
                    let c = inner.counts[o.index].load(Ordering::Relaxed);
                    if c > 0 {
                        m.insert(o.operation_id.clone(), json!(c));
                    }
                }
                ok(json!({"counts": m}))
            }
        },
        ("POST", "/_emulator/organizations") => {
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            match v.get("name").and_then(|n| n.as_str()).filter(|n| !n.is_empty()) {
                Some(name) => {
                    let org = inner.add_organization(name);
                    inner.changed();
                    json_response(201, &org, &rid)
                }
                None => error_response(400, "", "expected a JSON object with a non-empty \"name\"", &rid),
            }
        }
        ("POST", "/_emulator/fixtures") => match serde_json::from_slice::<Value>(&body) {
            Ok(fixture) => match crate::fixtures::seed(&inner, &fixture) {
                Ok(seeded) => json_response(201, &seeded, &rid),
                Err(m) => error_response(400, "invalid_fixture", &m, &rid),
            },
            Err(e) => error_response(400, "invalid_fixture", &format!("$: not JSON: {e}"), &rid),
        },
        ("POST", "/_emulator/reset") => {
            inner.reset();
            inner.changed();
            ok(json!({"ok": true}))
        }
        ("GET", "/_emulator/clock") => ok(clock_json(&inner.clock)),
        ("DELETE", "/_emulator/clock") => {
            inner.clock.real();
            ok(clock_json(&inner.clock))
        }
        ("POST", "/_emulator/clock") => {
            let v = match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(m)) => m,
                _ => return error_response(400, "", "expected a JSON object with \"now\" or \"advance_seconds\"", &rid),
            };
            if let Some(k) = v.keys().find(|k| !matches!(k.as_str(), "now" | "advance_seconds")) {
                return error_response(400, "", &format!("{k}: unknown field (give \"now\" or \"advance_seconds\")"), &rid);
            }
            match (v.get("now"), v.get("advance_seconds")) {
                (Some(_), Some(_)) => error_response(400, "", "now, advance_seconds: give one of them, not both", &rid),
                (Some(Value::String(s)), None) => match crate::clock::parse_instant("now", s) {
                    Ok(t) => {
                        inner.clock.set(t);
                        ok(clock_json(&inner.clock))
                    }
                    Err(m) => error_response(400, "", &m, &rid),
                },
                (Some(other), None) => error_response(400, "", &format!("now: expected an RFC 3339 date-time string, got {other}"), &rid),
                (None, Some(n)) => match n
                    .as_f64()
                    .ok_or_else(|| format!("advance_seconds: expected a number of seconds, got {n}"))
                    .and_then(|f| crate::clock::parse_advance("advance_seconds", f))
                {
                    Ok(d) => {
                        inner.clock.advance(d);
                        ok(clock_json(&inner.clock))
                    }
                    Err(m) => error_response(400, "", &m, &rid),
                },
                (None, None) => error_response(400, "", "now, advance_seconds: give one of them", &rid),
            }
        }
        ("GET", "/_emulator/config") => {
            let c = inner.dyn_cfg();
            ok(config_json(&c))
        }
        ("PATCH", "/_emulator/config") | ("POST", "/_emulator/config") => {
            let v: Value = match serde_json::from_slice(&body) {
                Ok(v @ Value::Object(_)) => v,
                _ => return error_response(400, "", "expected a JSON object", &rid),
            };
            let mut c = inner.dynamic.write().unwrap_or_else(|e| e.into_inner());
            if let Some(ms) = v.get("operation_duration_ms").and_then(|x| x.as_u64()) {
                c.operation_duration = Duration::from_millis(ms);
            }
            if let Some(b) = v.get("locking").and_then(|x| x.as_bool()) {
                c.locking = b;
            }
            if let Some(b) = v.get("rate_limits").and_then(|x| x.as_bool()) {
                c.rate_limits = b;
            }
            if let Some(ms) = v.get("latency_ms").and_then(|x| x.as_u64()) {
                c.latency = Duration::from_millis(ms);
            }
            let rate = |k: &str| v.get(k).and_then(|x| x.as_f64());
            if let Some(r) = rate("rate_429") {
                c.fault_rates.status_429 = r;
            }
            if let Some(r) = rate("rate_500") {
                c.fault_rates.status_500 = r;
            }
            if let Some(r) = rate("rate_503") {
                c.fault_rates.status_503 = r;
            }
            if let Some(r) = rate("drop_rate") {
                c.fault_rates.drop_connection = r;
            }
            if let Some(r) = rate("truncate_rate") {
                c.fault_rates.truncate_body = r;
            }
            let out = config_json(&c);
            drop(c);
            ok(out)
        }
        _ => error_response(404, "", "unknown admin endpoint", &rid),
    }
}

/// Where presigned bucket URLs point: `PUT` uploads an object, `GET` downloads it.
async fn storage(State(inner): State<Arc<Inner>>, req: Request) -> Response {
    let rid = inner.request_id(&req);
    let method = req.method().clone();
    let path = req.uri().path().trim_start_matches("/_emulator/storage/").to_string();
    let parts: Vec<String> = path.splitn(4, '/').map(decode_component).collect();
    if parts.len() != 4 {
        return error_response(404, "", "no such object", &rid);
    }
    let body = match axum::body::to_bytes(req.into_body(), 64 * 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => return error_response(400, "", "could not read body", &rid),
    };
    let mut st = inner.store();
    let key = format!("{}/{}", parts[0], parts[1]);
    let Some(bucket) = st.buckets.get_mut(&key).and_then(|bs| bs.iter_mut().find(|b| b.name == parts[2])) else {
        return error_response(404, "", "no such bucket", &rid);
    };
    if method == Method::PUT {
        bucket.objects.insert(parts[3].clone(), (body.to_vec(), inner.clock.now()));
        drop(st);
        inner.changed();
        let mut r = Response::new(Body::empty());
        r.headers_mut().insert(header::ETAG, HeaderValue::from_static("\"emulated\""));
        return r;
    }
    match bucket.objects.get(&parts[3]) {
        Some((data, _)) => {
            let mut r = Response::new(Body::from(data.clone()));
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
            r
        }
        None => error_response(404, "", "no such object", &rid),
    }
}

/// What `/_emulator/clock` answers: the clock's time and whether it is the real one.
pub fn clock_json(c: &crate::clock::Clock) -> Value {
    json!({"now": crate::util::rfc3339_millis(c.now()), "real": c.is_real()})
}

fn config_json(c: &Dyn) -> Value {
    json!({
        "operation_duration_ms": c.operation_duration.as_millis() as u64,
        "locking": c.locking,
        "rate_limits": c.rate_limits,
        "latency_ms": c.latency.as_millis() as u64,
        "rate_429": c.fault_rates.status_429,
        "rate_500": c.fault_rates.status_500,
        "rate_503": c.fault_rates.status_503,
        "drop_rate": c.fault_rates.drop_connection,
        "truncate_rate": c.fault_rates.truncate_body,
    })
}

// ------------------------------------------------------------------ router

fn axum_path(path: &str) -> String {
    let mut i = 0;
    let segs: Vec<String> = path
        .split('/')
        .map(|s| {
            if s.starts_with('{') {
                let r = format!("{{p{i}}}");
                i += 1;
                r
            } else {
                s.to_string()
            }
        })
        .collect();
    format!("/api/v2{}", segs.join("/"))
}

pub fn router(inner: Arc<Inner>) -> Router {
    let s = spec::spec();
    let mut by_path: Vec<(String, Vec<&'static Op>)> = Vec::new();
    for op in &s.ops {
        let p = axum_path(&op.path);
        match by_path.iter_mut().find(|(x, _)| *x == p) {
            Some((_, v)) => v.push(op),
            None => by_path.push((p, vec![op])),
        }
    }
    let mut router: Router<Arc<Inner>> = Router::new();
    for (p, ops) in by_path {
        let mut mr: Option<axum::routing::MethodRouter<Arc<Inner>>> = None;
        for op in ops {
            let method = Method::from_bytes(op.method.as_bytes()).expect("method");
            let filter = MethodFilter::try_from(method).expect("filter");
            let h = move |State(inner): State<Arc<Inner>>, req: Request| dispatch(inner, op, req);
            mr = Some(match mr {
                None => on(filter, h),
                Some(m) => m.on(filter, h),
            });
        }
        let mr = mr.unwrap().fallback(|State(inner): State<Arc<Inner>>, req: Request| async move {
            let rid = inner.request_id(&req);
            error_response(405, "", "method not allowed", &rid)
        });
        router = router.route(&p, mr);
    }
    router = router
        .route("/_emulator/faults", on(MethodFilter::POST.or(MethodFilter::DELETE), admin))
        .route("/_emulator/requests", on(MethodFilter::GET, admin))
        .route("/_emulator/reset", on(MethodFilter::POST, admin))
        .route("/_emulator/fixtures", on(MethodFilter::POST, admin))
        .route("/_emulator/organizations", on(MethodFilter::POST, admin))
        .route("/_emulator/storage/{*rest}", on(MethodFilter::PUT.or(MethodFilter::GET), storage))
        .route("/_emulator/clock", on(MethodFilter::GET.or(MethodFilter::POST).or(MethodFilter::DELETE), admin))
        .route("/_emulator/config", on(MethodFilter::GET.or(MethodFilter::PATCH).or(MethodFilter::POST), admin))
        .fallback(|State(inner): State<Arc<Inner>>, req: Request| async move {
            let rid = inner.request_id(&req);
            error_response(404, "", &format!("no route for {} {}", req.method(), req.uri().path()), &rid)
        });
    router.with_state(inner)
}

// ------------------------------------------------------------------ serving

pub struct ServerHandle {
    pub port: u16,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl ServerHandle {
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }
    pub fn stop_now(self) {
        let _ = self.shutdown.send(true);
        self.task.abort();
    }
}

pub async fn serve(inner: Arc<Inner>, port: u16, idle_timeout: Option<Duration>) -> std::io::Result<ServerHandle> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let port = listener.local_addr()?.port();
    let app = router(inner);
    let (tx, rx) = watch::channel(false);
    let mut shutdown = rx.clone();
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                r = listener.accept() => {
                    let Ok((stream, _)) = r else {
                        // e.g. too many open files: back off a little and keep serving
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(serve_connection(stream, app.clone(), rx.clone(), idle_timeout));
                }
                _ = shutdown.changed() => break,
            }
        }
    });
    Ok(ServerHandle { port, shutdown: tx, task })
}

/// When a connection last finished a request (or opened), and how many it is serving.
struct Activity {
    in_flight: std::sync::atomic::AtomicUsize,
    last: Mutex<Instant>,
}

async fn serve_connection(stream: tokio::net::TcpStream, app: Router, mut shutdown: watch::Receiver<bool>, idle_timeout: Option<Duration>) {
    let kill = Arc::new(Notify::new());
    let kill2 = kill.clone();
    let activity = Arc::new(Activity { in_flight: Default::default(), last: Mutex::new(Instant::now()) });
    let activity2 = activity.clone();
    let svc = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let mut app = app.clone();
        let kill = kill2.clone();
        let activity = activity2.clone();
        async move {
            activity.in_flight.fetch_add(1, Ordering::SeqCst);
            let req = req.map(Body::new);
            let resp: Response = match tower::Service::call(&mut app, req).await {
                Ok(r) => r,
                Err(e) => match e {},
            };
            *lock(&activity.last) = Instant::now();
            activity.in_flight.fetch_sub(1, Ordering::SeqCst);
            if resp.extensions().get::<DropMarker>().is_some() {
                kill.notify_one();
                futures::future::pending::<()>().await;
            }
            Ok::<_, Infallible>(resp)
        }
    });
    let conn = hyper::server::conn::http1::Builder::new().keep_alive(true).serve_connection(hyper_util::rt::TokioIo::new(stream), svc);
    tokio::pin!(conn);
    loop {
        tokio::select! {
            // The connection first: a request that has arrived is read (and counted
            // in flight) before the idle check may close the socket under it. An
            // unbiased select closed connections holding an unread request, which
            // reset the client's POST, a race no client-side check can see.
            biased;
            _ = &mut conn => return,
            _ = kill.notified() => return,
            _ = shutdown.changed() => return,
            // Dropping the connection closes the socket, as a load balancer would.
            _ = tokio::time::sleep(Duration::from_millis(10)), if idle_timeout.is_some() => {
                let idle = idle_timeout.unwrap_or_default();
                if activity.in_flight.load(Ordering::SeqCst) == 0 && lock(&activity.last).elapsed() >= idle {
                    return;
                }
            }
        }
    }
}
