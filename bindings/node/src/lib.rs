//! neonkit's Node binding: napi-rs conversions over the core's kernel
//! (`neonkit::kernel`) and the emulator handle. Everything else (option
//! checks, multipart rules, query names, cancellation, the panic guard) is
//! the core's; this file converts JS values and nothing more.
//!
//! A napi Promise can only reject with `GenericFailure`, so every neonkit
//! error crosses as one whose message is a marker followed by the error's
//! fields as JSON ([`to_napi`]); `node/lib/errors.js` rethrows it as the
//! `NeonError` subclass of its kind.

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt::Write;
use std::future::Future;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi::JsValue;
use napi_derive::napi;

use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use neonkit::events::{Event, EventKind, EventListener};
use neonkit::kernel::{self, Body, Output, Reply};
use neonkit::{CallOptions, ClientOptions, Convention, Error, ErrorKind, OptionValue};

/// What starts the message of every error that carries neonkit's fields.
const MARKER: &str = "\u{1}neonkit:";

/// V8's longest string: a JSON body longer than this cannot be handed over as text.
const MAX_JS_STRING: usize = 0x1fff_ffe8;

/// The one way a neonkit error crosses into JS.
fn to_napi(e: Error) -> napi::Error {
    let fields = serde_json::json!({
        "kind": e.kind().as_str(),
        "status": e.status(),
        "code": e.code(),
        "message": e.to_string(),
        "requestId": e.request_id(),
        "operation": e.operation(),
        "retryAfterMs": e.retry_after().map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        "pendingOperations": e.pending_operations(),
        "retryable": e.is_retryable(),
        "accepted": e.is_accepted(),
    });
    napi::Error::new(Status::GenericFailure, format!("{MARKER}{fields}"))
}

/// A settled Promise for a call run by the kernel on the shared runtime.
fn promise<'env, T, F>(env: &'env Env, cancel: Option<&CancelToken>, fut: F) -> Result<Object<'env>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = neonkit::Result<T>> + Send + 'static,
{
    let (deferred, promise) = env.create_deferred()?;
    let done = move |r: neonkit::Result<T>| match r {
        Ok(v) => deferred.resolve(move |_| Ok(v)),
        Err(e) => deferred.reject(to_napi(e)),
    };
    kernel::spawn(fut, cancel.map(|c| c.0.clone()), done).map_err(to_napi)?;
    Ok(promise)
}

/// A call run to its end on this thread (the JS thread of `env`: its events are
/// handed to JS at once, while the call runs).
fn here<T>(env: &Env, fut: impl Future<Output = neonkit::Result<T>>) -> Result<T> {
    struct Restore(napi::sys::napi_env);
    impl Drop for Restore {
        fn drop(&mut self) {
            JS_THREAD_ENV.with(|e| e.set(self.0));
        }
    }
    let _restore = Restore(JS_THREAD_ENV.with(|e| e.replace(env.raw())));
    kernel::run_here(fut).map_err(to_napi)
}

// ---------------------------------------------------------------- events

thread_local! {
    /// The env of the JS thread while it runs a `…Sync` call (null otherwise).
    static JS_THREAD_ENV: Cell<napi::sys::napi_env> = const { Cell::new(std::ptr::null_mut()) };
}

/// One thing a client did, as the JS layer's sink receives it (`node/lib/events.js`).
#[napi(object, object_from_js = false)]
pub struct NativeEvent {
    pub kind: &'static str,
    /// `debug`, or `info` for retries.
    pub level: &'static str,
    /// The log line, the same in every language.
    pub message: String,
    pub operation: &'static str,
    pub method: &'static str,
    /// The path template (`/projects/{project_id}`).
    pub path: &'static str,
    pub attempt: u32,
    pub max_attempts: u32,
    pub status: Option<u32>,
    /// `connect`, `timeout` or `connection` when no answer came.
    pub error: Option<&'static str>,
    pub request_id: Option<String>,
    pub duration_ms: Option<f64>,
    pub delay_ms: Option<f64>,
    pub operation_ids: Vec<String>,
    pub pending: u32,
    pub total: u32,
}

