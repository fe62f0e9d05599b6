//! The workflows through their typed Rust methods (the shared scenarios run
//! them by id): blocking twins, what errors keep of the step behind them,
//! secrets, and `org_id = "auto"`.

mod common;

use common::{builder, client, emulator};
use neonkit::models::*;
use neonkit::workflows::*;
use neonkit::ErrorKind;

fn project(name: &str) -> ProjectCreateRequest {
    ProjectCreateRequest { project: ProjectCreateRequestProject { name: Some(name.into()), ..Default::default() }, ..Default::default() }
}

async fn admin_post(emu: &neonkit_emulator::Emulator, path: &str, body: serde_json::Value) -> serde_json::Value {
    let url = format!("{}/_emulator{path}", emu.base_url().trim_end_matches("/api/v2"));
    let r = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(&body).unwrap())
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    serde_json::from_slice(&r.bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn typed_methods_and_their_blocking_twins() {
    let emu = emulator().await;
    let c = client(&emu);
    let made = c.projects().create_and_connect(&project("typed"), &Default::default()).await.unwrap();
    assert!(made.connection_string.contains("-pooler"), "pooled by default");
    assert!(!format!("{made:?}").contains(&made.connection_string), "Debug hides the connection string");
    let unpooled =
        c.connection_string(&made.project.id, &ConnectionStringOptions { pooled: Some(false), ..Default::default() }).await.unwrap();
    assert!(!unpooled.contains("-pooler") && unpooled.contains(&made.endpoint.host), "{}", unpooled.len());

    let pid = made.project.id.clone();
    let sync = c.blocking();
    // On a thread outside any runtime, joined without blocking this test's
    // runtime, which the emulator serves from.
    let thread = std::thread::spawn(move || {
        let a = sync.branches().ensure(&pid, "typed-dev", &Default::default()).unwrap();
        let b = sync.branches().ensure(&pid, "typed-dev", &Default::default()).unwrap();
        (a, b)
    });
    let (first, second) = tokio::task::spawn_blocking(move || thread.join().unwrap()).await.unwrap();
    assert!(first.created && !second.created);
    assert_eq!(first.branch.id, second.branch.id);
    assert_eq!(c.branches().get_default(&made.project.id).await.unwrap().id, made.branch.id);
}

#[tokio::test]
async fn a_failed_step_keeps_its_kind_status_and_operation() {
    let emu = emulator().await;
    let c = client(&emu);
    let e = c.branches().get_default("missing-project-1").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert_eq!(e.status(), Some(404));
    assert_eq!(e.operation(), Some("listProjectBranches"));
    assert!(e.message().starts_with("branches.get_default: listing the branches: "), "{}", e.message());

    // An argument error is raised before any request, and names what is wrong.
    let e = c.workflow("branches.ensure", r#"{"project_id": "p-1", "name": 5}"#.into()).await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::InvalidArgument, None));
    assert_eq!(e.message(), "branches.ensure: name: expected a string, got 5");
    let e = c.workflow("branches.ensur", "{}".into()).await.unwrap_err();
    assert!(e.message().contains("no workflow \"branches.ensur\"") && e.message().contains("branches.ensure"), "{}", e.message());
}

#[tokio::test]
async fn choice_errors_name_the_roles_and_never_a_password() {
    let emu = emulator().await;
    let c = client(&emu);
    let made = c.projects().create_and_connect(&project("secrets"), &Default::default()).await.unwrap();
    let role = c.roles().ensure(&made.project.id, &made.branch.id, "app").await.unwrap();
    let password = role.role.password.clone().expect("a new role's password");
    let e = c.connection_string(&made.project.id, &Default::default()).await.unwrap_err();
    assert!(e.message().contains("\"app\"") && e.message().contains("\"neondb_owner\""), "{}", e.message());
    assert!(!e.to_string().contains(&password) && !format!("{e:?}").contains(&password));
    let again = c.roles().ensure(&made.project.id, &made.branch.id, "app").await.unwrap();
    assert!(!again.created && again.role.password.is_none(), "the password comes only with a role this call made");
}

#[tokio::test]
async fn org_id_auto_uses_the_only_organization_of_a_personal_key() {
    let emu = emulator().await;
    let c = builder(&emu).org_id(neonkit::AUTO_ORG).build().unwrap();
    let orgs = client(&emu).users().list_organizations().await.unwrap().organizations;
    assert_eq!(orgs.len(), 1, "the emulator's developer has one organization");
    let listed = emu.request_count("getCurrentUserOrganizations");
    let made = c.projects().create(&project("auto-org")).await.unwrap();
    assert_eq!(made.project.org_id.as_deref(), Some(orgs[0].id.as_str()));
    // Resolved once per client.
    c.projects().create(&project("auto-org-2")).await.unwrap();
    let count = |op: &str| emu.request_count(op);
    assert_eq!((count("getAuthDetails"), count("getCurrentUserOrganizations") - listed), (1, 1));
}

#[tokio::test]
async fn org_id_auto_lists_the_organizations_when_there_are_several() {
    let emu = emulator().await;
    admin_post(&emu, "/organizations", serde_json::json!({"name": "Second org"})).await;
    let c = builder(&emu).org_id("auto").build().unwrap();
    let e = c.projects().create(&project("which-org")).await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::InvalidArgument, None), "{e}");
    assert!(e.message().starts_with("createProject: resolving org_id \"auto\": "), "{}", e.message());
    assert!(e.message().contains("2 organizations") && e.message().contains("\"Second org\""), "{}", e.message());
    assert_eq!(emu.request_count("createProject"), 0, "nothing was created");
    assert_eq!(e.operation(), Some("createProject"));
    // Every operation that takes an org (listProjects' optional query one too) needs it; one that takes none does not.
    assert_eq!(c.projects().list(&Default::default()).await.unwrap_err().kind(), ErrorKind::InvalidArgument);
    c.users().get_current().await.unwrap();
}

