//! Retries, waits, pagination, errors and argument checks, against the emulator.

mod common;

use std::time::{Duration, Instant};

use common::*;
use futures::TryStreamExt;
use neonkit::models::*;
use neonkit::operations::*;
use neonkit::{ErrorKind, WaitOptions};
use neonkit_emulator::{EmulatorConfig, FaultKind};

#[tokio::test]
async fn locked_is_retried_then_succeeds() {
    let emu = emulator().await;
    let c = client(&emu);
    let p = new_project(&c, "locked").await;
    emu.add_fault(status_fault("createProjectBranch", 423, 2));
    let b = c.branches().create(&p.project.id, Some(&branch_body("x"))).await.unwrap();
    assert_eq!(b.branch.name, "x");
    assert_eq!(emu.request_count("createProjectBranch"), 3);
}

#[tokio::test]
async fn locked_for_longer_than_the_retries_is_a_locked_error() {
    let emu = emulator().await;
    let c = client(&emu);
    let p = new_project(&c, "locked").await;
    emu.add_fault(status_fault("createProjectBranch", 423, 100));
    let err = c.branches().create(&p.project.id, Some(&branch_body("x"))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Locked);
    assert_eq!(err.status(), Some(423));
    assert!(err.request_id().is_some_and(|r| !r.is_empty()));
    assert_eq!(err.operation(), Some("createProjectBranch"));
    assert_eq!(emu.request_count("createProjectBranch"), 4, "1 attempt + 3 retries");
}

#[tokio::test]
async fn real_conflicting_operation_gives_423_and_the_waiting_client_avoids_it() {
    let emu = emulator_with(EmulatorConfig { operation_duration: Duration::from_millis(300), ..Default::default() }).await;
    let c = client(&emu);
    let p = new_project(&c, "conflict").await;
    let no_wait = builder(&emu).max_retries(0).wait_for_operations(false).build().unwrap();
    let first = no_wait.branches().create(&p.project.id, Some(&branch_body("a"))).await.unwrap();
    assert!(first.operations.iter().any(|o| o.status != OperationStatus::Finished));
    let err = no_wait.branches().create(&p.project.id, Some(&branch_body("b"))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Locked, "{err}");
    // The default client waits for its operations, so back-to-back mutations succeed.
    c.wait_for_operations(&first.operations).await.unwrap();
    c.branches().create(&p.project.id, Some(&branch_body("c"))).await.unwrap();
    c.branches().create(&p.project.id, Some(&branch_body("d"))).await.unwrap();
}

#[tokio::test]
async fn rate_limited_honours_retry_after() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.add_fault(fault("listProjects", FaultKind::Status { status: 429, retry_after: Some("1".into()) }, 1));
    let started = Instant::now();
    c.projects().list(&Default::default()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(950), "waited for Retry-After: {:?}", started.elapsed());
    assert_eq!(emu.request_count("listProjects"), 2);
}

#[tokio::test]
async fn retry_after_longer_than_the_deadline_fails_at_once_with_it() {
    let emu = emulator().await;
    let c = builder(&emu).timeout(Duration::from_secs(2)).build().unwrap();
    emu.add_fault(fault("listProjects", FaultKind::Status { status: 429, retry_after: Some("30".into()) }, 1));
    let started = Instant::now();
    let err = c.projects().list(&Default::default()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    assert!(started.elapsed() < Duration::from_secs(10), "it did not sleep through the 30 s Retry-After");
}

#[tokio::test]
async fn service_unavailable_is_retried_for_posts_too() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.add_fault(status_fault("createProject", 503, 2));
    new_project(&c, "after-503").await;
    assert_eq!(emu.request_count("createProject"), 3);
}

#[tokio::test]
async fn server_errors_are_retried_for_get_only() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.add_fault(status_fault("listProjects", 500, 1));
    c.projects().list(&Default::default()).await.unwrap();
    assert_eq!(emu.request_count("listProjects"), 2);

    emu.add_fault(status_fault("createProject", 500, 1));
    let body = ProjectCreateRequest { project: Default::default(), ..Default::default() };
    let err = c.projects().create(&body).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(emu.request_count("createProject"), 1, "a POST is not resent after a 500");
}

#[tokio::test]
async fn a_post_is_never_resent_after_a_dropped_connection() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.add_fault(fault("createProject", FaultKind::DropConnection, 1));
    let err = c.projects().create(&ProjectCreateRequest { project: Default::default(), ..Default::default() }).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert_eq!(err.status(), None);
    assert_eq!(emu.request_count("createProject"), 1);
    assert!(c.projects().list(&Default::default()).await.unwrap().projects.is_empty(), "nothing was created twice");
}

#[tokio::test]
async fn a_get_is_retried_after_a_dropped_connection_or_truncated_body() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.add_fault(fault("listProjects", FaultKind::DropConnection, 1));
    c.projects().list(&Default::default()).await.unwrap();
    assert_eq!(emu.request_count("listProjects"), 2);
    emu.add_fault(fault("listProjects", FaultKind::TruncateBody, 1));
    c.projects().list(&Default::default()).await.unwrap();
    assert_eq!(emu.request_count("listProjects"), 4);
}