impl NativeEvent {
    fn new(e: &Event) -> NativeEvent {
        NativeEvent {
            kind: e.kind.as_str(),
            level: e.level().as_str(),
            message: e.message(),
            operation: e.operation,
            method: e.method,
            path: e.path,
            attempt: e.attempt,
            max_attempts: e.max_attempts,
            status: e.status.map(u32::from),
            error: e.error,
            request_id: e.request_id.clone(),
            duration_ms: e.duration.map(|d| d.as_secs_f64() * 1000.0),
            delay_ms: e.delay.map(|d| d.as_secs_f64() * 1000.0),
            operation_ids: e.operation_ids.clone(),
            pending: e.pending,
            total: e.total,
        }
    }
}

/// A threadsafe function that does not keep the process alive.
type EventTsfn = ThreadsafeFunction<NativeEvent, (), NativeEvent, Status, false, true>;

/// Hands a client's events (of the kinds the JS layer asked for) to its sink:
/// directly during a `…Sync` call on the JS thread, else queued to that thread
/// (a runtime thread runs async calls). No sink, no events: nothing is made.
struct JsListener {
    /// The env (as an address: compared, never used off its thread) of the JS thread that made it.
    env: usize,
    direct: FunctionRef<NativeEvent, ()>,
    queued: EventTsfn,
    wants: [bool; 4],
}

impl EventListener for JsListener {
    fn wants(&self, kind: EventKind) -> bool {
        EventKind::ALL.iter().position(|k| *k == kind).is_some_and(|i| self.wants[i])
    }

    fn on_event(&self, event: &Event) {
        let env = JS_THREAD_ENV.with(Cell::get);
        if !env.is_null() && env as usize == self.env {
            let env = Env::from_raw(env);
            // The sink catches what hooks and loggers throw; anything else is dropped here.
            let _ = self.direct.borrow_back(&env).and_then(|f| f.call(NativeEvent::new(event)));
        } else {
            self.queued.call(NativeEvent::new(event), ThreadsafeFunctionCallMode::NonBlocking);
        }
    }
}

fn listener(env: &Env, sink: Option<Function<'_, NativeEvent, ()>>, kinds: Vec<String>) -> Result<Option<Arc<dyn EventListener>>> {
    let Some(sink) = sink else { return Ok(None) };
    let mut wants = [false; 4];
    for k in &kinds {
        let i = EventKind::ALL
            .iter()
            .position(|e| e.as_str() == k)
            .ok_or_else(|| napi::Error::new(Status::InvalidArg, format!("no event kind {k:?}")))?;
        wants[i] = true;
    }
    if !wants.contains(&true) {
        return Ok(None);
    }
    let queued: EventTsfn = sink.build_threadsafe_function().callee_handled::<false>().weak::<true>().build()?;
    Ok(Some(Arc::new(JsListener { env: env.raw() as usize, direct: sink.create_ref()?, queued, wants })))
}

/// The text logged when a hook throws (one wording in every language).
#[napi]
pub fn hook_failed_message(hook: String, error: String) -> String {
    neonkit::events::hook_failed_message(&hook, &error)
}

/// A JS options object as the core's option values (undefined and null are left out).
fn option_values(options: Option<Object<'_>>) -> Result<Vec<(String, OptionValue)>> {
    let mut out = Vec::new();
    if let Some(obj) = options {
        for key in Object::keys(&obj)? {
            if let Some(v) = option_value(obj.get_named_property::<Unknown>(&key)?)? {
                out.push((key, v));
            }
        }
    }
    Ok(out)
}

