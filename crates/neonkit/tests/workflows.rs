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
