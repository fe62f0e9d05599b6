//! Waiting for the operations that mutating calls start.

use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::events::{Event, EventKind};
use crate::models::{Operation, OperationStatus};
use crate::operation::OperationInfo;
use crate::{Client, Error, ErrorKind, Result};

/// How operation waits poll.
#[derive(Clone, Debug, PartialEq)]
pub struct WaitOptions {
    /// The longest a wait may take before it fails with `WaitTimeout` (default 5 minutes).
    pub timeout: Duration,
    /// The first pause between polls, doubled up to `max_interval` (default 50 ms).
    pub initial_interval: Duration,
    /// The longest pause between polls (default 2 s).
    pub max_interval: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions { timeout: Duration::from_secs(300), initial_interval: Duration::from_millis(50), max_interval: Duration::from_secs(2) }
    }
}

enum State {
    Done,
    Pending,
    Failed,
}

fn state(op: &Operation) -> State {
    match op.status {
        OperationStatus::Finished | OperationStatus::Skipped => State::Done,
        OperationStatus::Failed | OperationStatus::Error | OperationStatus::Cancelled => State::Failed,
        _ => State::Pending,
    }
}

fn failed(op: &Operation) -> Error {
    let why = op.error.as_deref().filter(|e| !e.is_empty()).unwrap_or("no error text");
    Error::new(
        ErrorKind::OperationFailed,
        format!("operation {} ({}) on project {} ended {}: {why}", op.id, op.action, op.project_id, op.status),
    )
    .with_pending(vec![op.id.clone()])
}

#[derive(serde::Deserialize)]
struct OperationsOnly {
    #[serde(default)]
    operations: Vec<Operation>,
}

impl Client {
    /// Polls each operation until it is `finished` or `skipped` and returns
    /// them in their final state. An operation that ends `failed`, `error` or
    /// `cancelled` is an `OperationFailed` error naming it; a wait longer than
    /// [`WaitOptions::timeout`] is a `WaitTimeout` error listing what was
    /// still running (in `pending_operations`) so the caller can resume.
    pub async fn wait_for_operations(&self, operations: &[Operation]) -> Result<Vec<Operation>> {
        let opts = &self.call.wait_options;
        let own = Instant::now() + opts.timeout;
        // The call's deadline bounds the wait too (a `with_options` timeout covers it all).
        let call_deadline = self.deadline();
        let deadline = call_deadline.min(own);
        let polling = self.within(call_deadline);
        let limit = if deadline < own { format!("the call's timeout ({:?})", self.call.timeout) } else { format!("{:?}", opts.timeout) };
        let mut current: Vec<Operation> = operations.to_vec();
        let mut interval = opts.initial_interval;
        let total = u32::try_from(current.len()).unwrap_or(u32::MAX);
        let mut poll: u32 = 0;
        let wait_event = |poll: u32, pending: Vec<String>, delay: Option<Duration>| Event {
            attempt: poll,
            pending: u32::try_from(pending.len()).unwrap_or(u32::MAX),
            total,
            operation_ids: pending,
            delay,
            ..Event::new(EventKind::Wait, "getProjectOperation", "", "")
        };
        loop {
            let mut pending = Vec::new();
            for (i, op) in current.iter().enumerate() {
                match state(op) {
                    State::Done => {}
                    State::Failed => return Err(failed(op)),
                    State::Pending => pending.push(i),
                }
            }
            if pending.is_empty() {
                if poll > 0 {
                    self.emit(EventKind::Wait, || wait_event(poll, Vec::new(), None));
                }
                return Ok(current);
            }
            if Instant::now() + interval > deadline {
                let ids: Vec<String> = pending.iter().map(|&i| current[i].id.clone()).collect();
                let desc: Vec<String> =
                    pending.iter().map(|&i| format!("{} ({}, {})", current[i].id, current[i].action, current[i].status)).collect();
                return Err(Error::new(ErrorKind::WaitTimeout, format!("operations still running after {limit}: {}", desc.join(", ")))
                    .with_pending(ids));
            }
            self.emit(EventKind::Wait, || wait_event(poll, pending.iter().map(|&i| current[i].id.clone()).collect(), Some(interval)));
            tokio::time::sleep(interval).await;
            interval = (interval * 2).min(opts.max_interval);
            poll += 1;
            let polls = pending.iter().map(|&i| {
                let op = &current[i];
                let polling = &polling;
                async move { polling.operations().get(&op.project_id, &op.id).await.map(|r| (i, r.operation)) }
            });
            let still: Vec<String> = pending.iter().map(|&i| current[i].id.clone()).collect();
            for r in futures::future::join_all(polls).await {
                // A poll that fails leaves the operations running: the error says which, so the caller can resume.
                let (i, op) = r.map_err(|e| e.with_pending(still.clone()))?;
                current[i] = op;
            }
        }
    }

