//! The emulator's settable clock (`/_emulator/clock`), over real HTTP on 127.0.0.1:
//! the timestamps it writes follow it, a "stale branches" query finds what was
//! made in the past, and bad input is a 400 naming the field.

use neonkit_emulator::{Emulator, EmulatorConfig};
use serde_json::{json, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

struct T {
    emu: Emulator,
    http: reqwest::Client,
}

impl T {
    async fn new() -> T {
        let config = EmulatorConfig { operation_duration: Duration::ZERO, ..Default::default() };
        T { emu: Emulator::start(config).await.unwrap(), http: reqwest::Client::new() }
    }
    async fn send(&self, method: &str, url: String, body: Option<Value>) -> (u16, Value) {
        let mut rb = self.http.request(method.parse().unwrap(), url).bearer_auth(self.emu.api_key());
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, serde_json::from_str(&resp.text().await.unwrap()).unwrap_or(Value::Null))
    }
    async fn api(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.send(method, format!("{}{path}", self.emu.base_url()), body).await
    }
    async fn clock(&self, method: &str, body: Option<Value>) -> (u16, Value) {
        self.send(method, format!("{}/_emulator/clock", self.emu.base_url().trim_end_matches("/api/v2")), body).await
    }
}

/// Seconds since 1970 of an RFC 3339 UTC time as the API writes it (`…Z`, optional fraction).
fn secs(s: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * m + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    assert!(s.ends_with('Z'), "{s}");
    days * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19)
}

fn real_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn field(v: &Value, key: &str) -> i64 {
    secs(v[key].as_str().unwrap_or_else(|| panic!("no {key} in {v}")))
}

#[tokio::test]
async fn a_branch_made_40_days_ago_is_found_by_a_stale_branches_query() {
    let t = T::new().await;
    let (s, v) = t.clock("GET", None).await;
    assert_eq!(s, 200);
    assert_eq!(v["real"], true);
    assert!((field(&v, "now") - real_now()).abs() <= 1, "{v}");

    // 40 days back, to the second
    let past = real_now() - 40 * 86_400;
    let past_s = rfc3339(past);
    let (s, v) = t.clock("POST", Some(json!({"now": past_s}))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["real"], false);
    assert!((field(&v, "now") - past).abs() <= 1, "{v}");

    let (s, v) = t.api("POST", "/projects", Some(json!({"project": {"name": "clocked"}}))).await;
    assert_eq!(s, 201, "{v}");
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    assert!((field(&v["project"], "created_at") - past).abs() <= 1, "{v}");
    assert!((field(&v["branch"], "created_at") - past).abs() <= 1, "{v}");
    for op in v["operations"].as_array().unwrap() {
        assert!((field(op, "created_at") - past).abs() <= 1, "{op}");
        assert!((field(op, "updated_at") - past).abs() <= 1, "{op}");
    }
    let (s, v) = t.api("POST", &format!("/projects/{pid}/branches"), Some(json!({"branch": {"name": "old"}}))).await;
    assert_eq!(s, 201, "{v}");
    let old = v["branch"]["id"].as_str().unwrap().to_string();
    assert!((field(&v["branch"], "created_at") - past).abs() <= 1, "{v}");
    assert!((field(&v["branch"], "updated_at") - past).abs() <= 1, "{v}");

    let (s, v) = t.clock("DELETE", None).await;
    assert_eq!(s, 200);
    assert_eq!(v["real"], true);
    let (s, v) = t.api("POST", &format!("/projects/{pid}/branches"), Some(json!({"branch": {"name": "new"}}))).await;
    assert_eq!(s, 201, "{v}");
    let new = v["branch"]["id"].as_str().unwrap().to_string();
    assert!((field(&v["branch"], "created_at") - real_now()).abs() <= 1, "{v}");

    // the stale-branches query: not the default branch, created more than 30 days ago
    let (s, v) = t.api("GET", &format!("/projects/{pid}/branches"), None).await;
    assert_eq!(s, 200, "{v}");
    let cutoff = real_now() - 30 * 86_400;
    let branches = v["branches"].as_array().unwrap();
    assert_eq!(branches.len(), 3, "{v}");
    let stale: Vec<&str> =
        branches.iter().filter(|b| b["default"] != true && field(b, "created_at") < cutoff).map(|b| b["id"].as_str().unwrap()).collect();
    assert_eq!(stale, [old.as_str()], "{v}");
    assert!(branches.iter().any(|b| b["id"] == new.as_str()));
}

