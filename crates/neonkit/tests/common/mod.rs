//! Test support: an emulator on 127.0.0.1 per test, and clients with short
//! retry backoffs so that retry tests run quickly.
#![allow(dead_code)]

use std::time::Duration;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use neonkit::transport::{HttpRequest, HttpResponse, HttpSend, TransportError};
use neonkit::{Client, RetryPolicy, WaitOptions};
use neonkit_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};

pub async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::default()).await.expect("emulator starts")
}

pub async fn emulator_with(config: EmulatorConfig) -> Emulator {
    Emulator::start(config).await.expect("emulator starts")
}

pub fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy { max_retries, initial_backoff: Duration::from_millis(10), max_backoff: Duration::from_millis(50) }
}

pub fn client(emu: &Emulator) -> Client {
    builder(emu).build().expect("client builds")
}

pub fn builder(emu: &Emulator) -> neonkit::ClientBuilder {
    Client::builder().api_key(emu.api_key()).base_url(emu.base_url()).retry_policy(fast_retries(3)).wait_options(WaitOptions {
        timeout: Duration::from_secs(10),
        initial_interval: Duration::from_millis(5),
        max_interval: Duration::from_millis(50),
    })
}

pub fn status_fault(operation_id: &str, status: u16, times: u32) -> Fault {
    Fault { operation_id: Some(operation_id.into()), kind: FaultKind::Status { status, retry_after: None }, times: Some(times) }
}

pub fn fault(operation_id: &str, kind: FaultKind, times: u32) -> Fault {
    Fault { operation_id: Some(operation_id.into()), kind, times: Some(times) }
}

pub async fn new_project(client: &Client, name: &str) -> neonkit::models::CreatedProjectResponse {
    use neonkit::models::*;
    let body = ProjectCreateRequest {
        project: ProjectCreateRequestProject { name: Some(name.into()), ..Default::default() },
        ..Default::default()
    };
    client.projects().create(&body).await.expect("project created")
}

/// A createProjectBranch body that names the branch.
pub fn branch_body(name: &str) -> neonkit::models::CreateProjectBranchRequest {
    use neonkit::models::*;
    CreateProjectBranchRequest {
        branch: Some(CreateProjectBranchRequestBranch { name: Some(name.into()), ..Default::default() }),
        ..Default::default()
    }
}

/// One scripted reply of an injected transport.
pub type Reply = Result<HttpResponse, TransportError>;

/// A transport that answers each request with the next scripted reply and
/// keeps the requests it saw: for what no server here can send.
#[derive(Default)]
pub struct Scripted {
    pub replies: Mutex<VecDeque<Reply>>,
    pub seen: Mutex<Vec<HttpRequest>>,
}

impl Scripted {
    pub fn new(replies: Vec<Reply>) -> Arc<Scripted> {
        Arc::new(Scripted { replies: Mutex::new(replies.into()), seen: Mutex::default() })
    }
    pub fn calls(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

impl HttpSend for Scripted {
    fn send(&self, request: HttpRequest) -> BoxFuture<'static, Reply> {
        self.seen.lock().unwrap().push(request);
        let reply = self.replies.lock().unwrap().pop_front().expect("a scripted reply for every request");
        Box::pin(async move { reply })
    }
}
