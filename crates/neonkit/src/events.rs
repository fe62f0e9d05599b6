//! What the client does, as events: each HTTP attempt (before it is sent and
//! when it ends), each retry and each poll of an operation wait. An event is
//! made once, here in the core, with the one log line every language prints
//! for it ([`Event`]'s `Display`), and goes to `tracing` (target `neonkit`)
//! and to the client's [`EventListener`], which is how each binding feeds its
//! language's logging and hooks.
//!
//! Nothing in an event is a secret: the path is the operation's template
//! (`/projects/{project_id}`), never the filled path or its query; there is no
//! header, body or key, and a network failure is named by its kind only
//! (the HTTP library's message quotes the URL).
//!
//! When no listener wants an event and `tracing` has no subscriber interested
//! in target `neonkit` at its level, no event is made at all.

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// An attempt is about to be sent.
    Request,
    /// An attempt ended: with a status, or with a network error.
    Response,
    /// A failed attempt will be sent again after a delay.
    Retry,
    /// An operation wait looked at its operations: how many are still pending.
    Wait,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 4] = [EventKind::Request, EventKind::Response, EventKind::Retry, EventKind::Wait];

    /// The kind's stable name, the same in every language: `request`, `response`, `retry`, `wait`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Request => "request",
            EventKind::Response => "response",
            EventKind::Retry => "retry",
            EventKind::Wait => "wait",
        }
    }

    /// The level its log line is written at: retries at info, the rest at debug.
    pub fn level(self) -> Level {
        match self {
            EventKind::Retry => Level::Info,
            _ => Level::Debug,
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The level of an event's log line (Python `logging.DEBUG`/`INFO`, Node
/// `logger.debug`/`info`, `java.util.logging` `FINE`/`INFO`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Debug,
    Info,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
        }
    }
}

/// One thing the client did. Which fields are set depends on [`Event::kind`]:
///
/// | kind | fields |
/// |---|---|
/// | `Request` | operation, method, path, attempt, max_attempts |
/// | `Response` | those, and status (or error), request_id, duration |
/// | `Retry` | those of the failed attempt (status or error, request_id), attempt = the next attempt's number, delay |
/// | `Wait` | operation (`getProjectOperation`), attempt = the poll's number (0: the operations as the call returned them), operation_ids (those still pending), pending, total, delay (until the next poll; none when none is pending) |
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Event {
    pub kind: EventKind,
    /// The operationId of the call (`request` for the raw call).
    pub operation: &'static str,
    /// `GET`, `POST`, …; empty for `Wait`.
    pub method: &'static str,
    /// The path template (`/projects/{project_id}`), never the filled path; `(raw)` for the raw call.
    pub path: &'static str,
    /// The attempt (1 for the first send); for `Retry` the attempt about to be made; for `Wait` the poll.
    pub attempt: u32,
    /// The most attempts the call may make (retries + 1); 0 for `Wait`.
    pub max_attempts: u32,
    /// The HTTP status of the attempt, when the server answered.
    pub status: Option<u16>,
    /// When the attempt got no answer: `connect` (no connection was made), `timeout` or `connection` (it broke).
    pub error: Option<&'static str>,
    /// The response's request id (`X-Neon-Ret-Request-Id`, or the error body's).
    pub request_id: Option<String>,
    /// How long the attempt took.
    pub duration: Option<Duration>,
    /// `Retry`: the pause before the next attempt; `Wait`: before the next poll.
    pub delay: Option<Duration>,
    /// `Wait`: the operations still pending.
    pub operation_ids: Vec<String>,
    /// `Wait`: how many operations are still pending.
    pub pending: u32,
    /// `Wait`: how many operations the wait is for.
    pub total: u32,
}

impl Event {
    /// An event of that kind for an operation, every other field empty.
    pub fn new(kind: EventKind, operation: &'static str, method: &'static str, path: &'static str) -> Event {
        Event {
            kind,
            operation,
            method,
            path,
            attempt: 0,
            max_attempts: 0,
            status: None,
            error: None,
            request_id: None,
            duration: None,
            delay: None,
            operation_ids: Vec::new(),
            pending: 0,
            total: 0,
        }
    }

