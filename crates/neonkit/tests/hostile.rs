//! A deliberately hostile server and real recorded shapes: what made the core
//! panic, hang, loop, use unbounded memory, resend a POST or return a wrong
//! result. Each test failed before the fix it names (the correctness issue's
//! item numbers are in the test names' comments).

mod common;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use neonkit::models::*;
use neonkit::transport::{HttpResponse, TransportError};
use neonkit::{Client, ClientOptions, ErrorKind, RetryPolicy, WaitOptions};
use neonkit_emulator::{EmulatorConfig, FaultKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use common::*;

// ---------------------------------------------------------------- an injected transport

fn reply(status: u16, body: impl Into<bytes::Bytes>) -> Reply {
    Ok(HttpResponse::new(status, body))
}

fn with_retry_after(status: u16, value: &str) -> Reply {
    let mut r = HttpResponse::new(status, r#"{"code": "", "message": "slow down"}"#);
    r.retry_after = Some(value.into());
    Ok(r)
}

const KEY: &str = "napi_k3y0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdef";

fn scripted_client(t: Arc<Scripted>) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url("http://127.0.0.1:9/api/v2")
        .retry_policy(RetryPolicy { max_retries: 3, initial_backoff: Duration::from_millis(5), max_backoff: Duration::from_millis(20) })
        .transport(t)
        .build()
        .unwrap()
}

// ---------------------------------------------------------------- a raw HTTP server

/// Serves each connection with `respond(request_head) -> raw response bytes`,
/// and counts the requests it read.
struct Raw {
    url: String,
    requests: Arc<AtomicUsize>,
}

async fn raw_server(respond: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static) -> Raw {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let count = requests.clone();
    let respond = Arc::new(respond);
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (count, respond) = (count.clone(), respond.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let mut head = String::new();
                while !head.contains("\r\n\r\n") {
                    let Ok(n) = sock.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    head.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
                count.fetch_add(1, Ordering::SeqCst);
                let out = respond(&head);
                let _ = sock.write_all(&out).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Raw { url, requests }
}

fn http_response(status: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

fn raw_client(url: &str) -> Client {
    Client::builder().api_key(KEY).base_url(format!("{url}/api/v2")).retry_policy(fast_retries(2)).build().unwrap()
}

// ---------------------------------------------------------------- wrong results

/// Item 1: a read that lists operations never waits for them.
#[tokio::test]
async fn listing_operations_does_not_wait_for_them() {
    let emu = common::emulator().await;
    let c = client(&emu);
    let p = new_project(&c, "history").await;
    emu.add_fault(fault("createProjectBranch", FaultKind::FailOperation { error: Some("disk quota exceeded".into()) }, 1));
    let err = c.branches().create(&p.project.id, None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OperationFailed);
    let before = emu.request_count("getProjectOperation");
    let page = c.operations().list(&p.project.id, &Default::default()).await.expect("a listing with a failed operation is fine");
    assert!(page.operations.iter().any(|o| o.status == OperationStatus::Failed));
    let all: Vec<Operation> = c.operations().iter(&p.project.id, &Default::default()).try_collect().await.unwrap();
    assert!(all.iter().any(|o| o.status == OperationStatus::Failed));
    assert_eq!(emu.request_count("getProjectOperation"), before, "no operation was polled");
}

/// Item 2: a call that waited returns its resources as they are after its operations.
#[tokio::test]
async fn a_waited_branch_and_its_endpoint_are_returned_ready() {
    let emu = emulator_with(EmulatorConfig { operation_duration: Duration::from_millis(60), ..Default::default() }).await;
    let c = client(&emu);
    let p = new_project(&c, "fresh").await;
    let body = CreateProjectBranchRequest {
        endpoints: Some(vec![BranchCreateRequestEndpointOptions { r#type: EndpointType::ReadWrite, ..Default::default() }]),
        ..Default::default()
    };
    let created = c.branches().create(&p.project.id, Some(&body)).await.unwrap();
    assert!(created.operations.iter().all(|o| o.status == OperationStatus::Finished));
    assert_eq!(created.branch.current_state, "ready");
    assert_ne!(created.endpoints[0].current_state, EndpointState::Init);
    let read = c.branches().get(&p.project.id, &created.branch.id).await.unwrap();
    assert_eq!(read.branch.current_state, created.branch.current_state);
}

/// The body a client with a default org sends for this createProject body.
async fn sent_with_default_org(body: &ProjectCreateRequest) -> serde_json::Value {
    let t = Scripted::new(vec![reply(201, include_str!("data/created_project.json"))]);
    let c = Client::builder()
        .api_key(KEY)
        .base_url("http://127.0.0.1:9/api/v2")
        .org_id("org-quiet-sun-123")
        .transport(t.clone())
        .build()
        .unwrap();
    c.with_wait(false).projects().create(body).await.unwrap();
    let sent = t.seen.lock().unwrap()[0].body.clone().unwrap();
    serde_json::from_slice(&sent).unwrap()
}

/// Item 3: the client's org_id reaches createProject's body.
#[tokio::test]
async fn the_client_org_id_goes_into_the_create_project_body() {
    let named = ProjectCreateRequest {
        project: ProjectCreateRequestProject { name: Some("x".into()), ..Default::default() },
        ..Default::default()
    };
    let sent = sent_with_default_org(&named).await;
    assert_eq!(sent["project"]["org_id"], "org-quiet-sun-123");
    assert_eq!(sent["project"]["name"], "x");
    // One the body gives is kept.
    let own = ProjectCreateRequest {
        project: ProjectCreateRequestProject { org_id: Some("org-other-1".into()), ..Default::default() },
        ..Default::default()
    };
    assert_eq!(sent_with_default_org(&own).await["project"]["org_id"], "org-other-1");
}

/// Item 4: unknown fields survive a decode–encode round trip; fields real
/// responses omit are absent, not defaults.
#[test]
fn unknown_fields_are_kept_and_omitted_fields_are_absent() {
    let recorded = include_str!("data/project_2024.json");
    let project: ProjectResponse = serde_json::from_str(recorded).unwrap();
    let again = serde_json::to_value(&project).unwrap();
    assert_eq!(again["project"]["settings"]["allowed_ips"]["primary_branch_only"], true);
    assert_eq!(again["project"]["a_field_from_2024"], "kept");
    assert!(format!("{project:?}").contains("a_field_from_2024"), "Debug names unknown fields");

    let branch: Branch = serde_json::from_str(include_str!("data/branch_2024.json")).unwrap();
    assert_eq!(branch.default, None, "absent, not false");
    let key: ApiKeyCreateResponse =
        serde_json::from_str(r#"{"id": 1, "key": "napi_x", "name": "k", "created_at": "2024-01-01T00:00:00Z"}"#).unwrap();
    assert_eq!(key.created_by, None);
}

/// Item 5: a response that is not the documented shape at the top level is a
/// Decode error naming the operation.
#[tokio::test]
async fn wrong_top_level_shapes_are_decode_errors() {
    let bodies: Vec<(u16, &[u8], &str)> = vec![
        (200, br#"{"project": "hello"}"#, "field project is a string"),
        (200, b"null", "null"),
        (200, b"", "empty"),
        (204, b"", "empty"),
        (200, br#"{"other": 1}"#, "field project is missing"),
        (200, br#"[1, 2]"#, "an array"),
        (200, br#"{"project": {"id": NaN}}"#, "not valid JSON"),
        (200, b"{\"project\": {\"name\": \"\xff\"}}", "not UTF-8"),
    ];
    for (status, body, why) in bodies {
        let t = Scripted::new(vec![reply(status, body.to_vec())]);
        let err = scripted_client(t.clone()).projects().get("p-1").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{body:?}");
        assert_eq!(err.operation(), Some("getProject"));
        assert!(err.message().contains(why), "{body:?}: {}", err.message());
        // The dynamic entry (what every binding calls) says the same.
        let t = Scripted::new(vec![reply(status, body.to_vec())]);
        let op = neonkit::find_operation("getProject").unwrap();
        let err = scripted_client(t).call(op, &["p-1"], &[], neonkit::Payload::None).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert!(err.message().contains(why), "{body:?}: {}", err.message());
    }
}

// ---------------------------------------------------------------- panics, hangs and unbounded work

/// Item 6: any Retry-After gives the status's own error or a bounded wait.
#[tokio::test]
async fn huge_retry_after_values_give_the_status_error() {
    for value in ["18446744073709551615", "9223372036854775807", "1e19", "1e300", "inf", "-5", "NaN"] {
        for status in [429u16, 400, 503] {
            let t = Scripted::new(vec![with_retry_after(status, value), reply(200, include_str!("data/project_2024.json"))]);
            match scripted_client(t.clone()).projects().get("p-1").await {
                Ok(_) => assert!(t.calls() == 2 && value.starts_with('-') || value == "NaN", "{status} {value}"),
                Err(e) => assert_eq!(e.status(), Some(status), "{value}"),
            }
        }
    }
}

/// Item 7: out-of-range options are a config error naming the option and its range.
#[test]
fn out_of_range_options_are_config_errors() {
    let cases: Vec<(ClientOptions, &str)> = vec![
        (
            ClientOptions { timeout: Some(1e19), ..Default::default() },
            "timeout must be a number of seconds greater than 0 and at most 86400",
        ),
        (ClientOptions { timeout: Some(0.0), ..Default::default() }, "timeout must be"),
        (ClientOptions { timeout: Some(-1.0), ..Default::default() }, "timeout must be"),
        (ClientOptions { timeout: Some(f64::NAN), ..Default::default() }, "timeout must be"),
        (ClientOptions { wait_timeout: Some(1e19), ..Default::default() }, "wait_timeout must be"),
        (ClientOptions { wait_poll_interval: Some(1e19), ..Default::default() }, "wait_poll_interval must be"),
        (
            ClientOptions { retry_initial_backoff: Some(1e19), ..Default::default() },
            "retry_initial_backoff must be a number of seconds from 0 to 3600",
        ),
        (ClientOptions { max_retries: Some(1 << 32), ..Default::default() }, "max_retries must be a whole number from 0 to 100"),
        (ClientOptions { max_retries: Some(-1), ..Default::default() }, "max_retries must be"),
        (ClientOptions { max_response_bytes: Some(10), ..Default::default() }, "max_response_bytes must be"),
    ];
    for (mut opts, text) in cases {
        opts.api_key = Some(KEY.into());
        let err = opts.builder().and_then(|b| b.build()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains(text), "{}", err.message());
    }
    // Rust's own builder applies the same ranges.
    let err = Client::builder().api_key(KEY).timeout(Duration::from_secs(u64::MAX / 2)).build().unwrap_err();
    assert!(err.message().starts_with("timeout must be"), "{}", err.message());
    let err = Client::builder()
        .api_key(KEY)
        .retry_policy(RetryPolicy { max_backoff: Duration::from_secs(1 << 40), ..Default::default() })
        .build()
        .unwrap_err();
    assert!(err.message().starts_with("retry_max_backoff must be"), "{}", err.message());
    let err = Client::builder()
        .api_key(KEY)
        .wait_options(WaitOptions { timeout: Duration::from_secs(u64::MAX), ..Default::default() })
        .build()
        .unwrap_err();
    assert!(err.message().starts_with("wait_timeout must be"), "{}", err.message());
    // The largest allowed values work.
    let opts = ClientOptions { api_key: Some(KEY.into()), timeout: Some(86_400.0), max_retries: Some(100), ..Default::default() };
    opts.builder().unwrap().build().unwrap();
}

/// Item 9: cursors that cycle a, b, a end the walk.
#[tokio::test]
async fn cycling_cursors_end_the_walk() {
    let page = |cursor: &str| {
        reply(
            200,
            format!(
                r#"{{"branches": [{{"id": "br-{cursor}", "project_id": "p-1", "name": "{cursor}"}}], "pagination": {{"next": "{cursor}"}}}}"#
            ),
        )
    };
    let t = Scripted::new(vec![page("a"), page("b"), page("a"), page("b"), page("a")]);
    let q = neonkit::operations::ListProjectBranchesQuery { limit: Some(1), ..Default::default() };
    let all: Vec<Branch> = scripted_client(t.clone()).branches().iter("p-1", &q).try_collect().await.unwrap();
    assert_eq!(t.calls(), 3, "a, b, then a again: stop");
    assert_eq!(all.len(), 3);
}

/// Item 10: a body over max_response_bytes fails with a typed error, counted
/// as read: announced, endless (chunked) and gzip-inflated bodies alike.
#[tokio::test]
async fn response_size_is_bounded() {
    let big = raw_server(|_| http_response("200 OK", &[("Content-Type", "application/json".into())], &vec![b' '; 3 << 20])).await;
    let endless = raw_server(|_| {
        let mut out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
        let chunk = vec![b' '; 64 << 10];
        for _ in 0..64 {
            out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            out.extend_from_slice(&chunk);
            out.extend_from_slice(b"\r\n");
        }
        out
    })
    .await;
    let bomb = raw_server(|_| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![b' '; 64 << 20]).unwrap();
        let body = gz.finish().unwrap();
        http_response("200 OK", &[("Content-Encoding", "gzip".into()), ("Content-Type", "application/json".into())], &body)
    })
    .await;
    for server in [&big, &endless, &bomb] {
        let c = Client::builder().api_key(KEY).base_url(format!("{}/api/v2", server.url)).max_response_bytes(1 << 20).build().unwrap();
        let err = c.projects().get("p-1").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
        assert!(err.message().contains("larger than max_response_bytes"), "{err}");
        assert_eq!(server.requests.load(Ordering::SeqCst), 1, "not retried");
    }
    // The dynamic entry and an injected transport are bounded too.
    let t = Scripted::new(vec![reply(200, vec![b' '; 4096])]);
    let c = Client::builder().api_key(KEY).base_url("http://127.0.0.1:9/api/v2").max_response_bytes(2048).transport(t).build().unwrap();
    assert_eq!(c.projects().get("p-1").await.unwrap_err().kind(), ErrorKind::Decode);
}

/// Item 11: an argument over its bound is refused before any request.
#[tokio::test]
async fn huge_arguments_are_invalid_before_any_request() {
    let t = Scripted::new(vec![]);
    let c = scripted_client(t.clone());
    let name = "n".repeat(200_000);
    let err = c.databases().get("p-1", "br-1", &name).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("at most 1024 bytes"), "{}", err.message());
    assert!(err.message().len() < 200, "the value is not echoed whole");
    let q = neonkit::operations::ListProjectsQuery { search: Some("s".repeat(10_000)), ..Default::default() };
    let err = c.projects().list(&q).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(t.calls(), 0);
}

// ---------------------------------------------------------------- retries

/// Item 12: a connection attempt that hangs (a full listen backlog) is retried
/// for every method: nothing was sent.
#[tokio::test]
async fn a_hanging_connect_is_retried() {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    // Fill the accept queue, so the kernel drops the client's SYN.
    let mut fillers = Vec::new();
    for _ in 0..8 {
        match tokio::time::timeout(Duration::from_millis(100), tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(s)) => fillers.push(s),
            _ => break,
        }
    }
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(700)).await;
        drop(fillers);
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let count = count.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut n = 0;
                while !String::from_utf8_lossy(&buf[..n]).contains("\r\n\r\n") {
                    match sock.read(&mut buf[n..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(k) => n += k,
                    }
                }
                count.fetch_add(1, Ordering::SeqCst);
                let body = include_str!("data/created_project.json").as_bytes();
                let _ = sock.write_all(&http_response("201 Created", &[], body)).await;
            });
        }
    });
    let c = Client::builder()
        .api_key(KEY)
        .base_url(format!("http://{addr}/api/v2"))
        .connect_timeout(Duration::from_millis(250))
        .retry_policy(RetryPolicy { max_retries: 8, initial_backoff: Duration::from_millis(50), max_backoff: Duration::from_millis(100) })
        .build()
        .unwrap();
    let body = ProjectCreateRequest::default();
    let created = c.with_wait(false).projects().create(&body).await.expect("a POST that never connected is retried");
    assert!(!created.project.id.is_empty());
    assert_eq!(served.load(Ordering::SeqCst), 1, "sent once");
}

/// Item 13: after the API accepted a POST, a failing wait says what was made
/// and is not retryable (a retry would make a second branch).
#[tokio::test]
async fn a_failing_wait_after_an_accepted_post_is_not_retryable() {
    let emu = emulator_with(EmulatorConfig { operation_duration: Duration::from_millis(200), ..Default::default() }).await;
    let c = client(&emu);
    let p = new_project(&c, "accepted").await;
    emu.add_fault(status_fault("getProjectOperation", 500, 1000));
    let err = c.branches().create(&p.project.id, None).await.unwrap_err();
    emu.clear_faults();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert!(!err.is_retryable(), "{err}");
    assert!(err.is_accepted());
    assert!(err.message().contains("createProjectBranch was accepted (branch br-"), "{}", err.message());
    assert!(!err.pending_operations().is_empty(), "the operations to wait for are named");
    let done = c.wait_for_operation_ids(&p.project.id, err.pending_operations()).await.unwrap();
    assert!(done.iter().all(|o| o.status == OperationStatus::Finished));
    assert_eq!(c.branches().list(&p.project.id, &Default::default()).await.unwrap().branches.len(), 2, "one branch made");
}

/// Item 14: redirects are never followed: a redirected POST is not sent again.
#[tokio::test]
async fn redirects_are_not_followed() {
    let elsewhere = raw_server(|_| http_response("201 Created", &[], include_str!("data/created_project.json").as_bytes())).await;
    let target = format!("{}/api/v2/projects", elsewhere.url);
    for status in ["307 Temporary Redirect", "308 Permanent Redirect", "302 Found"] {
        let target = target.clone();
        let origin = raw_server(move |_| http_response(status, &[("Location", target.clone())], b"")).await;
        let err = raw_client(&origin.url).projects().create(&ProjectCreateRequest::default()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Api);
        assert!(err.message().contains("redirect"), "{}", err.message());
        assert_eq!(origin.requests.load(Ordering::SeqCst), 1);
    }
    assert_eq!(elsewhere.requests.load(Ordering::SeqCst), 0, "nothing reached the redirect's target");
}

/// Item 15: POSTs after pauses around the server's idle timeout all succeed.
#[test]
fn posts_around_the_server_idle_timeout_succeed() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = EmulatorConfig { idle_timeout: Some(Duration::from_millis(50)), operation_duration: Duration::ZERO, ..Default::default() };
    let emu = rt.block_on(emulator_with(config));
    // The client's pool idle timeout below the server's: the client ends idle connections first.
    let async_client = builder(&emu).retry_policy(RetryPolicy::none()).pool_idle_timeout(Duration::from_millis(30)).build().unwrap();
    let blocking = async_client.blocking();
    let body = ProjectCreateRequest::default();
    let mut failures = Vec::new();
    for i in 0..60u64 {
        std::thread::sleep(Duration::from_millis(40 + (i * 7) % 26));
        if let Err(e) = blocking.projects().create(&body) {
            failures.push(format!("blocking {i}: {e}"));
        }
        std::thread::sleep(Duration::from_millis(40 + (i * 11) % 26));
        if let Err(e) = rt.block_on(async_client.projects().create(&body)) {
            failures.push(format!("async {i}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

// ---------------------------------------------------------------- secrets

/// Item 18: arguments are cut short in messages; the client's key never appears;
/// a base URL with a password is refused without showing it.
#[tokio::test]
async fn messages_never_show_the_key_or_long_arguments() {
    let t = Scripted::new(vec![]);
    let c = scripted_client(t.clone());
    let err = c.projects().get(KEY).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(!err.to_string().contains(KEY) && !format!("{err:?}").contains(&KEY[10..30]), "{err}");
    let q = neonkit::operations::ListProjectsQuery { search: Some(KEY.into()), ..Default::default() };
    let err = c.projects().list(&q).await.unwrap_err();
    assert!(!err.to_string().contains(&KEY[10..30]), "{err}");
    let long = format!("Not-An-Id-{}", "x".repeat(100));
    let err = c.projects().get(&long).await.unwrap_err();
    assert!(err.message().contains("Not-An-Id-") && !err.message().contains(&long), "{}", err.message());
    assert_eq!(t.calls(), 0);

    let err = Client::builder().api_key(KEY).base_url("https://user:hunter2secret@console.neon.tech/api/v2").build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.message().contains("must not contain a user name or password"), "{}", err.message());
    assert!(!err.to_string().contains("hunter2secret") && !format!("{err:?}").contains("hunter2secret"));
    let err = Client::builder().api_key(KEY).base_url("ftp://user:hunter2secret@example.com").build().unwrap_err();
    assert!(!err.to_string().contains("hunter2secret"), "{err}");
}

/// Item 16: fields named like secrets are hidden from Debug though the spec does not mark them.
#[test]
fn unmarked_secrets_are_hidden_from_debug() {
    let uri: ConnectionURIResponse = serde_json::from_str(r#"{"uri": "postgresql://app:npg_s3cr3t@ep-x.neon.tech/db"}"#).unwrap();
    assert!(!format!("{uri:?}").contains("npg_s3cr3t"));
    let provider: NeonAuthOauthProvider =
        serde_json::from_str(r#"{"id": "google", "type": "standard", "client_id": "c", "client_secret": "cs_s3cr3t"}"#).unwrap();
    assert!(!format!("{provider:?}").contains("cs_s3cr3t"));
    assert_eq!(provider.client_secret.as_deref(), Some("cs_s3cr3t"));
}

/// Item 13, the other half: a POST that may have reached the server (a 500, a
/// broken connection) is not retryable for the caller either; a GET is.
#[tokio::test]
async fn a_post_that_may_have_been_applied_is_not_retryable() {
    let t = Scripted::new(vec![reply(500, r#"{"code": "", "message": "oops"}"#)]);
    let err = scripted_client(t.clone()).projects().create(&ProjectCreateRequest::default()).await.unwrap_err();
    assert_eq!((err.kind(), err.status(), t.calls()), (ErrorKind::Server, Some(500), 1));
    assert!(!err.is_retryable(), "a second POST could make a second project");
    let t = Scripted::new(vec![Err(TransportError {
        kind: neonkit::transport::TransportErrorKind::Other,
        message: "reset".into(),
        source: None,
    })]);
    let err = scripted_client(t).projects().create(&ProjectCreateRequest::default()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert!(!err.is_retryable());
    let t = Scripted::new(vec![reply(500, "{}"), reply(500, "{}"), reply(500, "{}"), reply(500, "{}")]);
    let err = scripted_client(t).projects().get("p-1").await.unwrap_err();
    assert!(err.is_retryable(), "a GET may be sent again");
    let t = Scripted::new((0..4).map(|_| reply(503, "{}")).collect());
    let err = scripted_client(t).projects().create(&ProjectCreateRequest::default()).await.unwrap_err();
    assert!(err.is_retryable(), "503 is safe to resend, the spec says");
}
