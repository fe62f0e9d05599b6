//! Many keep-alive requests in flight: every one answered, every one counted.
//! How fast is a benchmark's question (bench/), not a test's.

use neonkit_emulator::{Emulator, EmulatorConfig};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_keep_alive_clients_get_every_answer() {
    let emu = Emulator::start(EmulatorConfig { operation_duration: Duration::ZERO, ..Default::default() }).await.unwrap();
    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    let v: serde_json::Value = http
        .post(format!("{}/projects", emu.base_url()))
        .bearer_auth(emu.api_key())
        .json(&serde_json::json!({"project": {"name": "load"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = v["project"]["id"].as_str().unwrap().to_string();
    let url = format!("{}/projects/{id}", emu.base_url());
    let done = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (http, url, done, key, id) = (http.clone(), url.clone(), done.clone(), emu.api_key().to_string(), id.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..100 {
                let r = http.get(&url).bearer_auth(&key).send().await.unwrap();
                assert_eq!(r.status().as_u16(), 200);
                let body: serde_json::Value = r.json().await.unwrap();
                assert_eq!(body["project"]["id"].as_str(), Some(id.as_str()));
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(done.load(Ordering::Relaxed), 1600);
    assert_eq!(emu.request_count("getProject"), 1600);
}