    /// [`Client::wait_for_operations`] for operations known by id.
    pub async fn wait_for_operation_ids(&self, project_id: &str, ids: &[String]) -> Result<Vec<Operation>> {
        let mut ops = Vec::with_capacity(ids.len());
        for id in ids {
            ops.push(self.operations().get(project_id, id).await?.operation);
        }
        self.wait_for_operations(&ops).await
    }

    /// Waits for the operations listed in a response body and returns the body
    /// with those operations in their final state, and the resources it names
    /// (project, branch, endpoints) as they are after them: read again, since
    /// the body was written before its operations ran (a new branch reads
    /// `init` there).
    pub(crate) async fn wait_in_body(&self, op: &'static OperationInfo, body: Bytes, request_id: Option<String>) -> Result<Bytes> {
        let listed: OperationsOnly = crate::client::decode(op.id, &body, request_id.clone())?;
        if listed.operations.iter().all(|o| matches!(state(o), State::Done)) {
            return Ok(body);
        }
        let mut value: serde_json::Value = crate::client::decode(op.id, &body, request_id.clone())?;
        let done = match self.wait_for_operations(&listed.operations).await {
            Ok(done) => done,
            Err(e) => return Err(after_accepted(op, &value, e, request_id)),
        };
        if let Some(map) = value.as_object_mut() {
            map.insert("operations".into(), serde_json::to_value(done).expect("operations serialize"));
            if op.method != crate::operation::HttpMethod::Delete {
                self.refresh(map).await;
            }
        }
        Ok(serde_json::to_vec(&value).expect("JSON value serializes").into())
    }

    /// Reads the body's resources again after their operations; one that can
    /// no longer be read keeps what the call returned.
    async fn refresh(&self, body: &mut serde_json::Map<String, serde_json::Value>) {
        let quiet = self.with_wait(false);
        let id = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(String::from);
        let mut reads = Vec::new();
        for (field, get, item) in
            [("project", "getProject", None), ("branch", "getProjectBranch", None), ("endpoints", "getProjectEndpoint", Some("endpoint"))]
        {
            let Some(found) = body.get(field) else {
                continue;
            };
            let items: Vec<(Option<usize>, &serde_json::Value)> = match found {
                serde_json::Value::Array(a) => a.iter().enumerate().map(|(i, v)| (Some(i), v)).collect(),
                v => vec![(None, v)],
            };
            for (index, v) in items {
                let path = match field {
                    "project" => id(v, "id").map(|p| vec![p]),
                    _ => id(v, "project_id").zip(id(v, "id")).map(|(p, r)| vec![p, r]),
                };
                if let (Some(path), Some(info)) = (path, crate::find_operation(get)) {
                    reads.push((field, index, item.unwrap_or(field), info, path));
                }
            }
        }
        let results = futures::future::join_all(reads.iter().map(|(_, _, _, info, path)| {
            let quiet = &quiet;
            async move {
                let p: Vec<&str> = path.iter().map(String::as_str).collect();
                quiet.send(info, &p, Vec::new(), crate::Payload::None).await
            }
        }))
        .await;
        for ((field, index, item, _, _), result) in reads.iter().zip(results) {
            let fresh = match result.and_then(|r| r.json::<serde_json::Value>()) {
                Ok(mut v) => v.get_mut(*item).map(serde_json::Value::take),
                Err(e) => {
                    tracing::debug!(target: "neonkit", field, error = %e, "could not read the resource again after its operations");
                    None
                }
            };
            let Some(fresh) = fresh else { continue };
            match (index, body.get_mut(*field)) {
                (Some(i), Some(serde_json::Value::Array(a))) if *i < a.len() => a[*i] = fresh,
                (None, Some(slot)) => *slot = fresh,
                _ => {}
            }
        }
    }
}

/// A wait that failed after the API accepted the call: the resource exists,
/// so calling again would make a second one. The error says so, names what it
/// made and what is still running, and is not retryable.
fn after_accepted(op: &'static OperationInfo, body: &serde_json::Value, e: Error, request_id: Option<String>) -> Error {
    if matches!(e.kind(), ErrorKind::OperationFailed | ErrorKind::WaitTimeout) {
        return e.with_operation(op.id).with_request_id(request_id).accepted();
    }
    let made: Vec<String> = body
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "operations")
        .filter_map(|(k, v)| v.get("id").and_then(|id| id.as_str().map(|id| format!("{k} {id}"))))
        .collect();
    let made = if made.is_empty() { String::new() } else { format!(" ({})", made.join(", ")) };
    let pending = e.pending_operations().to_vec();
    let still = if pending.is_empty() { String::new() } else { format!("; still running: {}", pending.join(", ")) };
    Error::new(
        e.kind(),
        format!(
            "{} was accepted{made}, but waiting for its operations failed: {}{still}; do not call it again, wait for the operations instead",
            op.id,
            e.message()
        ),
    )
    .with_status_opt(e.status())
    .with_code(e.code().to_string())
    .with_operation(op.id)
    .with_request_id(request_id)
    .with_pending(pending)
    .accepted()
}
