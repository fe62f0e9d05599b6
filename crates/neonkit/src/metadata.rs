//! Response metadata for the typed methods: what the server answered besides
//! the body (status, request id, headers), without giving up the typed result.
//!
//! ```no_run
//! # async fn demo(client: neonkit::Client) -> neonkit::Result<()> {
//! let (project, info) = neonkit::with_response(client.projects().get("my-project-123")).await?;
//! println!("{} came with request id {:?}", project.project.name, info.request_id);
//! # Ok(()) }
//! ```

use std::cell::RefCell;
use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::{Error, ErrorKind, Result};

/// The status, request id and headers of a response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResponseInfo {
    pub status: u16,
    /// The API's request id (`X-Neon-Ret-Request-Id`).
    pub request_id: Option<String>,
    /// Every response header (names in lower case), in the order received.
    pub headers: Vec<(String, String)>,
}

impl ResponseInfo {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

type Slot = Arc<Mutex<Option<ResponseInfo>>>;

tokio::task_local! {
    static CAPTURE: Slot;
}

thread_local! {
    /// The blocking form: blocking calls run on the calling thread.
    static THREAD_CAPTURE: RefCell<Option<Slot>> = const { RefCell::new(None) };
}

/// Keeps the first response of the call being captured (not the polls of its
/// operation wait, nor the reads after it).
pub(crate) fn record(status: u16, request_id: &Option<String>, headers: &[(String, String)]) {
    let slot = CAPTURE.try_with(Slot::clone).ok().or_else(|| THREAD_CAPTURE.with(|t| t.borrow().clone()));
    if let Some(slot) = slot {
        let mut kept = slot.lock().unwrap_or_else(|p| p.into_inner());
        if kept.is_none() {
            *kept = Some(ResponseInfo { status, request_id: request_id.clone(), headers: headers.to_vec() });
        }
    }
}

fn taken(slot: &Slot) -> Result<ResponseInfo> {
    slot.lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
        .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "with_response: the call it was given made no request"))
}

/// Runs one call of the typed API and returns its result with the metadata
/// of its response.
pub async fn with_response<T>(call: impl Future<Output = Result<T>>) -> Result<(T, ResponseInfo)> {
    let slot = Slot::default();
    let value = CAPTURE.scope(slot.clone(), call).await?;
    Ok((value, taken(&slot)?))
}

/// [`with_response`] for the blocking client:
/// `neonkit::blocking::with_response(|| client.projects().get(id))`.
pub fn with_response_blocking<T>(call: impl FnOnce() -> Result<T>) -> Result<(T, ResponseInfo)> {
    let slot = Slot::default();
    let previous = THREAD_CAPTURE.with(|t| t.replace(Some(slot.clone())));
    let value = call();
    THREAD_CAPTURE.with(|t| *t.borrow_mut() = previous);
    Ok((value?, taken(&slot)?))
}
