//! Each resource family round-trips against the emulator through the typed
//! methods: create → get → list → update → delete.

mod common;

use common::*;
use futures::TryStreamExt;
use neonkit::models::*;
use neonkit::operations::*;
use neonkit::ErrorKind;

#[tokio::test]
async fn projects_round_trip() {
    let emu = emulator().await;
    let c = client(&emu);
    let created = new_project(&c, "alpha").await;
    let id = created.project.id.clone();
    assert_eq!(created.project.name, "alpha");
    assert_eq!(created.branch.name, "main");
    assert_eq!(created.branch.default, Some(true));
    assert_eq!(created.databases[0].name, "neondb");
    assert_eq!(created.roles.iter().find(|r| r.name == "neondb_owner").map(|r| r.name.as_str()), Some("neondb_owner"));
    let uri = &created.connection_uris[0].connection_uri;
    assert!(uri.starts_with("postgresql://neondb_owner:"), "connection uri shape");
    assert!(created.operations.iter().all(|o| o.status == OperationStatus::Finished), "the call waited for its operations");

    let got = c.projects().get(&id).await.unwrap();
    assert_eq!(got.project.id, id);

    let page = c.projects().list(&ListProjectsQuery::default()).await.unwrap();
    assert!(page.projects.iter().any(|p| p.id == id));

    let body = ProjectUpdateRequest {
        project: ProjectUpdateRequestProject { name: Some("beta".into()), ..Default::default() },
        ..Default::default()
    };
    let updated = c.projects().update(&id, &body).await.unwrap();
    assert_eq!(updated.project.name, "beta");
    assert_eq!(c.projects().get(&id).await.unwrap().project.name, "beta");

    let deleted = c.projects().delete(&id).await.unwrap();
    assert_eq!(deleted.project.id, id);
    let err = c.projects().get(&id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn branches_round_trip() {
    let emu = emulator().await;
    let c = client(&emu);
    let p = new_project(&c, "branches").await;
    let pid = p.project.id.as_str();
    let body = CreateProjectBranchRequest {
        branch: Some(CreateProjectBranchRequestBranch {
            name: Some("dev".into()),
            parent_id: Some(p.branch.id.clone()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let b = c.branches().create(pid, Some(&body)).await.unwrap();
    assert_eq!(b.branch.name, "dev");
    assert_eq!(b.branch.parent_id.as_deref(), Some(p.branch.id.as_str()));
    assert!(b.branch.id.starts_with("br-"));

    let got = c.branches().get(pid, &b.branch.id).await.unwrap();
    assert_eq!(got.branch.name, "dev");
    let all: Vec<Branch> = c.branches().iter(pid, &ListProjectBranchesQuery::default()).try_collect().await.unwrap();
    assert_eq!(all.len(), 2);

    let upd =
        BranchUpdateRequest { branch: BranchUpdateRequestBranch { name: Some("dev2".into()), ..Default::default() }, ..Default::default() };
    assert_eq!(c.branches().update(pid, &b.branch.id, &upd).await.unwrap().branch.name, "dev2");

    // The default branch can be moved, and then the old one is no longer default.
    c.branches().set_default(pid, &b.branch.id).await.unwrap();
    assert_eq!(c.branches().get(pid, &b.branch.id).await.unwrap().branch.default, Some(true));
    assert_eq!(c.branches().get(pid, &p.branch.id).await.unwrap().branch.default, Some(false));
    c.branches().set_default(pid, &p.branch.id).await.unwrap();

    let dup = c.branches().create(pid, Some(&body)).await;
    assert!(dup.is_ok() || dup.as_ref().unwrap_err().kind() == ErrorKind::Conflict);

    c.branches().delete(pid, &b.branch.id).await.unwrap();
    assert_eq!(c.branches().get(pid, &b.branch.id).await.unwrap_err().kind(), ErrorKind::NotFound);
}

// The request struct is written out whole, deprecated fields included.
#[allow(deprecated)]
#[tokio::test]
async fn endpoints_round_trip() {
    let emu = emulator().await;
    let c = client(&emu);
    let p = new_project(&c, "endpoints").await;
    let pid = p.project.id.as_str();
    let ro = EndpointCreateRequest {
        endpoint: EndpointCreateRequestEndpoint {
            branch_id: p.branch.id.clone(),
            r#type: EndpointType::ReadOnly,
            region_id: None,
            settings: None,
            autoscaling_limit_min_cu: None,
            autoscaling_limit_max_cu: None,
            provisioner: None,
            pooler_enabled: None,
            pooler_mode: None,
            disabled: None,
            passwordless_access: None,
            suspend_timeout_seconds: None,
            name: None,
            ..Default::default()
        },
        ..Default::default()
    };
    let e = c.endpoints().create(pid, &ro).await.unwrap();
    assert!(e.endpoint.id.starts_with("ep-"));
    assert_eq!(e.endpoint.r#type, EndpointType::ReadOnly);
    let eid = e.endpoint.id.clone();

    // A second read-write endpoint on the same branch is refused.
    let mut rw = ro.clone();
    rw.endpoint.r#type = EndpointType::ReadWrite;
    let err = c.endpoints().create(pid, &rw).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::BadRequest | ErrorKind::Conflict | ErrorKind::Api), "{err}");

    let list = c.endpoints().list(pid).await.unwrap();
    assert_eq!(list.endpoints.len(), 2);
    // The response shows the endpoint as the request found it; once the call has
    // waited for its operations, the endpoint is in its new state.
    c.endpoints().suspend(pid, &eid).await.unwrap();
    assert_eq!(c.endpoints().get(pid, &eid).await.unwrap().endpoint.current_state, EndpointState::Idle);
    c.endpoints().start(pid, &eid).await.unwrap();
    assert_eq!(c.endpoints().get(pid, &eid).await.unwrap().endpoint.current_state, EndpointState::Active);
    c.endpoints().restart(pid, &eid).await.unwrap();

    let upd = EndpointUpdateRequest {
        endpoint: EndpointUpdateRequestEndpoint { suspend_timeout_seconds: Some(600), ..Default::default() },
        ..Default::default()
    };
    let u = c.endpoints().update(pid, &eid, &upd).await.unwrap();
    assert_eq!(u.endpoint.suspend_timeout_seconds, 600);
    c.endpoints().delete(pid, &eid).await.unwrap();
    assert_eq!(c.endpoints().get(pid, &eid).await.unwrap_err().kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn databases_and_roles_round_trip() {
    let emu = emulator().await;
    let c = client(&emu);
    let p = new_project(&c, "dbs").await;
    let (pid, bid) = (p.project.id.as_str(), p.branch.id.as_str());

    let role = c
        .roles()
        .create(
            pid,
            bid,
            &RoleCreateRequest {
                role: RoleCreateRequestRole { name: "app".into(), no_login: None, ..Default::default() },
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let password = role.role.password.clone().expect("a new role comes with its password");
    assert!(password.starts_with("npg_"));
    assert!(!format!("{role:?}").contains(&password), "Debug hides the password");
    assert_eq!(c.roles().get_password(pid, bid, "app").await.unwrap().password, password);
    let reset = c.roles().reset_password(pid, bid, "app").await.unwrap();
    assert_ne!(reset.role.password.as_deref(), Some(password.as_str()));
    assert_eq!(c.roles().list(pid, bid).await.unwrap().roles.len(), 2);

    let db = DatabaseCreateRequest {
        database: DatabaseCreateRequestDatabase { name: "appdb".into(), owner_name: "app".into(), ..Default::default() },
        ..Default::default()
    };
    let created = c.databases().create(pid, bid, &db).await.unwrap();
    assert_eq!(created.database.owner_name, "app");
    let err = c.databases().create(pid, bid, &db).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.status(), Some(409));
    assert_eq!(c.databases().get(pid, bid, "appdb").await.unwrap().database.name, "appdb");
    let upd = DatabaseUpdateRequest {
        database: DatabaseUpdateRequestDatabase { name: Some("appdb2".into()), owner_name: None, ..Default::default() },
        ..Default::default()
    };
    assert_eq!(c.databases().update(pid, bid, "appdb", &upd).await.unwrap().database.name, "appdb2");
    assert_eq!(c.databases().list(pid, bid).await.unwrap().databases.len(), 2);
    c.databases().delete(pid, bid, "appdb2").await.unwrap();
    assert_eq!(c.databases().get(pid, bid, "appdb2").await.unwrap_err().kind(), ErrorKind::NotFound);
    c.roles().delete(pid, bid, "app").await.unwrap();
    assert_eq!(c.roles().get(pid, bid, "app").await.unwrap_err().kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn api_keys_round_trip() {
    let emu = emulator().await;
    let c = client(&emu);
    let created = c.api_keys().create(&ApiKeyCreateRequest { key_name: "ci".into(), ..Default::default() }).await.unwrap();
    assert!(!created.key.is_empty());
    assert!(!format!("{created:?}").contains(&created.key), "Debug hides the token");
    // The new key works on its own.
    let other = builder(&emu).api_key(created.key.clone()).build().unwrap();
    other.projects().list(&Default::default()).await.unwrap();
    assert!(c.api_keys().list().await.unwrap().iter().any(|k| k.id == created.id));
    let revoked = c.api_keys().revoke(created.id).await.unwrap();
    assert!(revoked.revoked);
    let err = other.projects().list(&Default::default()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
}

#[tokio::test]
async fn operations_list_and_get() {
    let emu = emulator().await;
    let c = client(&emu);
    let p = new_project(&c, "ops").await;
    let pid = p.project.id.as_str();
    let listed = c.operations().list(pid, &ListProjectOperationsQuery::default()).await.unwrap();
    assert!(!listed.operations.is_empty());
    let first = &listed.operations[0];
    let got = c.operations().get(pid, &first.id).await.unwrap();
    assert_eq!(got.operation.id, first.id);
    assert_eq!(got.operation.status, OperationStatus::Finished);
}

#[tokio::test]
async fn snapshots_round_trip() {
    let emu = emulator().await;
    let c = client(&emu);
    let p = new_project(&c, "snaps").await;
    let (pid, bid) = (p.project.id.as_str(), p.branch.id.as_str());
    let q = CreateSnapshotQuery { name: Some("nightly".into()), ..Default::default() };
    let s = c.snapshots().create(pid, bid, &q).await.unwrap();
    assert_eq!(s.snapshot.name, "nightly");
    let list = c.snapshots().list(pid).await.unwrap();
    assert!(list.snapshots.iter().any(|x| x.id == s.snapshot.id));
    let upd = SnapshotUpdateRequest {
        snapshot: SnapshotUpdateRequestSnapshot { name: Some("weekly".into()), ..Default::default() },
        ..Default::default()
    };
    assert_eq!(c.snapshots().update(pid, &s.snapshot.id, &upd).await.unwrap().snapshot.name, "weekly");
    c.snapshots().delete(pid, &s.snapshot.id).await.unwrap();
    assert!(!c.snapshots().list(pid).await.unwrap().snapshots.iter().any(|x| x.id == s.snapshot.id));
}

#[tokio::test]
async fn organizations_members_and_invitations() {
    let emu = emulator().await;
    let c = client(&emu);
    let orgs = c.users().list_organizations().await.unwrap();
    let org = orgs.organizations.first().expect("the emulator's user belongs to an organization").clone();
    assert!(org.id.starts_with("org-"));
    assert_eq!(c.organizations().get(&org.id).await.unwrap().id, org.id);
    let members = c.organizations().get_members(&org.id, &Default::default()).await.unwrap();
    assert!(!members.members.is_empty());
    let m = &members.members[0];
    assert_eq!(c.organizations().get_member(&org.id, &m.member.id).await.unwrap().id, m.member.id);
    let inv = OrganizationInvitesCreateRequest {
        invitations: vec![OrganizationInviteCreateRequest {
            email: "new@example.com".into(),
            role: MemberRole::Member,
            ..Default::default()
        }],
        ..Default::default()
    };
    let created = c.organizations().create_invitations(&org.id, &inv).await.unwrap();
    assert_eq!(created.invitations[0].email, "new@example.com");
    let listed = c.organizations().get_invitations(&org.id).await.unwrap();
    assert!(listed.invitations.iter().any(|i| i.email == "new@example.com"));
    assert_eq!(c.organizations().get("org-missing-00000000").await.unwrap_err().kind(), ErrorKind::NotFound);
}

#[test]
fn blocking_client_round_trip() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(emulator());
    let c = client(&emu).blocking();
    let p = c
        .projects()
        .create(&ProjectCreateRequest {
            project: ProjectCreateRequestProject { name: Some("sync".into()), ..Default::default() },
            ..Default::default()
        })
        .unwrap();
    assert_eq!(c.projects().get(&p.project.id).unwrap().project.name, "sync");
    let names: Vec<String> = c.projects().iter(&Default::default()).map(|r| r.unwrap().name).collect();
    assert_eq!(names, vec!["sync".to_string()]);
    c.projects().delete(&p.project.id).unwrap();
    drop(rt);
}

/// Blocking calls run on their own threads with per-driver connection pools:
/// threads that interleave, a client shared with async calls, and a thread
/// that ends while others go on must all see every call finish.
#[test]
fn blocking_calls_from_many_threads_share_a_client_with_async_calls() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(emulator());
    let async_client = client(&emu);
    let c = async_client.blocking();
    let p = c
        .projects()
        .create(&ProjectCreateRequest {
            project: ProjectCreateRequestProject { name: Some("threads".into()), ..Default::default() },
            ..Default::default()
        })
        .unwrap();
    let id = p.project.id.clone();
    let threads: Vec<_> = (0..12)
        .map(|i| {
            let (c, id) = (c.clone(), id.clone());
            std::thread::spawn(move || {
                for _ in 0..(5 + i * 3) {
                    assert_eq!(c.projects().get(&id).unwrap().project.id, id);
                }
            })
        })
        .collect();
    let async_calls = rt.block_on(async {
        let mut n = 0;
        for _ in 0..50 {
            assert_eq!(async_client.projects().get(&id).await.unwrap().project.id, id);
            n += 1;
        }
        n
    });
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(async_calls, 50);
    // The creation, the project read again after its operations, and the gets.
    let expected: u64 = 2 + (0..12).map(|i| 5 + i * 3).sum::<u64>() + 50;
    assert_eq!(emu.request_count("getProject") + emu.request_count("createProject"), expected);
    // A driver that served an ended thread serves the next caller.
    assert_eq!(c.projects().get(&id).unwrap().project.name, "threads");
}

#[tokio::test]
async fn blocking_call_inside_a_runtime_is_an_error_not_a_panic() {
    let emu = emulator().await;
    let c = client(&emu).blocking();
    let err = c.projects().list(&Default::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Runtime);
}
