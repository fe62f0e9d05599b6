//! What the emulator cannot produce, through an injected transport: HTTP-date
//! Retry-After, request ids only in the header, connect vs. mid-request
//! failures, unknown enum values and fields, decode errors that must not echo
//! secrets, and the bucket-object cursor shape.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures::TryStreamExt;
use neonkit::models::*;
use neonkit::operations::*;
use neonkit::transport::{HttpResponse, TransportError, TransportErrorKind};
use neonkit::{Client, ErrorKind, RetryPolicy};

use common::{Reply, Scripted};

fn ok(status: u16, body: &str) -> Reply {
    Ok(HttpResponse {
        status,
        request_id: Some("hdr-req-id".into()),
        retry_after: None,
        headers: Vec::new(),
        body: body.to_string().into(),
    })
}

fn transport_err(kind: TransportErrorKind) -> Reply {
    Err(TransportError { kind, message: "scripted failure".into(), source: None })
}

fn client(t: Arc<Scripted>) -> Client {
    Client::builder()
        .api_key("secret-key-123")
        .base_url("http://127.0.0.1:9/api/v2")
        .retry_policy(RetryPolicy { max_retries: 3, initial_backoff: Duration::from_millis(5), max_backoff: Duration::from_millis(20) })
        .transport(t)
        .build()
        .unwrap()
}

const PROJECT: &str = r#"{"project": {"id": "p-1", "platform_id": "aws", "region_id": "aws-us-east-2", "name": "x",
  "provisioner": "k8s-neonvm", "pg_version": 17, "proxy_host": "h", "branch_logical_size_limit": 0,
  "branch_logical_size_limit_bytes": 0, "store_passwords": true, "active_time": 0, "cpu_used_sec": 0,
  "creation_source": "console", "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
  "owner_id": "o", "history_retention_seconds": 86400, "a_field_from_the_future": {"x": 1}}}"#;

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let when = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    let t = Scripted::new(vec![
        Ok(HttpResponse { status: 429, request_id: None, retry_after: Some(when), headers: Vec::new(), body: "{}".into() }),
        ok(200, PROJECT),
    ]);
    let started = Instant::now();
    client(t.clone()).projects().get("p-1").await.unwrap();
    // HTTP dates have one-second resolution: at least ~1 s must have passed.
    assert!(started.elapsed() >= Duration::from_millis(900), "{:?}", started.elapsed());
    assert_eq!(t.calls(), 2);
}