#[tokio::test]
async fn a_slow_server_is_a_timeout_error() {
    let emu = emulator().await;
    let c = builder(&emu).timeout(Duration::from_millis(200)).max_retries(0).build().unwrap();
    emu.add_fault(fault("listProjects", FaultKind::Latency { ms: 2000 }, 1));
    let err = c.projects().list(&Default::default()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
}

#[tokio::test]
async fn waits_succeed_fail_and_time_out() {
    let emu = emulator_with(EmulatorConfig { operation_duration: Duration::from_millis(150), ..Default::default() }).await;
    let c = client(&emu);
    let p = new_project(&c, "waits").await;
    assert!(p.operations.iter().all(|o| o.status == OperationStatus::Finished));

    // Without waiting, the operations come back still running; waiting finishes them.
    let b = c.with_wait(false).branches().create(&p.project.id, Some(&branch_body("nowait"))).await.unwrap();
    assert!(b.operations.iter().any(|o| o.status != OperationStatus::Finished));
    let done = c.wait_for_operations(&b.operations).await.unwrap();
    assert!(done.iter().all(|o| o.status == OperationStatus::Finished));

    // A failed operation is an error naming it.
    emu.add_fault(fault("createProjectBranch", FaultKind::FailOperation { error: Some("disk quota exceeded".into()) }, 1));
    let err = c.branches().create(&p.project.id, Some(&branch_body("doomed"))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OperationFailed, "{err}");
    assert!(err.message().contains("disk quota exceeded"), "{err}");
    assert_eq!(err.pending_operations().len(), 1);

    // A wait shorter than the operation times out and lists what still runs.
    let impatient = builder(&emu)
        .wait_options(WaitOptions {
            timeout: Duration::from_millis(30),
            initial_interval: Duration::from_millis(5),
            max_interval: Duration::from_millis(10),
        })
        .build()
        .unwrap();
    let err = impatient.branches().create(&p.project.id, Some(&branch_body("slow"))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WaitTimeout, "{err}");
    assert!(!err.pending_operations().is_empty());
    // …so the caller can resume.
    let resumed = c.wait_for_operation_ids(&p.project.id, err.pending_operations()).await.unwrap();
    assert!(resumed.iter().all(|o| o.status == OperationStatus::Finished));
}

#[tokio::test]
async fn pagination_walks_projects_branches_and_operations() {
    let emu = emulator().await;
    let c = client(&emu);
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(new_project(&c, &format!("p{i}")).await.project.id);
    }
    for limit in [1, 3, 7, 10] {
        let q = ListProjectsQuery { limit: Some(limit), ..Default::default() };
        let all: Vec<ProjectListItem> = c.projects().iter(&q).try_collect().await.unwrap();
        let mut got: Vec<String> = all.into_iter().map(|p| p.id).collect();
        got.sort();
        let mut want = ids.clone();
        want.sort();
        assert_eq!(got, want, "limit {limit}");
    }
    let pid = ids[0].as_str();
    for i in 0..4 {
        c.branches().create(pid, Some(&branch_body(&format!("b{i}")))).await.unwrap();
    }
    let q = ListProjectBranchesQuery { limit: Some(2), ..Default::default() };
    let branches: Vec<Branch> = c.branches().iter(pid, &q).try_collect().await.unwrap();
    assert_eq!(branches.len(), 5);
    let page = c.branches().list(pid, &q).await.unwrap();
    assert_eq!(page.branches.len(), 2);
    let ops: Vec<Operation> =
        c.operations().iter(pid, &ListProjectOperationsQuery { limit: Some(2), ..Default::default() }).try_collect().await.unwrap();
    let listed = c.operations().list(pid, &ListProjectOperationsQuery { limit: Some(1000), ..Default::default() }).await.unwrap();
    assert_eq!(ops.len(), listed.operations.len());
    assert!(ops.len() >= 5);
}

#[tokio::test]
async fn errors_carry_status_code_and_request_id() {
    let emu = emulator().await;
    let c = client(&emu);
    let err = c.projects().get("no-such-project-1234").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.status(), Some(404));
    let rid = err.request_id().expect("request id").to_string();
    assert!(!rid.is_empty());
    assert!(err.to_string().contains(&rid));
    let bad = neonkit::Client::builder().api_key("wrong-key").base_url(emu.base_url()).build().unwrap();
    let err = bad.projects().list(&Default::default()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert!(!err.to_string().contains("wrong-key"));
    assert!(!format!("{err:?}").contains("wrong-key"));
    assert!(!format!("{bad:?}").contains("wrong-key"));
}

