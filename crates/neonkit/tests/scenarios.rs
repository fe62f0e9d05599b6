//! Runs every shared scenario of tests/scenarios/ (see its README) against a
//! fresh emulator, through the core's by-name entry points (`Client::call`,
//! `Client::pager`) that every binding also uses.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use neonkit::{find_operation, Client, Payload, RetryPolicy, WaitOptions};
use neonkit_emulator::{Emulator, EmulatorConfig};
use serde_json::{json, Value};

fn scenario_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/scenarios exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn lookup<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    if dotted.is_empty() {
        return Some(v);
    }
    dotted.split('.').try_fold(v, |cur, key| match key.parse::<usize>() {
        Ok(i) if cur.is_array() => cur.get(i),
        _ => cur.get(key),
    })
}

fn substitute(v: &Value, vars: &BTreeMap<String, Value>) -> Value {
    match v {
        Value::String(s) => {
            if let Some(name) = s.strip_prefix("${").and_then(|r| r.strip_suffix('}')).filter(|n| !n.contains("${")) {
                return vars.get(name).cloned().unwrap_or_else(|| panic!("unknown variable {name}"));
            }
            let mut out = s.clone();
            for (k, val) in vars {
                let text = match val {
                    Value::String(t) => t.clone(),
                    other => other.to_string(),
                };
                out = out.replace(&format!("${{{k}}}"), &text);
            }
            Value::String(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| substitute(x, vars)).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (k.clone(), substitute(x, vars))).collect()),
        other => other.clone(),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn query_pairs(q: Option<&Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(Value::Object(m)) = q {
        for (k, v) in m {
            match v {
                Value::Array(items) => out.extend(items.iter().map(|i| (k.clone(), scalar(i)))),
                other => out.push((k.clone(), scalar(other))),
            }
        }
    }
    out
}

struct Run {
    emu: Emulator,
    client: Client,
    admin: String,
    http: reqwest::Client,
    vars: BTreeMap<String, Value>,
    name: String,
}

impl Run {
    fn path_values(&self, op: &'static neonkit::OperationInfo, step: &Value) -> Vec<String> {
        let given = step.get("path").cloned().unwrap_or(json!({}));
        op.path_params.iter().map(|p| given.get(p.name).map(scalar).unwrap_or_default()).collect()
    }

    /// What a call or workflow step got: the response's JSON or the error.
    async fn outcome(&self, step: &Value, i: usize) -> (String, Result<Value, neonkit::Error>) {
        if let Some(id) = step.get("workflow").and_then(Value::as_str) {
            let args = step.get("args").cloned().unwrap_or(json!({}));
            let ctx = format!("{}: step {i} (workflow {id})", self.name);
            let r = self.client.workflow(id, serde_json::to_vec(&args).unwrap().into()).await;
            return (ctx, r.map(|b| serde_json::from_slice(&b).unwrap()));
        }
        let id = step["call"].as_str().unwrap();
        let op = find_operation(id).unwrap_or_else(|| panic!("{}: step {i}: unknown operation {id}", self.name));
        let path = self.path_values(op, step);
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let query = query_pairs(step.get("query"));
        let query: Vec<(&str, String)> = query.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let payload = match step.get("body") {
            // A multipart body's fields are text parts (strings as they are, anything else as JSON).
            Some(Value::Object(fields)) if matches!(op.body, neonkit::operation::BodyKind::Multipart { .. }) => {
                let parts = fields
                    .iter()
                    .map(|(k, v)| neonkit::kernel::PartInput::text(k, v.as_str().map(String::from).unwrap_or_else(|| v.to_string())))
                    .collect();
                neonkit::kernel::payload(op, neonkit::kernel::Body::Parts(parts)).unwrap()
            }
            Some(b) => Payload::Json(serde_json::to_vec(b).unwrap().into()),
            None => Payload::None,
        };
        let client = match step.get("wait").and_then(Value::as_bool) {
            Some(w) => self.client.with_wait(w),
            None => self.client.clone(),
        };
        let ctx = format!("{}: step {i} ({id})", self.name);
        let r = client.call(op, &path, &query, payload).await;
        (ctx, r.map(|resp| if resp.body.is_empty() { Value::Null } else { serde_json::from_slice(&resp.body).unwrap() }))
    }

    /// Checks a step's outcome against its `expect` / `expect_error` and
    /// saves what it asks to; returns the result for `concurrently`.
    fn verify(&mut self, step: &Value, ctx: &str, result: Result<Value, neonkit::Error>) -> Option<Value> {
        if let Some(expect) = step.get("expect_error") {
            let err = match result {
                Ok(v) => panic!("{ctx}: expected an error, got {v}"),
                Err(e) => e,
            };
            assert_eq!(Some(err.kind().as_str()), expect["kind"].as_str(), "{ctx}: {err}");
            match expect.get("status") {
                Some(Value::Null) => assert_eq!(err.status(), None, "{ctx}: {err}"),
                Some(s) => assert_eq!(err.status().map(u64::from), s.as_u64(), "{ctx}: {err}"),
                None => {}
            }
            if let Some(code) = expect.get("code").and_then(Value::as_str) {
                assert_eq!(err.code(), code, "{ctx}");
            }
            if expect.get("request_id") == Some(&Value::Bool(true)) {
                assert!(err.request_id().is_some_and(|r| !r.is_empty()), "{ctx}: no request id on {err}");
            }
            for text in expect.get("message_contains").and_then(Value::as_array).into_iter().flatten() {
                let text = text.as_str().unwrap();
                assert!(err.message().contains(text), "{ctx}: {text:?} not in the message {:?}", err.message());
            }
            return None;
        }
        let body = result.unwrap_or_else(|e| panic!("{ctx}: {e}"));
        self.check(&body, step.get("expect"), ctx);
        if let Some(Value::Object(save)) = step.get("save") {
            for (var, dotted) in save {
                let v = lookup(&body, dotted.as_str().unwrap()).unwrap_or_else(|| panic!("{ctx}: nothing at {dotted} to save"));
                self.vars.insert(var.clone(), v.clone());
            }
        }
        Some(body)
    }

    async fn call(&mut self, step: &Value, i: usize) {
        let (ctx, result) = self.outcome(step, i).await;
        self.verify(step, &ctx, result);
    }

    /// The steps at the same time, then each one's expectations and `expect_true`.
    async fn concurrently(&mut self, step: &Value, i: usize) {
        let steps = step["concurrently"].as_array().unwrap();
        let outcomes = futures::future::join_all(steps.iter().map(|s| self.outcome(s, i))).await;
        let mut results = Vec::new();
        for (s, (ctx, r)) in steps.iter().zip(outcomes) {
            results.extend(self.verify(s, &ctx, r));
        }
        if let Some(Value::Object(trues)) = step.get("expect_true") {
            for (dotted, want) in trues {
                let n = results.iter().filter(|r| lookup(r, dotted) == Some(&Value::Bool(true))).count();
                assert_eq!(Some(n as u64), want.as_u64(), "{}: step {i}: results with {dotted} true", self.name);
            }
        }
    }

    fn check(&self, body: &Value, expect: Option<&Value>, ctx: &str) {
        let Some(expect) = expect else { return };
        if let Some(Value::Object(fields)) = expect.get("fields") {
            for (dotted, want) in fields {
                assert_eq!(lookup(body, dotted), Some(want), "{ctx}: field {dotted}");
            }
        }
        if let Some(Value::Array(present)) = expect.get("present") {
            for dotted in present {
                let v = lookup(body, dotted.as_str().unwrap());
                let empty = match v {
                    None | Some(Value::Null) => true,
                    Some(Value::String(s)) => s.is_empty(),
                    Some(Value::Array(a)) => a.is_empty(),
                    Some(Value::Object(o)) => o.is_empty(),
                    _ => false,
                };
                assert!(!empty, "{ctx}: {dotted} is missing or empty");
            }
        }
        if let Some(Value::Object(contains)) = expect.get("contains") {
            for (dotted, text) in contains {
                let got = lookup(body, dotted).and_then(Value::as_str).unwrap_or_else(|| panic!("{ctx}: no string at {dotted:?}"));
                assert!(got.contains(text.as_str().unwrap()), "{ctx}: {dotted:?} does not contain {text}");
            }
        }
        if let Some(Value::Array(absent)) = expect.get("absent") {
            for dotted in absent {
                let v = lookup(body, dotted.as_str().unwrap());
                assert!(matches!(v, None | Some(Value::Null)), "{ctx}: {dotted} is present");
            }
        }
        if let Some(Value::Object(lengths)) = expect.get("length") {
            for (dotted, n) in lengths {
                let len = lookup(body, dotted).and_then(Value::as_array).map(Vec::len);
                assert_eq!(len.map(|l| l as u64), n.as_u64(), "{ctx}: length of {dotted}");
            }
        }
    }

    async fn iterate(&mut self, step: &Value, i: usize) {
        let id = step["iterate"].as_str().unwrap();
        let op = find_operation(id).unwrap();
        let path = self.path_values(op, step);
        let query: Vec<(&'static str, String)> =
            query_pairs(step.get("query")).into_iter().map(|(k, v)| (op.query_param(&k).expect("known query parameter").name, v)).collect();
        let mut pager =
            self.client.pager(op, path, query, step.get("body").cloned()).unwrap_or_else(|e| panic!("{}: step {i}: {e}", self.name));
        let mut count = 0u64;
        while let Some(items) = pager.next_page().await.unwrap_or_else(|e| panic!("{}: step {i}: {e}", self.name)) {
            count += items.len() as u64;
        }
        if let Some(n) = step.get("expect").and_then(|e| e.get("count")).and_then(Value::as_u64) {
            assert_eq!(count, n, "{}: step {i} ({id}) item count", self.name);
        }
    }

    async fn admin_post(&self, path: &str, body: &Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.admin))
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(body).unwrap())
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}: admin {path}: {}", self.name, r.status());
    }
}