fn option_value(v: Unknown) -> Result<Option<OptionValue>> {
    // SAFETY: each cast is to the type `get_type` reported.
    Ok(Some(match v.get_type()? {
        ValueType::Undefined | ValueType::Null => return Ok(None),
        ValueType::Boolean => OptionValue::Bool(unsafe { v.cast::<bool>() }?),
        ValueType::String => OptionValue::Text(unsafe { v.cast::<String>() }?),
        ValueType::Number => match unsafe { v.cast::<f64>() }? {
            x if x.fract() == 0.0 && x.abs() <= 9_007_199_254_740_992.0 => OptionValue::Int(x as i64),
            x => OptionValue::Float(x),
        },
        ValueType::Object if v.is_array()? => OptionValue::Other("array".into()),
        // SAFETY: as above; a map with a value that is not a string fails the cast.
        ValueType::Object => {
            unsafe { v.cast::<HashMap<String, String>>() }.map_or_else(|_| OptionValue::Other("object".into()), Into::into)
        }
        other => OptionValue::Other(format!("{other:?}").to_lowercase()),
    }))
}

fn pairs(flat: Vec<String>) -> Vec<(String, String)> {
    let mut it = flat.into_iter();
    std::iter::from_fn(|| Some((it.next()?, it.next()?))).collect()
}

/// Cancels the call it is given to (the JS layer makes one per `AbortSignal`).
#[napi]
pub struct CancelToken(kernel::CancelToken);

#[napi]
impl CancelToken {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        CancelToken(kernel::CancelToken::new())
    }

    #[napi]
    pub fn cancel(&self) {
        self.0.cancel();
    }
}

/// One part of a multipart body (the kernel fills in a missing file name and content type).
#[napi(object)]
pub struct NativePart {
    pub name: String,
    pub text: Option<String>,
    pub data: Option<Buffer>,
    pub filename: Option<String>,
    pub content_type: Option<String>,
}

/// A request body: JSON text, or the parts of a multipart body.
type JsBody = Option<Either<String, Vec<NativePart>>>;

/// One raw call (`client.request`): any method and path through the same pipeline.
#[napi(object)]
pub struct NativeRequest {
    pub method: String,
    pub path: String,
    pub query: Vec<String>,
    pub body: Option<String>,
}

/// What a wait waits for: operations given as JSON, or else the `ids` of `project_id`.
#[napi(object)]
pub struct NativeWait {
    pub operations_json: Option<String>,
    pub project_id: Option<String>,
    pub ids: Option<Vec<String>>,
}

/// A finished call as JS gets it: `[body, meta]`, the body JSON text (a Buffer for downloads and raw
/// calls), the meta `status\nrequest id\n` then `name\nvalue\n` for each header (names in lower case, in
/// the order received). Two plain values: no class instance or object per call.
type Out = (Either<JsonText, Buffer>, String);

/// A JSON body (or `""`) on its way to JS as a string, for `JSON.parse` in `node/lib/core.js`. An
/// ASCII body (the usual case) becomes an external one-byte string over these very bytes, so V8 neither decodes nor copies it nor
/// allocates a large string per response; they are freed when V8 collects the string. Anything else,
/// or a Node without `node_api_create_external_string_latin1`, is copied in as UTF-8 (invalid
/// sequences become U+FFFD). Measured against both copies in bench/NOTES.md.
pub struct JsonText {
    body: bytes::Bytes,
    ascii: bool,
}

impl JsonText {
    fn new(body: bytes::Bytes) -> JsonText {
        JsonText { ascii: body.is_ascii(), body }
    }
}

/// Bodies shorter than this are copied: for a small body (getProject's 2 KB) an external string's
/// finalizer costs more than the copy (getProject ×64 lost about a quarter of its rate).
const MIN_EXTERNAL: usize = 64 * 1024;

type ExternalLatin1 = unsafe extern "C" fn(
    napi::sys::napi_env,
    *const std::os::raw::c_char,
    isize,
    napi::sys::napi_finalize,
    *mut std::ffi::c_void,
    *mut napi::sys::napi_value,
    *mut bool,
) -> napi::sys::napi_status;