#[tokio::test]
async fn request_id_comes_from_the_header_when_the_body_lacks_it() {
    let t = Scripted::new(vec![ok(404, r#"{"message": "not here"}"#)]);
    let err = client(t).projects().get("p-1").await.unwrap_err();
    assert_eq!(err.request_id(), Some("hdr-req-id"));
    assert_eq!(err.message(), "not here");
    assert_eq!(err.code(), "");
    let t = Scripted::new(vec![ok(404, r#"{"code": "X", "message": "m", "request_id": "body-id"}"#)]);
    let err = client(t).projects().get("p-1").await.unwrap_err();
    assert_eq!(err.request_id(), Some("body-id"));
    assert_eq!(err.code(), "X");
}

#[tokio::test]
async fn an_error_body_that_is_not_json_still_gives_a_useful_error() {
    let t = Scripted::new(vec![ok(406, "<html>nope</html>")]);
    let err = client(t).projects().get("p-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(406));
    assert!(err.message().contains("406"));
}

#[tokio::test]
async fn a_post_that_never_connected_is_retried_one_that_timed_out_is_not() {
    let t = Scripted::new(vec![
        transport_err(TransportErrorKind::Connect),
        transport_err(TransportErrorKind::Connect),
        ok(200, r#"{"id": 1, "key": "k", "name": "n", "created_at": "t", "created_by": "u"}"#),
    ]);
    client(t.clone()).api_keys().create(&ApiKeyCreateRequest { key_name: "n".into(), ..Default::default() }).await.unwrap();
    assert_eq!(t.calls(), 3);

    let t = Scripted::new(vec![transport_err(TransportErrorKind::Timeout)]);
    let err = client(t.clone()).api_keys().create(&ApiKeyCreateRequest { key_name: "n".into(), ..Default::default() }).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(t.calls(), 1);

    let t = Scripted::new(vec![transport_err(TransportErrorKind::Other)]);
    let err = client(t.clone()).api_keys().create(&ApiKeyCreateRequest { key_name: "n".into(), ..Default::default() }).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert_eq!(t.calls(), 1);
}

#[tokio::test]
async fn unknown_fields_and_enum_values_decode() {
    let t = Scripted::new(vec![ok(200, PROJECT)]);
    assert_eq!(client(t).projects().get("p-1").await.unwrap().project.name, "x", "an unknown field is ignored");
    let op = r#"{"operation": {"id": "00000000-0000-0000-0000-000000000001", "project_id": "p-1", "action": "teleport_branch",
        "status": "quantum_superposition", "failures_count": 0, "created_at": "t", "updated_at": "t", "total_duration_ms": 1}}"#;
    let t = Scripted::new(vec![ok(200, op)]);
    let got = client(t).operations().get("p-1", "00000000-0000-0000-0000-000000000001").await.unwrap().operation;
    assert_eq!(got.status, OperationStatus::Unknown("quantum_superposition".into()));
    assert_eq!(got.action.as_str(), "teleport_branch");
    assert_eq!(serde_json::to_value(&got.status).unwrap(), serde_json::json!("quantum_superposition"));
}

#[tokio::test]
async fn decode_errors_do_not_echo_values() {
    // A role whose `name` has the wrong type next to a password: the error must not contain the password.
    let body = r#"{"role": {"branch_id": "b", "name": 5, "password": "npg_supersecret", "protected": false,
        "created_at": "t", "updated_at": "t"}, "operations": []}"#;
    let t = Scripted::new(vec![ok(200, body)]);
    let err = client(t).roles().get("p-1", "br-1", "r").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(!format!("{err} {err:?}").contains("npg_supersecret"));
    let body = r#"{"role": {"branch_id": "b", "name": "n", "password": 7, "protected": false, "created_at": "t", "updated_at": "t"}}"#;
    let t = Scripted::new(vec![ok(200, body)]);
    let err = client(t).roles().get("p-1", "br-1", "r").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
}

#[tokio::test]
async fn secrets_stay_out_of_debug_and_requests_keep_the_key_in_one_header() {
    let t = Scripted::new(vec![ok(200, PROJECT)]);
    let c = client(t.clone());
    assert!(!format!("{c:?}").contains("secret-key-123"));
    c.projects().get("p-1").await.unwrap();
    let seen = t.seen.lock().unwrap();
    assert_eq!(seen[0].authorization, "Bearer secret-key-123");
    assert!(!format!("{:?}", seen[0]).contains("secret-key-123"));
    assert!(!seen[0].url.as_str().contains("secret"));
    let details = ConnectionDetails {
        connection_uri: "postgresql://u:npg_pw@host/db".into(),
        connection_parameters: ConnectionParameters {
            database: "db".into(),
            password: "npg_pw".into(),
            role: "u".into(),
            host: "host".into(),
            pooler_host: "host-pooler".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let shown = format!("{details:?}");
    assert!(!shown.contains("npg_pw"), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
}

#[tokio::test]
async fn bucket_objects_follow_next_cursor() {
    let page = |keys: &[&str], next: Option<&str>| {
        let objects: Vec<String> =
            keys.iter().map(|k| format!(r#"{{"key": "{k}", "size": 1, "last_modified": "2024-01-01T00:00:00Z", "etag": "e"}}"#)).collect();
        let next = next.map(|n| format!(r#", "next_cursor": "{n}""#)).unwrap_or_default();
        ok(200, &format!(r#"{{"objects": [{}], "common_prefixes": []{next}}}"#, objects.join(",")))
    };
    let t = Scripted::new(vec![page(&["a", "b"], Some("c1")), page(&["c", "d"], Some("c2")), page(&["e"], None)]);
    let c = client(t.clone());
    let q = ListProjectBranchBucketObjectsQuery { limit: Some(2), ..Default::default() };
    let all: Vec<_> = c.buckets().list_objects_iter("p-1", "br-1", "my bucket", &q).try_collect().await.unwrap();
    assert_eq!(all.len(), 5);
    let seen = t.seen.lock().unwrap();
    assert!(seen[0].url.as_str().contains("/buckets/my%20bucket/objects?limit=2"), "{}", seen[0].url);
    assert!(seen[1].url.as_str().contains("cursor=c1"));
    assert!(seen[2].url.as_str().contains("cursor=c2"));
}

#[tokio::test]
async fn a_repeated_cursor_ends_the_walk() {
    let body = |n: usize| {
        let items: Vec<String> = (0..n).map(|i| format!(r#"{{"key": "k{i}", "size": 1, "last_modified": "t", "etag": "e"}}"#)).collect();
        ok(200, &format!(r#"{{"objects": [{}], "common_prefixes": [], "next_cursor": "same"}}"#, items.join(",")))
    };
    let t = Scripted::new(vec![body(2), body(2)]);
    let q = ListProjectBranchBucketObjectsQuery { limit: Some(2), ..Default::default() };
    let all: Vec<_> = client(t.clone()).buckets().list_objects_iter("p-1", "br-1", "b", &q).try_collect().await.unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(t.calls(), 2);
}

#[tokio::test]
async fn function_deployments_are_sent_as_multipart_with_the_zip_bytes() {
    let t = Scripted::new(vec![ok(201, r#"{"deployment": {}}"#)]);
    let body = FunctionDeployRequest {
        zip: Some(vec![0x50, 0x4b, 0x03, 0x04, 0xff]),
        runtime: Some(FunctionDeployRequestRuntime::Nodejs24),
        environment: Some(r#"{"TOKEN":"s3cr3t"}"#.into()),
        ..Default::default()
    };
    client(t.clone()).functions().create_deployment("p-1", "br-1", "hello", &body).await.unwrap();
    let seen = t.seen.lock().unwrap();
    let ct = seen[0].headers.iter().find(|(k, _)| *k == "Content-Type").map(|(_, v)| v.clone()).unwrap();
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    let sent = seen[0].body.clone().unwrap();
    let text = String::from_utf8_lossy(&sent);
    assert!(text.contains(r#"name="zip"; filename="zip""#), "{text}");
    assert!(sent.windows(5).any(|w| w == [0x50, 0x4b, 0x03, 0x04, 0xff]), "the zip bytes are sent verbatim");
    assert!(text.contains("nodejs24"));
    assert!(seen[0].url.as_str().ends_with("/projects/p-1/branches/br-1/functions/hello/deployments"));
}

#[tokio::test]
async fn bucket_objects_download_as_bytes() {
    let raw: Vec<u8> = vec![0, 159, 146, 150, 255];
    let t = Scripted::new(vec![Ok(HttpResponse {
        status: 200,
        request_id: None,
        retry_after: None,
        headers: Vec::new(),
        body: raw.clone().into(),
    })]);
    let got = client(t.clone()).buckets().get_object("p-1", "br-1", "b", "dir/file name.bin").await.unwrap();
    assert_eq!(&got[..], &raw[..]);
    let seen = t.seen.lock().unwrap();
    assert!(seen[0].url.as_str().ends_with("/objects/dir%2Ffile%20name.bin/download"), "{}", seen[0].url);
}

#[tokio::test]
async fn base_urls_with_and_without_a_path_or_trailing_slash_make_the_same_request_paths() {
    for (base, expected) in [
        ("http://127.0.0.1:9", "http://127.0.0.1:9/projects/p-1"),
        ("http://127.0.0.1:9/", "http://127.0.0.1:9/projects/p-1"),
        ("http://127.0.0.1:9/api/v2/", "http://127.0.0.1:9/api/v2/projects/p-1"),
        ("https://console.neon.tech/api/v2", "https://console.neon.tech/api/v2/projects/p-1"),
    ] {
        let t = Scripted::new(vec![ok(200, PROJECT)]);
        let c = Client::builder().api_key("k").base_url(base).transport(t.clone()).build().unwrap();
        c.projects().get("p-1").await.unwrap();
        assert_eq!(t.seen.lock().unwrap()[0].url.as_str(), expected, "base {base}");
    }
}

#[test]
fn a_base_url_with_a_query_or_fragment_or_no_host_is_a_config_error() {
    for base in ["http://h/api/v2?x=1", "http://h/api/v2#top", "http://", "https://exa mple.com"] {
        let err = Client::builder().api_key("k").base_url(base).build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{base}");
        assert!(err.message().contains("base URL"), "{base}: {}", err.message());
    }
}