#[tokio::test]
async fn shared_scenarios() {
    let files = scenario_files();
    assert!(files.len() >= 5, "the shared scenarios are present");
    for file in files {
        let scenario: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let name = scenario["name"].as_str().unwrap().to_string();
        let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
        let settings = scenario.get("client").cloned().unwrap_or(json!({}));
        let client = Client::builder()
            .api_key(emu.api_key())
            .base_url(emu.base_url())
            .retry_policy(RetryPolicy {
                max_retries: settings.get("max_retries").and_then(Value::as_u64).unwrap_or(5) as u32,
                initial_backoff: Duration::from_millis(10),
                max_backoff: Duration::from_millis(50),
            })
            .wait_for_operations(settings.get("wait").and_then(Value::as_bool).unwrap_or(true))
            .wait_options(WaitOptions {
                timeout: Duration::from_secs(10),
                initial_interval: Duration::from_millis(5),
                max_interval: Duration::from_millis(50),
            })
            .build()
            .unwrap();
        let admin = format!("{}/_emulator", emu.base_url().trim_end_matches("/api/v2"));
        let mut run = Run { emu, client, admin, http: reqwest::Client::new(), vars: BTreeMap::new(), name: name.clone() };
        run.admin_post("/reset", &json!({})).await;
        for (i, step) in scenario["steps"].as_array().unwrap().iter().enumerate() {
            let step = substitute(step, &run.vars);
            if step.get("call").is_some() || step.get("workflow").is_some() {
                run.call(&step, i).await;
            } else if step.get("concurrently").is_some() {
                run.concurrently(&step, i).await;
            } else if step.get("iterate").is_some() {
                run.iterate(&step, i).await;
            } else if let Some(f) = step.get("fault") {
                run.admin_post("/faults", f).await;
            } else if let Some(fixture) = step.get("seed") {
                // What the helpers do: `Emulator::seed`, its refusal an invalid-argument error
                // (no HTTP status) with the message the helpers give.
                let ctx = format!("{name}: step {i} (seed)");
                let r = run
                    .emu
                    .seed(fixture)
                    .map_err(|m| neonkit::Error::new(neonkit::ErrorKind::InvalidArgument, format!("invalid fixture: {m}")));
                run.verify(&step, &ctx, r);
            } else if let Some(c) = step.get("clock") {
                run.admin_post("/clock", c).await;
            } else if let Some(Value::Object(counts)) = step.get("requests") {
                for (op, want) in counts {
                    let url = format!("{}/requests?operation_id={op}", run.admin);
                    let got: Value = serde_json::from_slice(&run.http.get(url).send().await.unwrap().bytes().await.unwrap()).unwrap();
                    assert_eq!(got["count"].as_u64(), want.as_u64(), "{name}: step {i}: requests of {op}");
                }
            } else {
                panic!("{name}: step {i}: unknown step {step}");
            }
        }
        println!("scenario {name}: ok");
        run.emu.stop().await;
    }
}