/// `node_api_create_external_string_latin1` when this Node has it (20.4 and later), looked up once.
fn external_latin1() -> Option<ExternalLatin1> {
    static F: std::sync::OnceLock<Option<ExternalLatin1>> = std::sync::OnceLock::new();
    *F.get_or_init(|| {
        #[cfg(unix)]
        {
            // SAFETY: dlsym with a NUL-terminated name; a found symbol is Node's function of that signature.
            let p = unsafe { libc::dlsym(libc::RTLD_DEFAULT, c"node_api_create_external_string_latin1".as_ptr()) };
            (!p.is_null()).then(|| unsafe { std::mem::transmute::<*mut libc::c_void, ExternalLatin1>(p) })
        }
        #[cfg(not(unix))]
        None
    })
}

unsafe extern "C" fn drop_body(_env: napi::sys::napi_env, _data: *mut std::ffi::c_void, hint: *mut std::ffi::c_void) {
    // SAFETY: `hint` is the Box made in `to_napi_value`, given to exactly one finalizer.
    drop(unsafe { Box::from_raw(hint.cast::<bytes::Bytes>()) });
}

impl ToNapiValue for JsonText {
    unsafe fn to_napi_value(env: napi::sys::napi_env, val: Self) -> Result<napi::sys::napi_value> {
        let mut out = std::ptr::null_mut();
        let len = val.body.len() as isize;
        let failed = || napi::Error::new(Status::GenericFailure, "could not hand the response body to JavaScript");
        if val.ascii && val.body.len() >= MIN_EXTERNAL {
            if let Some(create) = external_latin1() {
                let ptr = val.body.as_ptr().cast();
                let hint = Box::into_raw(Box::new(val.body));
                let mut copied = false;
                // SAFETY: the bytes stay in `hint` until V8 calls `drop_body` (already called when it copied them).
                let status = unsafe { create(env, ptr, len, Some(drop_body), hint.cast(), &mut out, &mut copied) };
                if status == napi::sys::Status::napi_ok {
                    return Ok(out);
                }
                // SAFETY: on failure no finalizer was registered or run: the Box is still ours.
                drop(unsafe { Box::from_raw(hint) });
                return Err(failed());
            }
        }
        // SAFETY: the pointer and length describe `val.body`, alive for the call; V8 copies the text.
        let status = unsafe { napi::sys::napi_create_string_utf8(env, val.body.as_ptr().cast(), len, &mut out) };
        if status != napi::sys::Status::napi_ok {
            return Err(failed());
        }
        Ok(out)
    }
}

fn out(r: Reply) -> neonkit::Result<Out> {
    let mut meta = String::with_capacity(r.headers.iter().map(|(k, v)| k.len() + v.len() + 2).sum::<usize>() + 64);
    let _ = write!(meta, "{}\n{}\n", r.status, r.request_id.as_deref().unwrap_or(""));
    for (k, v) in &r.headers {
        meta.extend([k.as_str(), "\n", v.as_str(), "\n"]);
    }
    let body = match r.output {
        Output::Json(b) if b.len() > MAX_JS_STRING => {
            let message = format!("the response body ({} bytes) is longer than a JavaScript string can be", b.len());
            return Err(Error::new(ErrorKind::Decode, message));
        }
        Output::Json(b) => Either::A(JsonText::new(b)),
        Output::Bytes(b) => Either::B(Vec::from(b).into()),
        Output::Empty => Either::A(JsonText::new(bytes::Bytes::new())),
    };
    Ok((body, meta))
}

#[napi]
pub struct NativeClient(neonkit::Client);

