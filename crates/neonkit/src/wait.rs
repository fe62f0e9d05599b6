//! Waiting for the operations that mutating calls start.

use std::time::{Duration, Instant};

use bytes::Bytes;

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
    operations: Vec<Operation>,
}

impl Client {
    /// Polls each operation until it is `finished` or `skipped` and returns
    /// them in their final state. An operation that ends `failed`, `error` or
    /// `cancelled` is an `OperationFailed` error naming it; a wait longer than
    /// [`WaitOptions::timeout`] is a `WaitTimeout` error listing what was
    /// still running (in `pending_operations`) so the caller can resume.
    pub async fn wait_for_operations(&self, operations: &[Operation]) -> Result<Vec<Operation>> {
        let opts = &self.inner.wait;
        let deadline = Instant::now() + opts.timeout;
        let mut current: Vec<Operation> = operations.to_vec();
        let mut interval = opts.initial_interval;
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
                return Ok(current);
            }
            if Instant::now() + interval > deadline {
                let ids: Vec<String> = pending.iter().map(|&i| current[i].id.clone()).collect();
                let desc: Vec<String> = pending.iter().map(|&i| format!("{} ({}, {})", current[i].id, current[i].action, current[i].status)).collect();
                return Err(Error::new(
                    ErrorKind::WaitTimeout,
                    format!("operations still running after {:?}: {}", opts.timeout, desc.join(", ")),
                )
                .with_pending(ids));
            }
            tokio::time::sleep(interval).await;
            interval = (interval * 2).min(opts.max_interval);
            let polls = pending.iter().map(|&i| {
                let op = &current[i];
                async move { self.operations().get(&op.project_id, &op.id).await.map(|r| (i, r.operation)) }
            });
            for r in futures::future::join_all(polls).await {
                let (i, op) = r?;
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
    /// with those operations in their final state.
    pub(crate) async fn wait_in_body(&self, op: &'static OperationInfo, body: Bytes, request_id: Option<String>) -> Result<Bytes> {
        let listed: OperationsOnly = crate::client::decode(op.id, &body, request_id.clone())?;
        if listed.operations.iter().all(|o| matches!(state(o), State::Done)) {
            return Ok(body);
        }
        let done = self.wait_for_operations(&listed.operations).await.map_err(|e| e.with_operation(op.id).with_request_id(request_id.clone()))?;
        let mut value: serde_json::Value = crate::client::decode(op.id, &body, request_id)?;
        if let Some(map) = value.as_object_mut() {
            map.insert("operations".into(), serde_json::to_value(done).expect("operations serialize"));
        }
        Ok(serde_json::to_vec(&value).expect("JSON value serializes").into())
    }
}