#[tokio::test]
async fn bad_path_ids_never_reach_the_network() {
    let emu = emulator().await;
    let c = client(&emu);
    for bad in ["", "UPPER", "a/b", "x".repeat(61).as_str(), "has space"] {
        let err = c.projects().get(bad).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad:?}");
        assert!(err.message().contains("project_id"), "{err}");
    }
    let err = c.operations().get("valid-project", "not-a-uuid").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let err = c.roles().get("valid-project", "br-x", "").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    // A dot segment would address the parent resource: DELETE …/databases/.. is the branch.
    for dots in [".", ".."] {
        let err = c.databases().delete("valid-project", "br-x", dots).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{dots:?}");
        assert!(err.message().contains("database_name"), "{err}");
    }
    assert_eq!(emu.request_count("deleteProjectBranchDatabase") + emu.request_count("deleteProjectBranch"), 0);
    assert_eq!(emu.request_count("getProject"), 0);
    assert_eq!(emu.request_count("getProjectOperation"), 0);
}

#[tokio::test]
async fn names_in_paths_are_percent_encoded() {
    let emu = emulator().await;
    let c = client(&emu);
    let p = new_project(&c, "names").await;
    let (pid, bid) = (p.project.id.as_str(), p.branch.id.as_str());
    let name = "a/b ?#%ü";
    c.roles()
        .create(
            pid,
            bid,
            &RoleCreateRequest {
                role: RoleCreateRequestRole { name: name.into(), no_login: None, ..Default::default() },
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(c.roles().get(pid, bid, name).await.unwrap().role.name, name);
    let db = DatabaseCreateRequest {
        database: DatabaseCreateRequestDatabase { name: name.into(), owner_name: name.into(), ..Default::default() },
        ..Default::default()
    };
    c.databases().create(pid, bid, &db).await.unwrap();
    assert_eq!(c.databases().get(pid, bid, name).await.unwrap().database.owner_name, name);
    c.databases().delete(pid, bid, name).await.unwrap();
    c.roles().delete(pid, bid, name).await.unwrap();
}

#[tokio::test]
async fn default_org_id_is_applied_where_the_operation_takes_one() {
    let emu = emulator().await;
    let c = client(&emu);
    let org = c.users().list_organizations().await.unwrap().organizations[0].id.clone();
    let created = new_project(&c, "in-org").await;
    let in_org = builder(&emu).org_id(org.clone()).build().unwrap();
    let listed = in_org.projects().list(&Default::default()).await.unwrap();
    assert!(listed.projects.iter().any(|p| p.id == created.project.id));
    // The default org goes out with the call: an unknown one is the server's 404.
    let elsewhere = builder(&emu).org_id("org-elsewhere-00000000").build().unwrap();
    let err = elsewhere.projects().list(&Default::default()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.message().contains("org-elsewhere-00000000"), "{err}");
    // An explicit org_id wins over the default.
    let q = ListProjectsQuery { org_id: Some(org), ..Default::default() };
    assert_eq!(elsewhere.projects().list(&q).await.unwrap().projects.len(), 1);
}

#[tokio::test]
async fn many_concurrent_calls_share_one_client() {
    let emu = emulator().await;
    let c = client(&emu);
    let p = new_project(&c, "concurrent").await;
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let c = c.clone();
            let id = p.project.id.clone();
            tokio::spawn(async move { c.projects().get(&id).await.map(|r| r.project.id) })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), p.project.id);
    }
}

#[test]
fn missing_or_empty_api_key_is_a_config_error() {
    let err = neonkit::Client::builder().api_key("  ").build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    let err = neonkit::Client::builder().api_key("k").base_url("ftp://x").build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
}

/// A server that closes idle keep-alive connections, as load balancers do: the
/// next call, a POST included, must go out on a fresh connection rather than
/// fail on the closed one. Retries are off, so nothing papers over a failure.
/// Blocking calls matter most here: their driver is not running while idle, so
/// it learns of the close only when the next call starts.
#[test]
fn calls_after_the_server_closed_an_idle_connection_succeed() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config =
        EmulatorConfig { idle_timeout: Some(Duration::from_millis(100)), operation_duration: Duration::ZERO, ..Default::default() };
    let emu = rt.block_on(emulator_with(config));
    let async_client = builder(&emu).max_retries(0).build().unwrap();
    let blocking = async_client.blocking();
    let body = |name: &str| ProjectCreateRequest {
        project: ProjectCreateRequestProject { name: Some(name.into()), ..Default::default() },
        ..Default::default()
    };
    for i in 0..2 {
        let p = blocking.projects().create(&body(&format!("idle-blocking-{i}"))).unwrap();
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(blocking.projects().get(&p.project.id).unwrap().project.id, p.project.id);
        std::thread::sleep(Duration::from_millis(250));
    }
    rt.block_on(async {
        for i in 0..2 {
            let p = async_client.projects().create(&body(&format!("idle-async-{i}"))).await.unwrap();
            tokio::time::sleep(Duration::from_millis(250)).await;
            assert_eq!(async_client.projects().get(&p.project.id).await.unwrap().project.id, p.project.id);
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
    assert_eq!(emu.request_count("createProject"), 4);
}
