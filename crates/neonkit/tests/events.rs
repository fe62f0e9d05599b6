//! The client's events (requests, responses, retries, waits) as a listener
//! and as `tracing` sees them, against the emulator: their order, their
//! fields, their one log line, and that no secret is in any of them.

mod common;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use neonkit::operation::HttpMethod;
use neonkit::{Event, EventKind, EventListener};
use neonkit_emulator::FaultKind;

/// Every event a client's calls make, in order.
#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

impl Recorder {
    fn take(&self) -> Vec<Event> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// A client of the emulator whose listener is `rec`.
fn heard_by(emu: &neonkit_emulator::Emulator, rec: &Arc<Recorder>) -> neonkit::Client {
    builder(emu).shared_listener(Some(rec.clone())).build().unwrap()
}

impl EventListener for Recorder {
    fn on_event(&self, event: &Event) {
        self.0.lock().unwrap().push(event.clone());
    }
}

fn kinds(events: &[Event]) -> Vec<(EventKind, u32)> {
    events.iter().map(|e| (e.kind, e.attempt)).collect()
}

#[tokio::test]
async fn a_retried_call_tells_its_listener_each_attempt_and_the_retry() {
    let emu = emulator().await;
    let setup = client(&emu);
    let p = new_project(&setup, "events").await;
    let rec = Arc::new(Recorder::default());
    let c = heard_by(&emu, &rec);
    emu.add_fault(status_fault("getProject", 503, 1));
    c.projects().get(&p.project.id).await.unwrap();

    let events = rec.take();
    use EventKind::*;
    assert_eq!(kinds(&events), vec![(Request, 1), (Response, 1), (Retry, 2), (Request, 2), (Response, 2)]);
    for e in &events {
        assert_eq!((e.operation, e.method, e.path), ("getProject", "GET", "/projects/{project_id}"));
        assert_eq!(e.max_attempts, 4);
    }
    let (failed, retry, ok) = (&events[1], &events[2], &events[4]);
    assert_eq!(failed.status, Some(503));
    assert!(failed.request_id.is_some(), "the emulator's request id");
    assert!(failed.duration.is_some());
    assert_eq!(retry.status, Some(503));
    assert_eq!(retry.request_id, failed.request_id);
    let delay = retry.delay.expect("a retry's delay");
    assert!(delay <= Duration::from_millis(10), "fast_retries' first backoff is at most 10 ms: {delay:?}");
    assert_eq!(ok.status, Some(200));
    assert_ne!(ok.request_id, failed.request_id);

    let lines: Vec<String> = events.iter().map(Event::message).collect();
    assert_eq!(lines[0], "request GET /projects/{project_id} (getProject, attempt 1 of 4)");
    let id = failed.request_id.as_deref().unwrap();
    assert!(lines[1].starts_with("response GET /projects/{project_id} 503 in "), "{}", lines[1]);
    assert!(lines[1].ends_with(&format!(" ms (getProject, attempt 1 of 4, request id {id})")), "{}", lines[1]);
    assert!(lines[2].starts_with("retry GET /projects/{project_id} after 503 in "), "{}", lines[2]);
    assert!(lines[2].ends_with(&format!(" ms (getProject, attempt 2 of 4, request id {id})")), "{}", lines[2]);
    assert!(lines[4].contains(" 200 in "), "{}", lines[4]);
    for line in &lines {
        assert!(!line.contains(emu.api_key()), "the key in {line}");
        assert!(!line.contains(&p.project.id), "the filled path in {line}");
    }
}

#[tokio::test]
async fn a_broken_connection_is_named_by_its_kind() {
    let emu = emulator().await;
    let rec = Arc::new(Recorder::default());
    let c = heard_by(&emu, &rec);
    emu.add_fault(fault("listProjects", FaultKind::DropConnection, 1));
    c.projects().list(&Default::default()).await.unwrap();
    let events = rec.take();
    let retry = events.iter().find(|e| e.kind == EventKind::Retry).expect("a retry");
    assert_eq!((retry.status, retry.error, retry.attempt), (None, Some("connection"), 2));
    assert!(retry.message().contains(" after network error (connection) in "), "{}", retry.message());
    // reqwest's message names the URL (and its query): the events never carry it.
    for e in &events {
        assert!(!e.message().contains("127.0.0.1"), "{}", e.message());
    }
}

#[tokio::test]
async fn an_operation_wait_reports_each_poll_and_its_end() {
    let emu = emulator().await;
    let setup = client(&emu);
    let p = new_project(&setup, "waits").await;
    let rec = Arc::new(Recorder::default());
    let c = heard_by(&emu, &rec);
    c.branches().create(&p.project.id, Some(&branch_body("dev"))).await.unwrap();
    let waits: Vec<Event> = rec.take().into_iter().filter(|e| e.kind == EventKind::Wait).collect();
    assert!(waits.len() >= 2, "{waits:?}");
    let first = &waits[0];
    assert_eq!((first.attempt, first.operation), (0, "getProjectOperation"));
    assert!(first.pending >= 1 && first.pending <= first.total);
    assert_eq!(first.operation_ids.len() as u32, first.pending);
    assert!(first.delay.is_some());
    assert!(first.message().starts_with(&format!("wait {} of {} operation", first.pending, first.total)), "{}", first.message());
    let last = waits.last().unwrap();
    assert_eq!((last.pending, last.delay), (0, None));
    assert_eq!(
        last.message(),
        format!("wait done: {} operation{} finished (poll {})", last.total, if last.total == 1 { "" } else { "s" }, last.attempt)
    );
}

/// Wants retries only: no request or response event is made for it.
struct RetriesOnly(Arc<Recorder>);

impl EventListener for RetriesOnly {
    fn wants(&self, kind: EventKind) -> bool {
        kind == EventKind::Retry
    }
    fn on_event(&self, event: &Event) {
        self.0.on_event(event)
    }
}

#[tokio::test]
async fn a_listener_gets_only_the_kinds_it_wants_and_a_panicking_one_does_not_break_the_call() {
    let emu = emulator().await;
    let rec = Arc::new(Recorder::default());
    let c = builder(&emu).listener(RetriesOnly(rec.clone())).build().unwrap();
    emu.add_fault(status_fault("listProjects", 503, 1));
    c.projects().list(&Default::default()).await.unwrap();
    assert_eq!(kinds(&rec.take()), vec![(EventKind::Retry, 2)]);

    let panicking = c.with_listener(Some(Arc::new(|_: &Event| panic!("a listener's bug"))));
    emu.add_fault(status_fault("listProjects", 503, 1));
    panicking.projects().list(&Default::default()).await.expect("the call goes on");
    // The copy's listener is its own: the first client's is unchanged.
    c.with_listener(None).projects().list(&Default::default()).await.unwrap();
    assert!(rec.take().is_empty());
}

// ---------------------------------------------------------------- user agent

/// Answers one HTTP request with `{}` and hands back the request's head.
fn one_request_server() -> (String, std::thread::JoinHandle<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v2", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = s.read(&mut buf).unwrap();
            head.extend_from_slice(&buf[..n]);
        }
        s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}").unwrap();
        String::from_utf8_lossy(&head).to_lowercase()
    });
    (url, handle)
}