impl NativeClient {
    fn call_future(
        &self,
        op: u32,
        path: Vec<String>,
        query: Vec<String>,
        body: JsBody,
        wait: Option<bool>,
    ) -> Result<impl Future<Output = neonkit::Result<Out>> + Send + 'static> {
        let op = neonkit::operations::OPERATIONS.get(op as usize).copied();
        let op = op.ok_or_else(|| to_napi(Error::new(ErrorKind::InvalidArgument, "no such operation")))?;
        let client = wait.map_or_else(|| self.0.clone(), |w| self.0.with_wait(w));
        let body = match body {
            None => Body::None,
            Some(Either::A(json)) => Body::Json(json.into()),
            Some(Either::B(parts)) => Body::Parts(parts.into_iter().map(part).collect()),
        };
        Ok(async move { out(client.call_op(op, path, pairs(query), body).await?) })
    }

    fn request_future(&self, r: NativeRequest) -> impl Future<Output = neonkit::Result<Out>> + Send + 'static {
        let client = self.0.clone();
        async move { out(client.request_by_name(&r.method, &r.path, pairs(r.query), r.body.map(Into::into)).await?) }
    }

    /// A workflow of `spec/workflows.yaml` (`Client::workflow`): its arguments and its result as JSON text.
    fn workflow_future(&self, id: String, args: String) -> impl Future<Output = neonkit::Result<JsonText>> + Send + 'static {
        let client = self.0.clone();
        async move { Ok(JsonText::new(client.workflow(&id, args.into()).await?)) }
    }

    fn wait_future(&self, w: NativeWait) -> impl Future<Output = neonkit::Result<String>> + Send + 'static {
        let client = self.0.clone();
        async move {
            let done = match w.operations_json {
                Some(json) => {
                    let ops: Vec<neonkit::models::Operation> = serde_json::from_str(&json)
                        .map_err(|e| Error::new(ErrorKind::InvalidArgument, format!("not a list of operations: {e}")))?;
                    client.wait_for_operations(&ops).await?
                }
                None => client.wait_for_operation_ids(&w.project_id.unwrap_or_default(), &w.ids.unwrap_or_default()).await?,
            };
            serde_json::to_string(&done).map_err(|e| Error::new(ErrorKind::Decode, e.to_string()))
        }
    }
}

fn part(p: NativePart) -> kernel::PartInput {
    match p.data {
        Some(data) => kernel::PartInput::file(p.name, Vec::from(data), p.filename, p.content_type),
        None => kernel::PartInput::text(p.name, p.text.unwrap_or_default()),
    }
}

