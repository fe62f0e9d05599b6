//! listProjects writes its body by hand (no serde per field, for speed): these check, over
//! real HTTP, that the bytes are exactly what serde_json gives for the same object, for
//! names that need escaping, deleted projects, pages with and without a cursor.

use neonkit_emulator::{Emulator, EmulatorConfig};
use serde_json::{json, Value};
use std::time::Duration;

async fn get_bytes(http: &reqwest::Client, emu: &Emulator, path: &str) -> Vec<u8> {
    let resp = http.get(format!("{}{path}", emu.base_url())).bearer_auth(emu.api_key()).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200, "GET {path}");
    resp.bytes().await.unwrap().to_vec()
}

/// serde_json's own rendering of the parsed body: sorted keys, its escaping and number forms
fn canonical(bytes: &[u8]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::from_slice::<Value>(bytes).expect("the list body is JSON")).unwrap()
}

#[tokio::test]
async fn the_hand_written_project_list_is_byte_for_byte_serde_json() {
    let emu = Emulator::start(EmulatorConfig { operation_duration: Duration::ZERO, ..Default::default() }).await.unwrap();
    let http = reqwest::Client::new();
    let names = ["plain", "say \"hi\"", "quote \" and \\ backslash", "tab\tnew\nline \u{1}", "ünïcødé ✓ 😀", "</script>"];
    let mut ids = vec![];
    for name in names {
        let resp = http
            .post(format!("{}/projects", emu.base_url()))
            .bearer_auth(emu.api_key())
            .json(&json!({"project": {"name": name}}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 201, "create {name:?}");
        ids.push(resp.json::<Value>().await.unwrap()["project"]["id"].as_str().unwrap().to_string());
    }
    let resp = http.delete(format!("{}/projects/{}", emu.base_url(), ids[0])).bearer_auth(emu.api_key()).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);

    let all = get_bytes(&http, &emu, "/projects?limit=400").await;
    assert_eq!(String::from_utf8(all.clone()).unwrap(), String::from_utf8(canonical(&all)).unwrap());
    let listed: Value = serde_json::from_slice(&all).unwrap();
    let listed_names: Vec<&str> = listed["projects"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(listed_names, names[1..].to_vec(), "every name comes back as created, the deleted one left out");
    assert_eq!(listed["pagination"]["cursor"], json!(ids[5]));

    let deleted = get_bytes(&http, &emu, "/projects?recoverable=true").await;
    assert_eq!(deleted, canonical(&deleted));
    let deleted: Value = serde_json::from_slice(&deleted).unwrap();
    assert!(deleted["projects"][0]["deleted_at"].is_string() && deleted["projects"][0]["recoverable_until"].is_string());

    let page = get_bytes(&http, &emu, &format!("/projects?limit=2&cursor={}", ids[2])).await;
    assert_eq!(page, canonical(&page));
    let empty = get_bytes(&http, &emu, "/projects?search=nothing-matches-this").await;
    assert_eq!(empty, canonical(&empty));
    assert_eq!(serde_json::from_slice::<Value>(&empty).unwrap()["projects"], json!([]));
}
