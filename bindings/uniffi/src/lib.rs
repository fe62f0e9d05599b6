//! neonkit for Kotlin and Swift, through uniffi: type conversion over the core's
//! kernel (`neonkit::kernel`), which calls operations by id, checks bodies, pages,
//! guards panics and runs calls on neonkit's shared runtime. `cargo xtask codegen`
//! writes the error enum and options records (`generated/vocabulary.rs`, from
//! spec/vocabulary.yaml) and the per-operation methods (`generated/api.rs`).
//! Async methods await the call on the shared runtime (`kernel::on_runtime`: no
//! second runtime, uniffi's `tokio` feature is off; a cancelled coroutine or task
//! aborts the call); `…Blocking` methods run it on the calling thread (`run_here`).

// `NeonError` is what every exported function returns across the FFI (a uniffi
// error with the same fields per kind); boxing it is not possible there.
#![allow(clippy::result_large_err)]

use std::convert::identity;
use std::future::Future;
use std::sync::Arc;

use neonkit::kernel::{self, Body, PartInput, Reply};
use neonkit::{Client, Convention};

uniffi::setup_scaffolding!("neonkit");

#[rustfmt::skip]
#[path = "generated/api.rs"]
mod api;
#[rustfmt::skip]
#[path = "generated/vocabulary.rs"]
mod vocabulary;
#[cfg(feature = "emulator")]
mod emulator;
mod events;

pub use api::*;
pub use events::*;
pub use vocabulary::*;

type Result<T> = std::result::Result<T, NeonError>;

/// Awaits a call on the shared runtime (dropping the future cancels it); `out` converts its result.
pub(crate) async fn run<R: Send + 'static, T>(
    fut: impl Future<Output = neonkit::Result<R>> + Send + 'static,
    out: fn(R) -> T,
) -> Result<T> {
    Ok(out(kernel::on_runtime(fut).await?))
}

/// Runs a call on the calling thread.
pub(crate) fn here<R, T>(fut: impl Future<Output = neonkit::Result<R>>, out: fn(R) -> T) -> Result<T> {
    Ok(out(kernel::run_here(fut)?))
}

/// A JSON response as text (empty for operations without a body).
pub(crate) fn text(r: Reply) -> String {
    String::from_utf8_lossy(r.body()).into_owned()
}

pub(crate) fn bytes(r: Reply) -> Vec<u8> {
    r.body().to_vec()
}

pub(crate) fn empty(_: Reply) {}

pub(crate) fn json_body(body: Option<String>) -> Body {
    body.map_or(Body::None, |t| Body::Json(t.into()))
}

pub(crate) fn parts_body(parts: Option<Vec<MultipartPart>>) -> Body {
    parts.map_or(Body::None, |p| Body::Parts(p.into_iter().map(PartInput::from).collect()))
}

fn pairs(query: Vec<QueryPair>) -> Vec<(String, String)> {
    query.into_iter().map(|p| (p.name, p.value)).collect()
}

/// The arguments of a workflow, by their names in spec/workflows.yaml: the JSON
/// object that `Client::workflow` takes (an absent one is the workflow's default).
pub(crate) struct WorkflowArgs {
    map: serde_json::Map<String, serde_json::Value>,
    /// The first argument that is not what its parameter takes.
    bad: Option<String>,
}

impl WorkflowArgs {
    pub(crate) fn new() -> WorkflowArgs {
        WorkflowArgs { map: serde_json::Map::new(), bad: None }
    }

    pub(crate) fn str(mut self, name: &str, value: Option<String>) -> WorkflowArgs {
        if let Some(v) = value {
            self.map.insert(name.to_string(), v.into());
        }
        self
    }

    pub(crate) fn bool(mut self, name: &str, value: Option<bool>) -> WorkflowArgs {
        if let Some(v) = value {
            self.map.insert(name.to_string(), v.into());
        }
        self
    }

    /// A schema-typed argument, as JSON text (as operation bodies travel). Text
    /// that does not parse is an invalid-argument error before any request; the
    /// message never quotes it (a body may hold a password).
    pub(crate) fn json(mut self, name: &str, value: Option<String>) -> WorkflowArgs {
        if let Some(text) = value {
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(v) => {
                    self.map.insert(name.to_string(), v);
                }
                Err(e) if self.bad.is_none() => {
                    self.bad = Some(format!("{} is not JSON text (line {}, column {})", lower_camel(name), e.line(), e.column()))
                }
                Err(_) => {}
            }
        }
        self
    }
}