#[napi]
impl NativeClient {
    /// A client from the JS options object, checked (and worded) by the core; `sink`
    /// receives the events of the `kinds` given (none made without it).
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: &Env,
        options: Option<Object<'_>>,
        sink: Option<Function<'_, NativeEvent, ()>>,
        kinds: Option<Vec<String>>,
    ) -> Result<Self> {
        let mut o = ClientOptions::from_values(Convention::Camel, option_values(options)?).map_err(to_napi)?;
        o.user_agent_suffix = Some("node".into());
        o.listener = listener(env, sink, kinds.unwrap_or_default())?;
        Ok(NativeClient(o.builder().and_then(|b| b.build()).map_err(to_napi)?))
    }

    /// A client sharing this one's connections whose every call uses these options.
    #[napi(catch_unwind)]
    pub fn with_options(&self, options: Option<Object<'_>>) -> Result<NativeClient> {
        let o = CallOptions::from_values(Convention::Camel, option_values(options)?).map_err(to_napi)?;
        Ok(NativeClient(self.0.with_options(&o).map_err(to_napi)?))
    }

    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.0.base_url().to_string()
    }

    /// Calls the operation at that index of `operationIds()`; `wait` overrides the client's.
    #[allow(clippy::too_many_arguments)]
    #[napi(catch_unwind, ts_return_type = "Promise<[string | Buffer, string]>")]
    pub fn call<'env>(
        &self,
        env: &'env Env,
        op: u32,
        path: Vec<String>,
        query: Vec<String>,
        body: JsBody,
        wait: Option<bool>,
        cancel: Option<&CancelToken>,
    ) -> Result<Object<'env>> {
        promise(env, cancel, self.call_future(op, path, query, body, wait)?)
    }

    #[napi(catch_unwind)]
    pub fn call_sync(&self, env: &Env, op: u32, path: Vec<String>, query: Vec<String>, body: JsBody, wait: Option<bool>) -> Result<Out> {
        here(env, self.call_future(op, path, query, body, wait)?)
    }

    #[napi(catch_unwind, ts_return_type = "Promise<[Buffer, string]>")]
    pub fn request<'env>(&self, env: &'env Env, request: NativeRequest, cancel: Option<&CancelToken>) -> Result<Object<'env>> {
        promise(env, cancel, self.request_future(request))
    }

    #[napi(catch_unwind)]
    pub fn request_sync(&self, env: &Env, request: NativeRequest) -> Result<Out> {
        here(env, self.request_future(request))
    }

    /// A pager over a paginated operation, by operationId (`body`: JSON text, when the cursor travels in the body).
    #[napi(catch_unwind)]
    pub fn pager(&self, op: String, path: Vec<String>, query: Vec<String>, body: Option<String>) -> Result<NativePager> {
        let body = body.map_or(Body::None, |json| Body::Json(json.into()));
        let pager = self.0.pager_by_id(&op, path, pairs(query), body).map_err(to_napi)?;
        Ok(NativePager(Arc::new(tokio::sync::Mutex::new(pager))))
    }

    /// Runs a workflow by its id with its arguments (a JSON object); resolves with its result as JSON text.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn workflow<'env>(&self, env: &'env Env, id: String, args: String, cancel: Option<&CancelToken>) -> Result<Object<'env>> {
        promise(env, cancel, self.workflow_future(id, args))
    }

    #[napi(catch_unwind, ts_return_type = "string")]
    pub fn workflow_sync(&self, env: &Env, id: String, args: String) -> Result<JsonText> {
        here(env, self.workflow_future(id, args))
    }

    /// Resolves with the operations waited for, final, as JSON.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn wait<'env>(&self, env: &'env Env, what: NativeWait, cancel: Option<&CancelToken>) -> Result<Object<'env>> {
        promise(env, cancel, self.wait_future(what))
    }

    #[napi(catch_unwind)]
    pub fn wait_sync(&self, env: &Env, what: NativeWait) -> Result<String> {
        here(env, self.wait_future(what))
    }
}

/// Walks the pages of one paginated call.
#[napi]
pub struct NativePager(Arc<tokio::sync::Mutex<neonkit::Pager>>);

async fn next_page(pager: Arc<tokio::sync::Mutex<neonkit::Pager>>) -> neonkit::Result<Option<String>> {
    let page = pager.lock().await.next_page().await?;
    page.map(|items| serde_json::to_string(&items).map_err(|e| Error::new(ErrorKind::Decode, e.to_string()))).transpose()
}

#[napi]
impl NativePager {
    /// Resolves with the next page's items as a JSON array, or null after the last page.
    #[napi(catch_unwind, ts_return_type = "Promise<string | null>")]
    pub fn next_page<'env>(&self, env: &'env Env, cancel: Option<&CancelToken>) -> Result<Object<'env>> {
        promise(env, cancel, next_page(self.0.clone()))
    }

    #[napi(catch_unwind)]
    pub fn next_page_sync(&self, env: &Env) -> Result<Option<String>> {
        here(env, next_page(self.0.clone()))
    }
}

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

/// Panics inside the binding, to prove that a panic becomes an error (tests only).
#[napi(ts_return_type = "Promise<void> | void")]
pub fn test_panic(env: &Env, asynchronous: bool) -> Result<Option<Object<'_>>> {
    if asynchronous {
        return promise(env, None, async { panic!("test panic (async)") as neonkit::Result<()> }).map(Some);
    }
    here(env, async { panic!("test panic (sync)") as neonkit::Result<()> }).map(|()| None)
}

/// The in-process emulator of `neonkit/testing` (feature `emulator`, on by default).
#[cfg(feature = "emulator")]
pub mod emulator {
    use super::*;
    use neonkit_emulator::handle::{self, EmulatorHandle};