#[tokio::test]
async fn org_id_auto_uses_an_organization_keys_own_organization() {
    let emu = emulator().await;
    admin_post(&emu, "/organizations", serde_json::json!({"name": "Second org"})).await;
    let personal = client(&emu);
    let orgs = personal.users().list_organizations().await.unwrap().organizations;
    let second = orgs.iter().find(|o| o.name == "Second org").unwrap();
    let key = personal
        .organizations()
        .create_api_key(&second.id, &OrgApiKeyCreateRequest { key_name: "ci".into(), ..Default::default() })
        .await
        .unwrap()
        .key;
    let c = builder(&emu).api_key(key).org_id("auto").build().unwrap();
    let made = c.projects().create(&project("org-key")).await.unwrap();
    assert_eq!(made.project.org_id.as_deref(), Some(second.id.as_str()));
    assert_eq!(emu.request_count("getCurrentUserOrganizations"), 1, "only the personal client's own listing");
}

#[tokio::test]
async fn a_workflow_body_field_of_the_wrong_type_names_its_path() {
    let emu = emulator().await;
    let c = client(&emu);
    let e = c.workflow("projects.create_and_connect", r#"{"body": {"project": {"name": 123}}}"#.into()).await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::InvalidArgument, None));
    assert_eq!(e.message(), "projects.create_and_connect: body: project.name: expected a string, got 123");
    let e = c
        .workflow("branches.create_and_connect", r#"{"project_id": "p-1", "endpoint": {"suspend_timeout_seconds": "long"}}"#.into())
        .await
        .unwrap_err();
    assert_eq!(e.message(), "branches.create_and_connect: options: endpoint.suspend_timeout_seconds: expected an integer, got a string");
    assert_eq!(emu.request_count("createProject") + emu.request_count("createProjectBranch"), 0);
}

#[tokio::test]
async fn a_database_create_whose_answer_was_lost_is_looked_up_not_sent_again() {
    use neonkit_emulator::FaultKind;
    let emu = emulator().await;
    let c = client(&emu);
    let made = c.projects().create_and_connect(&project("lost-db"), &Default::default()).await.unwrap();
    emu.add_fault(common::fault("createProjectBranchDatabase", FaultKind::StatusAfterHandling { status: 500 }, 1));
    let ensured = c.databases().ensure(&made.project.id, &made.branch.id, "answered_500", &Default::default()).await.unwrap();
    assert!(ensured.created, "a 500 to a create that was applied: found by the lookup after it");
    emu.add_fault(common::fault("createProjectBranchDatabase", FaultKind::DropConnectionAfterHandling, 1));
    let r = c.databases().ensure(&made.project.id, &made.branch.id, "lost_db", &Default::default()).await;
    let counts = (emu.request_count("createProjectBranchDatabase"), emu.request_count("getProjectBranchDatabase"));
    let ensured = r.unwrap_or_else(|e| panic!("{e} {counts:?}"));
    assert!(ensured.created && ensured.database.name == "lost_db");
    assert_eq!(counts, (2, 4), "one create each, a lookup before it and one after");
}

#[tokio::test]
async fn org_id_auto_is_not_resolved_for_a_body_that_names_its_org() {
    let emu = emulator().await;
    admin_post(&emu, "/organizations", serde_json::json!({"name": "Second org"})).await;
    let c = builder(&emu).org_id("auto").build().unwrap();
    let orgs = client(&emu).users().list_organizations().await.unwrap().organizations;
    let mut body = project("own-org");
    body.project.org_id = Some(orgs[1].id.clone());
    let made = c.projects().create(&body).await.unwrap();
    assert_eq!(made.project.org_id.as_deref(), Some(orgs[1].id.as_str()));
    assert_eq!(emu.request_count("getAuthDetails"), 0, "several organizations, yet nothing to resolve");
}

#[tokio::test]
async fn org_id_auto_failing_keeps_the_lookup_as_its_operation() {
    let emu = emulator().await;
    emu.add_fault(common::status_fault("getAuthDetails", 403, 1));
    let c = builder(&emu).org_id("auto").build().unwrap();
    let e = c.projects().create(&project("no-auth")).await.unwrap_err();
    assert_eq!((e.kind(), e.status(), e.operation()), (ErrorKind::Forbidden, Some(403), Some("getAuthDetails")), "{e}");
    assert!(e.message().starts_with("createProject: resolving org_id \"auto\": "), "{}", e.message());
    assert_eq!(emu.request_count("createProject"), 0);
}

#[tokio::test]
async fn get_default_reset_with_children_and_abort_after_commit() {
    let emu = emulator().await;
    let c = client(&emu);
    let made = c.projects().create_and_connect(&project("resets"), &Default::default()).await.unwrap();
    let pid = made.project.id.as_str();
    let dev = c.branches().ensure(pid, "dev", &Default::default()).await.unwrap().branch;
    let child = EnsureBranchOptions { parent_id: Some(dev.id.clone()), ..Default::default() };
    c.branches().ensure(pid, "dev-child", &child).await.unwrap();
    // The default branch is found by its flag among several.
    assert_eq!(c.branches().get_default(pid).await.unwrap().id, made.branch.id);

    // A branch with children is reset only when its old state is kept under a name.
    let e = c.branches().reset_from_parent(pid, &dev.id, &Default::default()).await.unwrap_err();
    assert!(e.message().starts_with("branches.reset_from_parent: restoring the branch from its parent: "), "{}", e.message());
    let keep = ResetFromParentOptions { preserve_under_name: Some("dev-before-reset".into()) };
    let reset = c.branches().reset_from_parent(pid, &dev.id, &keep).await.unwrap();
    assert_eq!((reset.id.as_str(), reset.current_state.as_str()), (dev.id.as_str(), "ready"));
    let kept = c.branches().ensure(pid, "dev-before-reset", &Default::default()).await.unwrap();
    assert!(!kept.created, "the preserved state is a branch of that name");

    // A committed restore is no preview any more: abort refuses it and deletes nothing.
    let snap = c.snapshots().create(pid, &made.branch.id, &Default::default()).await.unwrap().snapshot;
    let body =
        RestoreSnapshotRequest { target_branch_id: Some(made.branch.id.clone()), finalize_restore: Some(false), ..Default::default() };
    let preview = c.snapshots().restore(pid, &snap.id, Some(&body), &Default::default()).await.unwrap().branch;
    c.snapshots().commit_restore(pid, &preview.id, &Default::default()).await.unwrap();
    let deletes = emu.request_count("deleteProjectBranch");
    let e = c.snapshots().abort_restore(pid, &preview.id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert!(e.message().contains("not an un-finalized restore") || e.message().contains("default branch"), "{}", e.message());
    assert_eq!(emu.request_count("deleteProjectBranch"), deletes);
}

#[tokio::test]
async fn commit_restore_waits_out_a_detaching_preview() {
    use neonkit_emulator::FaultKind;
    let emu = emulator().await;
    let c = client(&emu);
    let made = c.projects().create_and_connect(&project("detaching"), &Default::default()).await.unwrap();
    let pid = made.project.id.as_str();
    let snap = c.snapshots().create(pid, &made.branch.id, &Default::default()).await.unwrap().snapshot;
    let body =
        RestoreSnapshotRequest { target_branch_id: Some(made.branch.id.clone()), finalize_restore: Some(false), ..Default::default() };
    let preview = c.snapshots().restore(pid, &snap.id, Some(&body), &Default::default()).await.unwrap().branch;
    // The API may show a restored branch as "detaching" for a while; the first read sees it so.
    let detaching = serde_json::json!({"branch": {"restore_status": "detaching"}});
    emu.add_fault(common::fault("getProjectBranch", FaultKind::MergeBody { body: detaching }, 1));
    let reads = emu.request_count("getProjectBranch");
    let committed = c.snapshots().commit_restore(pid, &preview.id, &Default::default()).await.unwrap();
    assert_eq!((committed.id.as_str(), committed.name.as_str()), (preview.id.as_str(), "main"));
    assert_eq!(emu.request_count("getProjectBranch") - reads, 3, "the detaching read, the one after it, the one after the finalize");
    assert_eq!(emu.request_count("finalizeRestoreBranch"), 1);
}