/// A snake_case name as Kotlin and Swift spell it (`project_id` → `projectId`).
fn lower_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut up = false;
    for c in name.chars() {
        match c {
            '_' => up = !out.is_empty(),
            c if up => {
                out.extend(c.to_uppercase());
                up = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// Runs the workflow `id` of the core (`Client::workflow`) with these arguments;
/// `out` reads its JSON result. Both the async and the blocking methods of every
/// workflow run this future (through `run` and `here`, as operations do).
pub(crate) fn run_workflow<T: Send + 'static>(
    client: &Client,
    id: &'static str,
    args: WorkflowArgs,
    out: fn(&[u8]) -> neonkit::Result<T>,
) -> impl Future<Output = neonkit::Result<T>> + Send + 'static {
    let c = client.clone();
    async move {
        if let Some(bad) = args.bad {
            return Err(neonkit::Error::new(neonkit::ErrorKind::InvalidArgument, format!("workflow {id}: {bad}")));
        }
        let text = serde_json::to_string(&args.map).expect("a JSON map serializes");
        let result = c.workflow(id, text.into()).await?;
        out(&result)
    }
}

fn not_what_it_returns(what: &str) -> neonkit::Error {
    // The value is never quoted: it may be a connection string.
    neonkit::Error::new(neonkit::ErrorKind::Decode, format!("the workflow's result is not {what}"))
}

/// A workflow result that is a model: its JSON text (the typed views read it).
pub(crate) fn wf_json(b: &[u8]) -> neonkit::Result<String> {
    Ok(String::from_utf8_lossy(b).into_owned())
}

/// A workflow result that is a string (a JSON string in the core's answer).
pub(crate) fn wf_string(b: &[u8]) -> neonkit::Result<String> {
    serde_json::from_slice::<String>(b).map_err(|_| not_what_it_returns("a string"))
}

/// A workflow result that is a boolean (no workflow returns one yet).
#[allow(dead_code)]
pub(crate) fn wf_bool(b: &[u8]) -> neonkit::Result<bool> {
    serde_json::from_slice::<bool>(b).map_err(|_| not_what_it_returns("a boolean"))
}

/// A workflow that returns nothing (none does yet).
#[allow(dead_code)]
pub(crate) fn wf_unit(_: &[u8]) -> neonkit::Result<()> {
    Ok(())
}

/// One part of a `multipart/form-data` body: `text`, or a file's `bytes` (with
/// `filename`, else the part's name, and `contentType`, else `application/octet-stream`).
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

impl From<MultipartPart> for PartInput {
    fn from(p: MultipartPart) -> PartInput {
        PartInput { name: p.name, text: p.text, bytes: p.bytes.map(Into::into), filename: p.filename, content_type: p.content_type }
    }
}

/// A query parameter of `call` and `request` (repeat a name for arrays).
#[derive(Clone, uniffi::Record)]
pub struct QueryPair {
    pub name: String,
    pub value: String,
}

/// One response header (its name in lower case).
#[derive(Clone, uniffi::Record)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// A response and its metadata: the HTTP status, the request id (`X-Neon-Ret-Request-Id`),
/// every header as received, the body's bytes (Kotlin `text()`, Swift `text` read it as UTF-8).
#[derive(Clone, uniffi::Record)]
pub struct NeonResponse {
    pub status: i32,
    pub request_id: Option<String>,
    pub headers: Vec<Header>,
    pub body: Vec<u8>,
}

impl From<Reply> for NeonResponse {
    fn from(r: Reply) -> NeonResponse {
        let body = r.body().to_vec();
        let headers = r.headers.into_iter().map(|(name, value)| Header { name, value }).collect();
        NeonResponse { status: r.status.into(), request_id: r.request_id, headers, body }
    }
}

/// A client of the Neon API. Safe to share across threads and coroutines; every
/// resource namespace (`projects()`, `branches()`, …) shares its connection pool.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct NeonClient {
    pub(crate) client: Client,
}

/// Kotlin's `toString()` and Swift's `description`: the base URL and the options, never the key
/// (the core's `Debug` redacts it).
impl std::fmt::Display for NeonClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.client, f)
    }
}

impl std::fmt::Debug for NeonClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.client, f) // the core's Debug redacts the key
    }
}

impl NeonClient {
    fn by_id(&self, id: String, path: Vec<String>, q: Vec<QueryPair>, b: Option<String>) -> impl Future<Output = neonkit::Result<Reply>> {
        let c = self.client.clone();
        async move { c.call_by_id(&id, path, pairs(q), json_body(b)).await }
    }