    /// The level of its log line.
    pub fn level(&self) -> Level {
        self.kind.level()
    }

    /// The log line (what `Display` writes): the same text in every language.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

/// A duration as log lines show it: milliseconds with one decimal.
fn ms(d: Duration) -> impl fmt::Display {
    struct Ms(f64);
    impl fmt::Display for Ms {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{:.1} ms", self.0)
        }
    }
    Ms(d.as_secs_f64() * 1000.0)
}

impl fmt::Display for Event {
    /// ```text
    /// request GET /projects/{project_id} (getProject, attempt 1 of 4)
    /// response GET /projects/{project_id} 503 in 2.1 ms (getProject, attempt 1 of 4, request id 5f0c…)
    /// retry GET /projects/{project_id} after 503 in 6.4 ms (getProject, attempt 2 of 4)
    /// response GET /projects/{project_id} 200 in 1.3 ms (getProject, attempt 2 of 4, request id 9ab1…)
    /// wait 1 of 2 operations pending, next poll in 50.0 ms (poll 1): 0d4b…
    /// wait done: 2 operations finished (poll 2)
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let outcome = |f: &mut fmt::Formatter<'_>| match (self.status, self.error) {
            (Some(s), _) => write!(f, "{s}"),
            (None, Some(e)) => write!(f, "network error ({e})"),
            (None, None) => f.write_str("no answer"),
        };
        let context = |f: &mut fmt::Formatter<'_>| {
            write!(f, " ({}, attempt {} of {}", self.operation, self.attempt, self.max_attempts)?;
            if let Some(id) = &self.request_id {
                write!(f, ", request id {id}")?;
            }
            f.write_str(")")
        };
        match self.kind {
            EventKind::Request => {
                write!(f, "request {} {}", self.method, self.path)?;
                context(f)
            }
            EventKind::Response => {
                write!(f, "response {} {} ", self.method, self.path)?;
                outcome(f)?;
                if let Some(d) = self.duration {
                    write!(f, " in {}", ms(d))?;
                }
                context(f)
            }
            EventKind::Retry => {
                write!(f, "retry {} {} after ", self.method, self.path)?;
                outcome(f)?;
                if let Some(d) = self.delay {
                    write!(f, " in {}", ms(d))?;
                }
                context(f)
            }
            EventKind::Wait if self.pending == 0 => {
                let s = if self.total == 1 { "" } else { "s" };
                write!(f, "wait done: {} operation{s} finished (poll {})", self.total, self.attempt)
            }
            EventKind::Wait => {
                let s = if self.total == 1 { "" } else { "s" };
                write!(f, "wait {} of {} operation{s} pending", self.pending, self.total)?;
                if let Some(d) = self.delay {
                    write!(f, ", next poll in {}", ms(d))?;
                }
                write!(f, " (poll {}): {}", self.attempt, self.operation_ids.join(", "))
            }
        }
    }
}

/// Receives a client's events: what each binding implements to feed its
/// language's logging and hooks, and what a Rust program may set with
/// [`crate::ClientBuilder::listener`] (a closure `Fn(&Event)` is one).
///
/// Listeners observe: they cannot change or stop a call. They run on the
/// thread that runs the call, in the order the client acts, so a slow one
/// slows the call; a panic in one is caught and logged (target `neonkit`),
/// and the call goes on.
pub trait EventListener: Send + Sync + 'static {
    /// Whether this listener wants events of that kind; asked before an event
    /// is made, so that a listener for retries alone costs nothing per
    /// request. All kinds unless overridden.
    fn wants(&self, kind: EventKind) -> bool {
        let _ = kind;
        true
    }

    fn on_event(&self, event: &Event);
}

impl<F: Fn(&Event) + Send + Sync + 'static> EventListener for F {
    fn on_event(&self, event: &Event) {
        self(event)
    }
}