#[tokio::test]
async fn advancing_moves_the_updated_at_of_what_is_changed_after() {
    let t = T::new().await;
    let (_, v) = t.api("POST", "/projects", Some(json!({"project": {"name": "adv"}}))).await;
    let pid = v["project"]["id"].as_str().unwrap().to_string();
    let (_, v) = t.api("POST", &format!("/projects/{pid}/branches"), Some(json!({"branch": {"name": "b"}}))).await;
    let bid = v["branch"]["id"].as_str().unwrap().to_string();
    let created = field(&v["branch"], "created_at");
    assert!((created - real_now()).abs() <= 1, "{v}");

    let (s, v) = t.clock("POST", Some(json!({"advance_seconds": 3600}))).await;
    assert_eq!(s, 200, "{v}");
    assert!((field(&v, "now") - (real_now() + 3600)).abs() <= 1, "{v}");
    let (s, v) = t.clock("POST", Some(json!({"advance_seconds": 1800}))).await;
    assert_eq!(s, 200, "{v}");
    assert!((field(&v, "now") - (real_now() + 5400)).abs() <= 1, "{v}");
    let (s, v) = t.clock("GET", None).await;
    assert_eq!(s, 200);
    assert_eq!(v["real"], false);

    let (s, v) = t.api("PATCH", &format!("/projects/{pid}/branches/{bid}"), Some(json!({"branch": {"name": "renamed"}}))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(field(&v["branch"], "created_at"), created, "{v}");
    assert!((field(&v["branch"], "updated_at") - (real_now() + 5400)).abs() <= 1, "{v}");
    for op in v["operations"].as_array().into_iter().flatten() {
        assert!((field(op, "created_at") - (real_now() + 5400)).abs() <= 1, "{op}");
    }

    // reset puts the clock back on the real time
    let admin = format!("{}/_emulator/reset", t.emu.base_url().trim_end_matches("/api/v2"));
    assert_eq!(t.send("POST", admin, None).await.0, 200);
    let (_, v) = t.clock("GET", None).await;
    assert_eq!(v["real"], true);
    assert!((field(&v, "now") - real_now()).abs() <= 1, "{v}");
}

#[tokio::test]
async fn the_rust_api_sets_advances_and_restores_the_clock() {
    let t = T::new().await;
    let at = UNIX_EPOCH + Duration::from_secs(secs("2026-01-01T00:00:00Z") as u64);
    t.emu.set_clock(at);
    assert!(t.emu.clock().duration_since(at).unwrap() < Duration::from_secs(1));
    let (_, v) = t.api("POST", "/projects", Some(json!({"project": {"name": "rust"}}))).await;
    assert_eq!(v["project"]["created_at"], "2026-01-01T00:00:00Z", "{v}");
    t.emu.advance_clock(Duration::from_secs(86_400));
    let (_, v) = t.api("POST", "/projects", Some(json!({"project": {"name": "rust2"}}))).await;
    assert_eq!(v["project"]["created_at"], "2026-01-02T00:00:00Z", "{v}");
    t.emu.real_clock();
    let (_, v) = t.clock("GET", None).await;
    assert_eq!(v["real"], true);
}

#[tokio::test]
async fn bad_clock_input_is_a_400_naming_the_field() {
    let t = T::new().await;
    let cases = [
        (json!({"now": "40 days ago"}), "now:"),
        (json!({"now": 17}), "now:"),
        (json!({"now": "1960-01-01T00:00:00Z"}), "now:"),
        (json!({"advance_seconds": -5}), "advance_seconds:"),
        (json!({"advance_seconds": "soon"}), "advance_seconds:"),
        (json!({"now": "2026-01-01T00:00:00Z", "advance_seconds": 1}), "now, advance_seconds:"),
        (json!({}), "now, advance_seconds:"),
        (json!({"later": 1}), "later:"),
    ];
    for (body, start) in cases {
        let (s, v) = t.clock("POST", Some(body.clone())).await;
        assert_eq!(s, 400, "{body}: {v}");
        let msg = v["message"].as_str().unwrap_or_default();
        assert!(msg.starts_with(start), "{body}: {msg}");
    }
    let (s, _) = t.clock("POST", None).await;
    assert_eq!(s, 400);
    // nothing of that moved it
    let (_, v) = t.clock("GET", None).await;
    assert_eq!(v["real"], true, "{v}");
}

fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, (rem % 3600) / 60, rem % 60)
}