    fn workflow_by_id(&self, id: String, args: String) -> impl Future<Output = neonkit::Result<String>> {
        let c = self.client.clone();
        async move { c.workflow(&id, args.into()).await.map(|b| String::from_utf8_lossy(&b).into_owned()) }
    }

    fn raw(&self, method: String, path: String, q: Vec<QueryPair>, b: Option<String>) -> impl Future<Output = neonkit::Result<Reply>> {
        let c = self.client.clone();
        async move { c.request_by_name(&method, &path, pairs(q), b.map(Into::into)).await }
    }
}

#[uniffi::export]
impl NeonClient {
    /// Builds a client; `apiKey` falls back to `NEON_API_KEY`. Fails with
    /// `ConfigError` when there is no key or an option is out of its range.
    /// `listener` receives the events of its calls (requests, responses,
    /// retries, operation waits): Kotlin's `NeonHooks()` logs them to
    /// `java.util.logging` (logger `neonkit`). Without one, none is made.
    #[uniffi::constructor(default(api_key = None, options = None, listener = None))]
    pub fn new(
        api_key: Option<String>,
        options: Option<NeonClientOptions>,
        listener: Option<Arc<dyn NeonEventListener>>,
    ) -> Result<Arc<NeonClient>> {
        let mut o = neonkit::ClientOptions::from_values(Convention::Camel, client_option_values(api_key, options.unwrap_or_default()))?;
        o.user_agent_suffix = Some("kotlin-swift".into());
        o.listener = events::listener(listener);
        Ok(Arc::new(NeonClient { client: o.builder()?.build()? }))
    }

    /// The same client (sharing its connection pool) whose calls tell this
    /// listener what they do, instead of this client's (null: none).
    pub fn with_listener(&self, listener: Option<Arc<dyn NeonEventListener>>) -> Arc<NeonClient> {
        Arc::new(NeonClient { client: self.client.with_listener(events::listener(listener)) })
    }

    /// The same client (sharing its connection pool) with per-call options:
    /// `client.withOptions(NeonCallOptions(timeoutMs = 5_000)).projects().list()`.
    /// Fails with `ConfigError` when an option is out of its range.
    pub fn with_options(&self, options: NeonCallOptions) -> Result<Arc<NeonClient>> {
        let o = neonkit::CallOptions::from_values(Convention::Camel, call_option_values(options))?;
        Ok(Arc::new(NeonClient { client: self.client.with_options(&o)? }))
    }

    /// The same client with operation waits on or off.
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

    /// Polls the operations (by id, in one project) until each is finished or skipped;
    /// returns them in their final state as a JSON array. A failed one is an
    /// `OperationFailedError`; a wait past the wait timeout a `WaitTimeoutError`.
    pub async fn wait_for_operations(&self, project_id: String, operation_ids: Vec<String>) -> Result<String> {
        run(wait_ops(self.client.clone(), project_id, operation_ids), identity).await
    }

    /// The blocking form of `waitForOperations`.
    pub fn wait_for_operations_blocking(&self, project_id: String, operation_ids: Vec<String>) -> Result<String> {
        here(wait_ops(self.client.clone(), project_id, operation_ids), identity)
    }

    /// Calls any operation by its operationId (the escape hatch behind the generated
    /// methods): path values in path order, query parameters by name, a JSON body.
    pub async fn call(&self, operation_id: String, path: Vec<String>, query: Vec<QueryPair>, body: Option<String>) -> Result<String> {
        run(self.by_id(operation_id, path, query, body), text).await
    }

    /// The blocking form of `call`.
    pub fn call_blocking(&self, operation_id: String, path: Vec<String>, query: Vec<QueryPair>, body: Option<String>) -> Result<String> {
        here(self.by_id(operation_id, path, query, body), text)
    }

    /// Runs a workflow of spec/workflows.yaml by its id (`branches.ensure`, `connection_string`)
    /// with its arguments as the text of one JSON object keyed by the file's parameter names
    /// (absent or null: the default): the escape hatch behind the generated workflow methods.
    /// Returns the result as JSON text (a JSON string for a workflow that returns a string).
    /// An unknown id or argument is an `InvalidArgumentError`.
    pub async fn workflow(&self, id: String, args: String) -> Result<String> {
        run(self.workflow_by_id(id, args), identity).await
    }

    /// The blocking form of `workflow`.
    pub fn workflow_blocking(&self, id: String, args: String) -> Result<String> {
        here(self.workflow_by_id(id, args), identity)
    }