/// The text a binding logs when a user's hook fails (raises, throws): the call goes on.
pub fn hook_failed_message(hook: &str, error: &str) -> String {
    format!("the {hook} hook failed and was ignored (the call goes on): {error}")
}

/// Whether tracing wants an event of this kind (a static check per call site).
#[inline]
fn traced(kind: EventKind) -> bool {
    match kind.level() {
        Level::Info => tracing::enabled!(target: "neonkit", tracing::Level::INFO),
        Level::Debug => tracing::enabled!(target: "neonkit", tracing::Level::DEBUG),
    }
}

fn trace(e: &Event) {
    let duration_ms = e.duration.map(|d| d.as_secs_f64() * 1000.0);
    let delay_ms = e.delay.map(|d| d.as_secs_f64() * 1000.0);
    macro_rules! event {
        ($level:expr) => {
            tracing::event!(
                target: "neonkit",
                $level,
                kind = e.kind.as_str(),
                operation = e.operation,
                method = e.method,
                path = e.path,
                attempt = e.attempt,
                status = e.status,
                error = e.error,
                request_id = e.request_id.as_deref(),
                duration_ms,
                delay_ms,
                pending = e.pending,
                "{}",
                e
            )
        };
    }
    match e.level() {
        Level::Info => event!(tracing::Level::INFO),
        Level::Debug => event!(tracing::Level::DEBUG),
    }
}

/// Hands an event to tracing and the listener, made only if one of them wants it.
#[inline]
pub(crate) fn emit(listener: Option<&dyn EventListener>, kind: EventKind, make: impl FnOnce() -> Event) {
    let listener = listener.filter(|l| l.wants(kind));
    let traced = traced(kind);
    if listener.is_none() && !traced {
        return;
    }
    let event = make();
    if traced {
        trace(&event);
    }
    if let Some(l) = listener {
        if std::panic::catch_unwind(AssertUnwindSafe(|| l.on_event(&event))).is_err() {
            tracing::warn!(target: "neonkit", kind = kind.as_str(), "{}", hook_failed_message("event listener", "it panicked"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: Option<u16>, error: Option<&'static str>) -> Event {
        Event {
            attempt: 1,
            max_attempts: 4,
            status,
            error,
            request_id: status.map(|_| "req-1".to_string()),
            duration: Some(Duration::from_micros(2150)),
            ..Event::new(EventKind::Response, "getProject", "GET", "/projects/{project_id}")
        }
    }

    #[test]
    fn lines() {
        let r = Event { attempt: 1, max_attempts: 4, ..Event::new(EventKind::Request, "getProject", "GET", "/projects/{project_id}") };
        assert_eq!(r.to_string(), "request GET /projects/{project_id} (getProject, attempt 1 of 4)");
        assert_eq!(
            response(Some(503), None).to_string(),
            "response GET /projects/{project_id} 503 in 2.1 ms (getProject, attempt 1 of 4, request id req-1)"
        );
        assert_eq!(
            response(None, Some("connect")).to_string(),
            "response GET /projects/{project_id} network error (connect) in 2.1 ms (getProject, attempt 1 of 4)"
        );
        let retry = Event {
            kind: EventKind::Retry,
            attempt: 2,
            delay: Some(Duration::from_micros(6420)),
            duration: None,
            ..response(Some(503), None)
        };
        assert_eq!(
            retry.to_string(),
            "retry GET /projects/{project_id} after 503 in 6.4 ms (getProject, attempt 2 of 4, request id req-1)"
        );
        assert_eq!(retry.level(), Level::Info);
        let wait = Event {
            attempt: 1,
            operation_ids: vec!["op-1".into()],
            pending: 1,
            total: 2,
            delay: Some(Duration::from_millis(50)),
            ..Event::new(EventKind::Wait, "getProjectOperation", "", "")
        };
        assert_eq!(wait.to_string(), "wait 1 of 2 operations pending, next poll in 50.0 ms (poll 1): op-1");
        let done = Event { pending: 0, operation_ids: vec![], delay: None, attempt: 2, ..wait };
        assert_eq!(done.to_string(), "wait done: 2 operations finished (poll 2)");
    }
}