#[tokio::test]
async fn the_applications_user_agent_follows_neonkits() {
    let (url, server) = one_request_server();
    let options = neonkit::ClientOptions::from_values(
        neonkit::Convention::Snake,
        [("api_key".to_string(), "k".to_string().into()), ("user_agent".to_string(), "myapp/1.2".to_string().into())],
    )
    .unwrap();
    let c = neonkit::ClientOptions { base_url: Some(url), user_agent_suffix: Some("python".into()), ..options }
        .builder()
        .unwrap()
        .build()
        .unwrap();
    c.request(HttpMethod::Get, "/projects", &[], None).await.unwrap();
    let head = server.join().unwrap();
    let ua = format!("user-agent: neonkit/{} (python) myapp/1.2\r\n", env!("CARGO_PKG_VERSION"));
    assert!(head.contains(&ua), "{head}");
}

#[test]
fn a_user_agent_that_a_header_cannot_carry_is_a_config_error() {
    for bad in ["", "  ", "app\r\nX-Evil: 1", "café/1", &"a".repeat(257)] {
        let e = neonkit::ClientOptions::from_values(neonkit::Convention::Camel, [("userAgent".to_string(), bad.to_string().into())])
            .err()
            .unwrap_or_else(|| panic!("{bad:?} accepted"));
        assert_eq!(e.kind(), neonkit::ErrorKind::Config);
        assert!(e.message().starts_with("userAgent must be printable ASCII text of 1 to 256 bytes"), "{}", e.message());
    }
    let e = neonkit::Client::builder().api_key("k").user_agent("a\nb").build().unwrap_err();
    assert!(e.message().starts_with("user_agent must be printable ASCII"), "{}", e.message());
}