    /// `call`, with the response's status, request id and headers.
    pub async fn call_with_response(
        &self,
        operation_id: String,
        path: Vec<String>,
        query: Vec<QueryPair>,
        body: Option<String>,
    ) -> Result<NeonResponse> {
        run(self.by_id(operation_id, path, query, body), NeonResponse::from).await
    }

    /// The blocking form of `callWithResponse`.
    pub fn call_with_response_blocking(
        &self,
        operation_id: String,
        path: Vec<String>,
        query: Vec<QueryPair>,
        body: Option<String>,
    ) -> Result<NeonResponse> {
        here(self.by_id(operation_id, path, query, body), NeonResponse::from)
    }

    /// The raw call, for what the spec lacks: a method (`GET`, `POST`, …), a path under the
    /// base URL starting with `/`, query pairs and a JSON body, through the same pipeline
    /// (auth, retries, deadline, errors with request ids).
    pub async fn request(&self, method: String, path: String, query: Vec<QueryPair>, body: Option<String>) -> Result<NeonResponse> {
        run(self.raw(method, path, query, body), NeonResponse::from).await
    }

    /// The blocking form of `request`.
    pub fn request_blocking(&self, method: String, path: String, query: Vec<QueryPair>, body: Option<String>) -> Result<NeonResponse> {
        here(self.raw(method, path, query, body), NeonResponse::from)
    }
}

async fn wait_ops(client: Client, project_id: String, ids: Vec<String>) -> neonkit::Result<String> {
    let ops = client.wait_for_operation_ids(&project_id, &ids).await?;
    Ok(serde_json::to_string(&ops).expect("operations serialize"))
}

/// Every operationId of the Neon API v2 that this library can call (180).
#[uniffi::export]
pub fn operation_ids() -> Vec<String> {
    neonkit::operations::OPERATIONS.iter().map(|o| o.id.to_string()).collect()
}

/// Every workflow id of spec/workflows.yaml that the core runs (`connection_string`,
/// `branches.ensure`, …): each has a generated method, and `NeonClient.workflow` takes them by id.
#[uniffi::export]
pub fn workflow_ids() -> Vec<String> {
    neonkit::workflows::WORKFLOWS.iter().map(|w| w.id.to_string()).collect()
}

/// The version of the neonkit library.
#[uniffi::export]
pub fn neonkit_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Stops neonkit's shared runtime (in-flight calls are cancelled); the next call starts a new one.
#[uniffi::export]
pub fn shutdown_runtime() {
    neonkit::runtime::shutdown();
}

type PagerState = Arc<tokio::sync::Mutex<neonkit::Result<neonkit::Pager>>>;

/// Walks every page of a paginated operation (the core handles the API's three
/// cursor shapes). Each item is one JSON object as text.
#[derive(uniffi::Object)]
pub struct NeonPager(PagerState);

impl NeonPager {
    pub(crate) fn new(pager: neonkit::Result<neonkit::Pager>) -> Arc<NeonPager> {
        Arc::new(NeonPager(Arc::new(tokio::sync::Mutex::new(pager))))
    }
}

async fn next_page(state: PagerState) -> neonkit::Result<Option<Vec<String>>> {
    match &mut *state.lock().await {
        Ok(p) => Ok(p.next_page().await?.map(|items| items.iter().map(|v| v.to_string()).collect())),
        Err(e) => Err(neonkit::Error::new(e.kind(), e.message())),
    }
}

async fn collect_all(state: PagerState) -> neonkit::Result<Vec<String>> {
    let mut out = Vec::new();
    while let Some(items) = next_page(state.clone()).await? {
        out.extend(items);
    }
    Ok(out)
}

#[uniffi::export]
impl NeonPager {
    /// The next page's items, or null after the last page.
    pub async fn next_page(&self) -> Result<Option<Vec<String>>> {
        run(next_page(self.0.clone()), identity).await
    }

    /// The blocking form of `nextPage`.
    pub fn next_page_blocking(&self) -> Result<Option<Vec<String>>> {
        here(next_page(self.0.clone()), identity)
    }

    /// Every remaining item, across all remaining pages.
    pub async fn collect_all(&self) -> Result<Vec<String>> {
        run(collect_all(self.0.clone()), identity).await
    }

    /// The blocking form of `collectAll`.
    pub fn collect_all_blocking(&self) -> Result<Vec<String>> {
        here(collect_all(self.0.clone()), identity)
    }
}
