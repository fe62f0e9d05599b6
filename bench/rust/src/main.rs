//! One benchmark figure per run, printed as a JSON line:
//!
//!     neonkit-bench --client async|blocking|bare --op get|list --concurrency N
//!                   (--seconds S | --calls N) --base-url U --api-key K --project-id P
//!
//! `bare` is the wire limit: a keep-alive reqwest GET loop that reads the body and
//! decodes nothing. The driver (bench/run.py) pins this process to one core.
//!
//!     neonkit-bench serve GET_BODY_FILE LIST_BODY_FILE
//!
//! serves the emulator's real getProject and listProjects bodies, byte for byte,
//! from memory (the emulator renders each 400-project list, about half a
//! millisecond, which would partly measure it instead of the clients); prints its
//! base URL first.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use neonkit::operations::ListProjectsQuery;

struct Args {
    client: String,
    op: String,
    concurrency: usize,
    seconds: f64,
    calls: Option<u64>,
    base_url: String,
    api_key: String,
    project_id: String,
}

fn args() -> Args {
    let mut a = Args {
        client: "async".into(),
        op: "get".into(),
        concurrency: 1,
        seconds: 2.0,
        calls: None,
        base_url: String::new(),
        api_key: String::new(),
        project_id: String::new(),
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let v = argv.get(i + 1).cloned().unwrap_or_default();
        match argv[i].as_str() {
            "--client" => a.client = v,
            "--op" => a.op = v,
            "--concurrency" => a.concurrency = v.parse().expect("--concurrency N"),
            "--seconds" => a.seconds = v.parse().expect("--seconds S"),
            "--calls" => a.calls = Some(v.parse().expect("--calls N")),
            "--base-url" => a.base_url = v,
            "--api-key" => a.api_key = v,
            "--project-id" => a.project_id = v,
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    a
}

/// A static server with two real response bodies; it decodes nothing and checks nothing.
fn serve(get_body: &str, list_body: &str) {
    use axum::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
    let get = bytes::Bytes::from(std::fs::read(get_body).expect("getProject body"));
    let list = bytes::Bytes::from(std::fs::read(list_body).expect("listProjects body"));
    let headers = [
        (CONTENT_TYPE, HeaderValue::from_static("application/json")),
        (HeaderName::from_static("x-neon-ret-request-id"), HeaderValue::from_static("00000000-0000-4000-8000-000000000000")),
    ];
    let list_headers = headers.clone();
    let app = axum::Router::new()
        .route("/api/v2/projects", axum::routing::get(move || std::future::ready((list_headers.clone(), list.clone()))))
        .route("/api/v2/projects/{id}", axum::routing::get(move || std::future::ready((headers.clone(), get.clone()))));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("http://{}/api/v2", listener.local_addr().unwrap());
        use std::io::Write;
        std::io::stdout().flush().unwrap();
        axum::serve(listener, app).await.unwrap();
    });
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("serve") {
        return serve(&argv[2], &argv[3]);
    }
    let a = Arc::new(args());
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let budget = a.calls;
    let take = {
        let done = done.clone();
        let stop = stop.clone();
        move || -> bool {
            if stop.load(Ordering::Relaxed) {
                return false;
            }
            match budget {
                Some(n) => done.fetch_add(1, Ordering::Relaxed) < n,
                None => true,
            }
        }
    };
    let timer = {
        let stop = stop.clone();
        let secs = a.seconds;
        let unlimited = a.calls.is_some();
        std::thread::spawn(move || {
            if !unlimited {
                std::thread::sleep(Duration::from_secs_f64(secs));
                stop.store(true, Ordering::Relaxed);
            }
        })
    };
    let count = Arc::new(AtomicU64::new(0));
    match a.client.as_str() {
        "blocking" => {
            let client = neonkit::Client::builder().api_key(&a.api_key).base_url(&a.base_url).build().unwrap().blocking();
            let threads: Vec<_> = (0..a.concurrency)
                .map(|_| {
                    let (client, a, count, take) = (client.clone(), a.clone(), count.clone(), take.clone());
                    std::thread::spawn(move || {
                        while take() {
                            if a.op == "get" {
                                let p = client.projects().get(&a.project_id).unwrap();
                                assert!(!p.project.id.is_empty());
                            } else {
                                let q = ListProjectsQuery { limit: Some(400), ..Default::default() };
                                let page = client.projects().list(&q).unwrap();
                                assert!(!page.projects.is_empty());
                            }
                            count.fetch_add(1, Ordering::Relaxed);
                        }
                    })
                })
                .collect();
            for t in threads {
                t.join().unwrap();
            }
        }
        kind => {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let neon = neonkit::Client::builder().api_key(&a.api_key).base_url(&a.base_url).build().unwrap();
                let bare = reqwest::Client::builder().tcp_nodelay(true).build().unwrap();
                let get_url = format!("{}/projects/{}", a.base_url, a.project_id);
                let list_url = format!("{}/projects?limit=400", a.base_url);
                let auth = format!("Bearer {}", a.api_key);
                let tasks: Vec<_> = (0..a.concurrency)
                    .map(|_| {
                        let (neon, bare, a, count, take) = (neon.clone(), bare.clone(), a.clone(), count.clone(), take.clone());
                        let (get_url, list_url, auth) = (get_url.clone(), list_url.clone(), auth.clone());
                        let kind = kind.to_string();
                        tokio::spawn(async move {
                            while take() {
                                match (kind.as_str(), a.op.as_str()) {
                                    ("bare", op) => {
                                        let url = if op == "get" { &get_url } else { &list_url };
                                        let r = bare.get(url).header("Authorization", &auth).send().await.unwrap();
                                        assert!(r.status().is_success());
                                        let body = r.bytes().await.unwrap();
                                        assert!(!body.is_empty());
                                    }
                                    (_, "get") => {
                                        let p = neon.projects().get(&a.project_id).await.unwrap();
                                        assert!(!p.project.id.is_empty());
                                    }
                                    _ => {
                                        let q = ListProjectsQuery { limit: Some(400), ..Default::default() };
                                        let page = neon.projects().list(&q).await.unwrap();
                                        assert!(!page.projects.is_empty());
                                    }
                                }
                                count.fetch_add(1, Ordering::Relaxed);
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.unwrap();
                }
            });
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let _ = timer.join();
    println!("{{\"calls\": {}, \"seconds\": {elapsed:.6}}}", count.load(Ordering::Relaxed));
}