    /// A running emulator, on 127.0.0.1, served by the shared runtime.
    #[napi]
    pub struct NativeEmulator(EmulatorHandle);

    #[napi]
    impl NativeEmulator {
        /// `http://127.0.0.1:PORT/api/v2`
        #[napi(getter)]
        pub fn base_url(&self) -> String {
            self.0.base_url().to_string()
        }

        #[napi(getter)]
        pub fn api_key(&self) -> String {
            self.0.api_key().to_string()
        }

        #[napi(getter)]
        pub fn port(&self) -> u32 {
            self.0.port().into()
        }

        /// Adds a fault (the JSON of the admin API's `POST /_emulator/faults`).
        #[napi(catch_unwind)]
        pub fn add_fault(&self, fault_json: String) -> Result<()> {
            self.0.add_fault_json(&fault_json).map_err(to_napi)
        }

        /// Seeds a fixture (the JSON of `POST /_emulator/fixtures`); returns the ids it gave, as JSON.
        #[napi(catch_unwind)]
        pub fn seed(&self, fixture_json: String) -> Result<String> {
            let seeded = self.0.seed_json(&fixture_json).map_err(to_napi)?;
            serde_json::to_string(&seeded).map_err(|e| napi::Error::from_reason(e.to_string()))
        }

        #[napi(catch_unwind)]
        pub fn clear_faults(&self) -> Result<()> {
            self.0.clear_faults().map_err(to_napi)
        }

        /// Changes what can change while it runs (`operationDurationMs`, `locking`, `rateLimits`, `latencyMs`).
        #[napi(catch_unwind)]
        pub fn configure(&self, options: Option<Object<'_>>) -> Result<()> {
            self.0.configure(Convention::Camel, option_values(options)?).map_err(to_napi)
        }

        /// Empties all state (projects, faults, counters); the clock goes back to the real time.
        #[napi(catch_unwind)]
        pub fn reset(&self) -> Result<()> {
            self.0.reset().map_err(to_napi)
        }

        /// Sets the emulator's clock to an RFC 3339 instant; answers the clock's time (RFC 3339).
        #[napi(catch_unwind)]
        pub fn set_clock(&self, rfc3339: String) -> Result<String> {
            self.0.set_clock(&rfc3339).map_err(to_napi)
        }

        /// Moves the emulator's clock forward by `seconds`; answers the clock's time.
        #[napi(catch_unwind)]
        pub fn advance_clock(&self, seconds: f64) -> Result<String> {
            self.0.advance_clock(seconds).map_err(to_napi)
        }

        /// Puts the emulator's clock back on the real time; answers the clock's time.
        #[napi(catch_unwind)]
        pub fn real_clock(&self) -> Result<String> {
            self.0.real_clock().map_err(to_napi)
        }

        /// The emulator's clock now (RFC 3339).
        #[napi(catch_unwind)]
        pub fn clock(&self) -> Result<String> {
            self.0.clock().map_err(to_napi)
        }

        /// Requests received for that operationId.
        #[napi(catch_unwind)]
        pub fn request_count(&self, operation_id: String) -> Result<f64> {
            self.0.request_count(&operation_id).map(|n| n as f64).map_err(to_napi)
        }

        /// Stops the server (idempotent).
        #[napi(catch_unwind)]
        pub fn stop(&self) {
            self.0.stop();
        }
    }

    /// Starts an emulator in this process; its options are checked by the core under their Node names.
    #[napi(catch_unwind, ts_return_type = "Promise<NativeEmulator>")]
    pub fn start_emulator<'env>(env: &'env Env, options: Option<Object<'env>>) -> Result<Object<'env>> {
        let config = handle::config(Convention::Camel, option_values(options)?).map_err(to_napi)?;
        promise(env, None, async move { EmulatorHandle::start(config).await.map(NativeEmulator) })
    }
}
