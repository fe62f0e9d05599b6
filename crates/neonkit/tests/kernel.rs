//! The binding kernel against the emulator: per-call options, response
//! metadata, the raw call, and options read from a binding's values.

mod common;

use std::time::{Duration, Instant};

use common::*;
use neonkit::models::*;
use neonkit::operation::HttpMethod;
use neonkit::{CallOptions, ClientOptions, Convention, ErrorKind, OptionValue, Payload};
use neonkit_emulator::{EmulatorConfig, FaultKind};

#[tokio::test]
async fn with_options_timeout_is_the_whole_calls_deadline() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.add_fault(fault("listProjects", FaultKind::Latency { ms: 2_000 }, 10));
    let started = Instant::now();
    let err =
        c.with_options(&CallOptions::default().timeout(Duration::from_millis(300))).unwrap().projects().list(&Default::default()).await;
    let err = err.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(started.elapsed() < Duration::from_millis(1_500), "took {:?}", started.elapsed());
    // The client it came from keeps its own timeout.
    emu.clear_faults();
    c.projects().list(&Default::default()).await.unwrap();
}

#[tokio::test]
async fn with_options_timeout_bounds_the_operation_wait_too() {
    let emu = emulator_with(EmulatorConfig { operation_duration: Duration::from_secs(5), locking: false, ..Default::default() }).await;
    let c = client(&emu);
    let p = new_project(&c.with_wait(false), "deadline").await;
    let started = Instant::now();
    let err = c
        .with_options(&CallOptions::default().timeout(Duration::from_millis(400)))
        .unwrap()
        .branches()
        .create(&p.project.id, Some(&branch_body("b")))
        .await;
    let err = err.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WaitTimeout, "{err}");
    assert!(err.is_accepted(), "the branch was made: {err}");
    assert!(!err.pending_operations().is_empty());
    assert!(err.message().contains("timeout"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn with_options_max_retries_and_wait() {
    let emu = emulator().await;
    let c = client(&emu);
    let p = new_project(&c, "retries").await;
    emu.add_fault(status_fault("createProjectBranch", 423, 1));
    let err =
        c.with_options(&CallOptions::default().max_retries(0)).unwrap().branches().create(&p.project.id, Some(&branch_body("a"))).await;
    assert_eq!(err.unwrap_err().kind(), ErrorKind::Locked);
    assert_eq!(emu.request_count("createProjectBranch"), 1, "no retry");
    let quick = c.with_options(&CallOptions::default().wait_for_operations(false)).unwrap();
    assert!(!quick.waits_for_operations());
    assert!(c.waits_for_operations(), "the original client still waits");
}

#[tokio::test]
async fn extra_headers_reach_the_server_and_the_response_metadata_shows_it() {
    let emu = emulator().await;
    let c = client(&emu).with_options(&CallOptions::default().header("X-Request-Id", "trace-from-the-caller-1")).unwrap();
    let op = neonkit::find_operation("listProjects").unwrap();
    let resp = c.send(op, &[], Vec::new(), Payload::None).await.unwrap();
    assert_eq!(resp.status, 200);
    // The emulator answers with the request id the caller sent.
    assert_eq!(resp.request_id.as_deref(), Some("trace-from-the-caller-1"));
    assert_eq!(resp.header("x-neon-ret-request-id"), Some("trace-from-the-caller-1"));
    assert!(resp.header("content-type").is_some_and(|v| v.starts_with("application/json")));
    let typed: ListProjectsResponse = resp.json().unwrap();
    assert!(typed.projects.is_empty());
    // A later with_options replaces a header of the same name, keeps the others.
    let c2 = c.with_options(&CallOptions::default().header("x-request-id", "second")).unwrap();
    let resp = c2.send(op, &[], Vec::new(), Payload::None).await.unwrap();
    assert_eq!(resp.request_id.as_deref(), Some("second"));
}

#[tokio::test]
async fn bad_call_options_are_config_errors_naming_the_option() {
    let emu = emulator().await;
    let c = client(&emu);
    let e = c.with_options(&CallOptions::default().timeout(Duration::ZERO)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert_eq!(e.message(), "timeout must be a number of seconds greater than 0 and at most 86400 (got 0)");
    let e = c.with_options(&CallOptions::default().header("Authorization", "Bearer other")).unwrap_err();
    assert_eq!(e.message(), "headers: Authorization cannot be set (neonkit sets it)");
    let e = c.with_options(&CallOptions::default().header("X-Secret", "line\r\nbreak-secret-value")).unwrap_err();
    assert!(!e.message().contains("secret-value"), "{e}");
    let e = c.with_options(&CallOptions::default().org_id("Not An Org")).unwrap_err();
    assert!(e.message().starts_with("org_id "), "{e}");
    let e = CallOptions::from_values(Convention::Camel, [("connectTimeoutMs".to_string(), OptionValue::Int(5))]).unwrap_err();
    assert_eq!(e.message(), "connectTimeoutMs is a client option: set it when the client is built, not per call");
    let e = CallOptions::from_values(Convention::Snake, [("retries".to_string(), OptionValue::Int(5))]).unwrap_err();
    assert!(e.message().starts_with("unknown option \"retries\" (the options are: org_id, timeout, max_retries"), "{e}");
}

#[tokio::test]
async fn per_call_org_id_is_sent_where_the_operation_takes_one() {
    let emu = emulator().await;
    let c = client(&emu);
    let scoped = c.with_options(&CallOptions::default().org_id("org-not-mine-123")).unwrap();
    // The emulator knows no such organization: the org_id reached the server.
    let err = scoped.projects().list(&Default::default()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NotFound | ErrorKind::Forbidden | ErrorKind::BadRequest), "{err}");
    c.projects().list(&Default::default()).await.unwrap();
}

#[tokio::test]
async fn options_from_values_use_the_languages_names_and_units() {
    let o = ClientOptions::from_values(
        Convention::Camel,
        [("timeoutMs".to_string(), OptionValue::Float(1500.0)), ("maxRetries".to_string(), OptionValue::Float(2.0))],
    )
    .unwrap();
    assert_eq!(o.timeout, Some(1.5));
    assert_eq!(o.max_retries, Some(2));
    let e = ClientOptions::from_values(Convention::Camel, [("timeoutMs".to_string(), OptionValue::Float(-1000.0))]).unwrap_err();
    assert_eq!(e.message(), "timeoutMs must be a number of milliseconds greater than 0 and at most 86400000 (got -1000)");
    let e = ClientOptions::from_values(Convention::Snake, [("max_retries".to_string(), OptionValue::Float(1.5))]).unwrap_err();
    assert_eq!(e.message(), "max_retries must be a whole number from 0 to 100 (got 1.5)");
    let e = ClientOptions::from_values(Convention::Snake, [("api_key".to_string(), OptionValue::Int(12345678))]).unwrap_err();
    assert_eq!(e.message(), "api_key must be a string (got a number)");
    let e =
        ClientOptions::from_values(Convention::Snake, [("wait_for_operations".to_string(), OptionValue::Text("yes".into()))]).unwrap_err();
    assert_eq!(e.message(), "wait_for_operations must be true or false (got a string)");
}

#[tokio::test]
async fn the_raw_call_goes_through_the_same_pipeline() {
    let emu = emulator().await;
    let c = client(&emu);
    let p = new_project(&c, "raw").await;
    new_project(&c, "r a&w=1").await;
    let resp = c.request(HttpMethod::Get, &format!("/projects/{}", p.project.id), &[], None).await.unwrap();
    assert_eq!(resp.status, 200);
    assert!(resp.request_id.is_some());
    let v: serde_json::Value = resp.json().unwrap();
    assert_eq!(v["project"]["id"], p.project.id.as_str());
    // Query pairs are encoded; a body is JSON.
    let resp =
        c.request(HttpMethod::Get, "/projects", &[("limit".into(), "1".into()), ("search".into(), "r a&w=1".into())], None).await.unwrap();
    let v: serde_json::Value = resp.json().unwrap();
    assert_eq!(v["projects"].as_array().map(Vec::len), Some(1));
    let body = br#"{"branch":{"name":"from-raw"}}"#.to_vec();
    let resp = c.request(HttpMethod::Post, &format!("/projects/{}/branches", p.project.id), &[], Some(body.into())).await.unwrap();
    assert_eq!(resp.status, 201);
    // Errors carry the status and request id as for any call; 423 is retried.
    let before = emu.request_count("getProject");
    emu.add_fault(status_fault("getProject", 423, 1));
    c.request(HttpMethod::Get, &format!("/projects/{}", p.project.id), &[], None).await.unwrap();
    assert_eq!(emu.request_count("getProject") - before, 2, "one 423 and its retry");
    let err = c.request(HttpMethod::Get, "/projects/no-such-project-1", &[], None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.status(), Some(404));
    assert!(err.request_id().is_some());
    assert_eq!(err.operation(), Some("request"));
}

#[tokio::test]
async fn bad_raw_paths_are_refused_before_any_request() {
    let emu = emulator().await;
    let c = client(&emu);
    for (path, why) in [
        ("projects", "must start with '/'"),
        ("/projects?limit=1", "must not hold a query"),
        ("/projects/../api_keys", "'..' segments"),
        ("/projects//x", "empty"),
        ("/projects/a b", "percent-encoded"),
        ("/projects/%zz", "percent-escape"),
    ] {
        let err = c.request(HttpMethod::Get, path, &[], None).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{path}");
        assert!(err.message().contains(why), "{path}: {err}");
    }
    let err = c.request(HttpMethod::Post, "/projects", &[], Some(b"{not json".to_vec().into())).await.unwrap_err();
    assert!(err.message().contains("not valid JSON"), "{err}");
    let err = c.request(HttpMethod::Get, &format!("/projects/{}", emu.api_key()), &[], None).await.unwrap_err();
    assert!(!err.message().contains(emu.api_key()), "{err}");
    assert_eq!(emu.request_count("getProject") + emu.request_count("listProjects"), 0);
    assert!(HttpMethod::parse("TRACE").is_err());
    assert_eq!(HttpMethod::parse("get").unwrap(), HttpMethod::Get);
}

#[tokio::test]
async fn typed_calls_give_their_response_metadata_with_with_response() {
    let emu = emulator().await;
    let c = client(&emu);
    let p = new_project(&c, "meta").await;
    let traced = c.with_options(&CallOptions::default().header("X-Request-Id", "typed-trace-1")).unwrap();
    let (got, info) = neonkit::with_response(traced.projects().get(&p.project.id)).await.unwrap();
    assert_eq!(got.project.id, p.project.id);
    assert_eq!(info.status, 200);
    assert_eq!(info.request_id.as_deref(), Some("typed-trace-1"));
    assert!(info.header("Content-Type").is_some_and(|v| v.starts_with("application/json")));
    // A call that waits for its operations reports its own response, not the polls'.
    let (made, info) = neonkit::with_response(c.branches().create(&p.project.id, Some(&branch_body("m")))).await.unwrap();
    assert_eq!(info.status, 201);
    assert_eq!(made.branch.name, "m");
    let err = neonkit::with_response(c.projects().get("no-such-project-1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn the_blocking_client_gives_metadata_too() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(emulator());
    let c = client(&emu).blocking();
    let (page, info) = neonkit::blocking::with_response(|| c.projects().list(&Default::default())).unwrap();
    assert!(page.projects.is_empty());
    assert_eq!(info.status, 200);
    assert!(info.request_id.is_some());
}

#[tokio::test]
async fn a_body_field_of_the_wrong_type_is_refused_with_its_path_before_any_request() {
    use neonkit::kernel::Body;
    let emu = emulator().await;
    let c = client(&emu);
    let refused = |op: &'static str, body: &'static str| {
        let c = c.clone();
        async move {
            let e = c.call_by_id(op, vec![], vec![], Body::Json(body.into())).await.unwrap_err();
            assert_eq!((e.kind(), e.status(), e.operation()), (ErrorKind::InvalidArgument, None, Some(op)), "{e}");
            e.message().to_string()
        }
    };
    assert_eq!(
        refused("createProject", r#"{"project": {"name": 123}}"#).await,
        "the request body of createProject: project.name: expected a string, got 123"
    );
    assert_eq!(
        refused("createProject", r#"{"project": {"history_retention_seconds": "a secret-looking text"}}"#).await,
        "the request body of createProject: project.history_retention_seconds: expected an integer, got a string"
    );
    assert_eq!(
        refused("createProject", r#"{"project": []}"#).await,
        "the request body of createProject: project: expected an object, got an array"
    );
    assert_eq!(emu.request_count("createProject"), 0);
    // Unknown fields pass: the API grows.
    let ok = c.call_by_id("createProject", vec![], vec![], Body::Json(r#"{"project": {"name": "x", "future_field": 1}}"#.into())).await;
    assert!(ok.is_ok(), "{:?}", ok.err());
}
