//! The client's events as `tracing` sees them (target `neonkit`): the same
//! lines as the listener's, at debug and (retries) info, with their fields.
//! A test binary of its own: tracing registers a call site once per process,
//! and a test running beside this one could register the core's call sites
//! before this test's subscriber is set (tracing would then not ask it).

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use neonkit::{Event, EventListener};

#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

impl EventListener for Recorder {
    fn on_event(&self, event: &Event) {
        self.0.lock().unwrap().push(event.clone());
    }
}

/// A tracing subscriber that keeps the events of target `neonkit`: (level, message, fields).
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Traced>>>);

/// One traced event: its level, its message and its other fields.
type Traced = (tracing::Level, String, Vec<(String, String)>);

struct Fields(String, Vec<(String, String)>);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        } else {
            self.1.push((field.name().to_string(), format!("{value:?}")));
        }
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.1.push((field.name().to_string(), value.to_string()));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == "neonkit"
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut f = Fields(String::new(), Vec::new());
        event.record(&mut f);
        self.0.lock().unwrap().push((*event.metadata().level(), f.0, f.1));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn tracing_gets_the_same_lines_at_debug_and_retries_at_info() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let emu = emulator().await;
    let rec = Arc::new(Recorder::default());
    let c = builder(&emu).shared_listener(Some(rec.clone())).build().unwrap();
    emu.add_fault(status_fault("listProjects", 503, 1));
    c.projects().list(&Default::default()).await.unwrap();

    let traced = capture.0.lock().unwrap().clone();
    let heard: Vec<String> = std::mem::take(&mut *rec.0.lock().unwrap()).iter().map(Event::message).collect();
    let lines: Vec<String> = traced.iter().map(|(_, m, _)| m.clone()).collect();
    assert_eq!(lines, heard, "one line per event, the same text");
    let levels: Vec<tracing::Level> = traced.iter().map(|(l, _, _)| *l).collect();
    use tracing::Level;
    assert_eq!(levels, vec![Level::DEBUG, Level::DEBUG, Level::INFO, Level::DEBUG, Level::DEBUG]);
    let (_, _, fields) = &traced[2];
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    assert_eq!(field("kind"), Some("retry"));
    assert_eq!(field("path"), Some("/projects"));
    assert_eq!(field("status"), Some("503"));
    assert_eq!(field("attempt"), Some("2"));
    assert!(field("delay_ms").is_some());
    assert!(field("request_id").is_some());
    for (_, line, fields) in &traced {
        assert!(!line.contains(emu.api_key()));
        assert!(fields.iter().all(|(_, v)| !v.contains(emu.api_key())));
    }
}
