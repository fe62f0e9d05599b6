//! getProject throughput over keep-alive connections (a floor, not a benchmark:
//! debug builds on a loaded machine are far slower than the release server).

use neonkit_emulator::{Emulator, EmulatorConfig};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_project_throughput() {
    let emu = Emulator::start(EmulatorConfig { operation_duration: Duration::ZERO, ..Default::default() }).await.unwrap();
    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    let v: serde_json::Value = http
        .post(format!("{}/projects", emu.base_url()))
        .bearer_auth(emu.api_key())
        .json(&serde_json::json!({"project": {"name": "perf"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = format!("{}/projects/{}", emu.base_url(), v["project"]["id"].as_str().unwrap());
    let done = Arc::new(AtomicU64::new(0));
    let window = Duration::from_millis(1500);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (http, url, done, key) = (http.clone(), url.clone(), done.clone(), emu.api_key().to_string());
        tasks.push(tokio::spawn(async move {
            while start.elapsed() < window {
                let r = http.get(&url).bearer_auth(&key).send().await.unwrap();
                assert_eq!(r.status().as_u16(), 200);
                r.bytes().await.unwrap();
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let n = done.load(Ordering::Relaxed);
    let rps = n as f64 / start.elapsed().as_secs_f64();
    eprintln!("getProject: {n} requests, {rps:.0} req/s (client and server share the machine)");
    assert!(rps > 300.0, "{rps:.0} req/s");
    assert_eq!(emu.request_count("getProject"), n);
}
