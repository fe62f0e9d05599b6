//! The core's events for Kotlin and Swift: a foreign [`NeonEventListener`]
//! set when the client is made (`NeonClient(apiKey, options, listener)`, or
//! `withListener`) receives each as a [`NeonEvent`] record. Kotlin's
//! `NeonHooks` (Logging.kt) is one that writes the lines to
//! `java.util.logging` (logger `neonkit`) and calls hooks.

use std::sync::Arc;

use neonkit::events::{Event, EventKind, EventListener, Level};

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum NeonEventKind {
    /// An attempt is about to be sent.
    Request,
    /// An attempt ended: with a status, or with a network error.
    Response,
    /// A failed attempt will be sent again after a delay.
    Retry,
    /// An operation wait looked at its operations.
    Wait,
}

impl From<EventKind> for NeonEventKind {
    fn from(k: EventKind) -> NeonEventKind {
        match k {
            EventKind::Request => NeonEventKind::Request,
            EventKind::Response => NeonEventKind::Response,
            EventKind::Retry => NeonEventKind::Retry,
            _ => NeonEventKind::Wait,
        }
    }
}

/// The level of an event's log line (`java.util.logging`: `FINE` and `INFO`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum NeonEventLevel {
    Debug,
    Info,
}

/// One thing a client did. Never holds a secret: the path is the template
/// (`/projects/{project_id}`), never the filled path or its query.
#[derive(Clone, Debug, uniffi::Record)]
pub struct NeonEvent {
    pub kind: NeonEventKind,
    /// The level of its log line: `Info` for retries, `Debug` for the rest.
    pub level: NeonEventLevel,
    /// The log line, the same text in every neonkit language.
    pub message: String,
    /// The operationId of the call (`request` for the raw call).
    pub operation: String,
    /// `GET`, `POST`, …; empty for a wait.
    pub method: String,
    /// The path template; `(raw)` for the raw call.
    pub path: String,
    /// The attempt (1 for the first send); for a retry the attempt about to be made; for a wait the poll.
    pub attempt: i32,
    /// The most attempts the call may make (retries + 1); 0 for a wait.
    pub max_attempts: i32,
    /// The HTTP status, when the server answered.
    pub status: Option<i32>,
    /// When no answer came: `connect`, `timeout` or `connection`.
    pub error: Option<String>,
    pub request_id: Option<String>,
    /// How long the attempt took.
    pub duration_ms: Option<f64>,
    /// The pause before the next attempt (retry) or poll (wait).
    pub delay_ms: Option<f64>,
    /// The operations still pending (wait).
    pub operation_ids: Vec<String>,
    pub pending: i32,
    pub total: i32,
}

/// A count as Kotlin and Swift take it (`Int`, `Int32`), saturating.
fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl From<&Event> for NeonEvent {
    fn from(e: &Event) -> NeonEvent {
        NeonEvent {
            kind: e.kind.into(),
            level: match e.level() {
                Level::Info => NeonEventLevel::Info,
                Level::Debug => NeonEventLevel::Debug,
            },
            message: e.message(),
            operation: e.operation.to_string(),
            method: e.method.to_string(),
            path: e.path.to_string(),
            attempt: int(e.attempt),
            max_attempts: int(e.max_attempts),
            status: e.status.map(i32::from),
            error: e.error.map(String::from),
            request_id: e.request_id.clone(),
            duration_ms: e.duration.map(|d| d.as_secs_f64() * 1000.0),
            delay_ms: e.delay.map(|d| d.as_secs_f64() * 1000.0),
            operation_ids: e.operation_ids.clone(),
            pending: int(e.pending),
            total: int(e.total),
        }
    }
}

/// What a listener's `onEvent` may throw; whatever it throws is dropped and the call goes on.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum NeonListenerError {
    #[error("{reason}")]
    Failed { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for NeonListenerError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> NeonListenerError {
        NeonListenerError::Failed { reason: e.reason }
    }
}

/// Receives a client's events (Kotlin: implement it, or use `NeonHooks`; Swift:
/// adopt the protocol). Listeners observe: they cannot change or stop a call.
/// They are called in order on the thread that runs the call (the caller's for
/// `…Blocking` methods, a neonkit runtime thread for suspending/async ones): keep
/// them quick. An exception thrown from `onEvent` is dropped; the call goes on.
#[uniffi::export(with_foreign)]
pub trait NeonEventListener: Send + Sync {
    /// The kinds of event it wants, asked once when the client is made: no
    /// event of another kind is made or sent to it (an empty list, or a
    /// throw: none at all).
    fn kinds(&self) -> Result<Vec<NeonEventKind>, NeonListenerError>;

    fn on_event(&self, event: NeonEvent) -> Result<(), NeonListenerError>;
}

/// The core's listener over a foreign one.
struct Foreign {
    listener: Arc<dyn NeonEventListener>,
    wants: [bool; 4],
}

impl EventListener for Foreign {
    fn wants(&self, kind: EventKind) -> bool {
        EventKind::ALL.iter().position(|k| *k == kind).is_some_and(|i| self.wants[i])
    }

    fn on_event(&self, event: &Event) {
        // What it threw is dropped: there is no logger here to tell (NeonHooks logs its
        // hooks' exceptions to java.util.logging itself), and the call goes on.
        let _ = self.listener.on_event(event.into());
    }
}

/// The core's listener for a foreign one, with the kinds it asks for (`None` when it asks for none).
pub(crate) fn listener(listener: Option<Arc<dyn NeonEventListener>>) -> Option<Arc<dyn EventListener>> {
    let listener = listener?;
    let kinds = listener.kinds().unwrap_or_default();
    let mut wants = [false; 4];
    for (i, k) in EventKind::ALL.iter().enumerate() {
        wants[i] = kinds.contains(&NeonEventKind::from(*k));
    }
    wants.contains(&true).then(|| Arc::new(Foreign { listener, wants }) as Arc<dyn EventListener>)
}

/// The text a listener logs when a user's hook throws (one wording in every language).
#[uniffi::export]
pub fn hook_failed_message(hook: String, error: String) -> String {
    neonkit::events::hook_failed_message(&hook, &error)
}
