"""Every resource family, through both clients (the `neon` fixture is sync or async)."""

import pytest

import neonkit
from neonkit.models import Branch, CreatedProjectResponse, Operation, OperationStatus, ProjectUpdateRequest

from conftest import new_project


def test_projects(neon):
    created = new_project(neon, "alpha")
    assert isinstance(created, CreatedProjectResponse)
    pid = created.project.id
    assert created.project.name == "alpha"
    assert created.branch.name == "main" and created.branch.default is True
    assert created.databases[0].name == "neondb"
    assert any(r.name == "neondb_owner" for r in created.roles)
    assert created.connection_uris[0].connection_uri.startswith("postgresql://neondb_owner:")
    assert all(o.status == OperationStatus.FINISHED for o in created.operations), "waited for its operations"
    assert neon.projects.get(pid).project.id == pid
    assert any(p.id == pid for p in neon.projects.list(search="alpha").projects)
    assert any(p.id == pid for p in neon.projects.iter())
    # body as a model class
    upd = neon.projects.update(pid, body=ProjectUpdateRequest(project={"name": "beta"}))
    assert upd.project.name == "beta"
    assert neon.projects.get(pid).project.name == "beta"
    assert neon.projects.delete(pid).project.id == pid
    with pytest.raises(neonkit.NotFoundError):
        neon.projects.get(pid)


def test_branches(neon):
    p = new_project(neon, "branches")
    pid, main = p.project.id, p.branch.id
    b = neon.branches.create(pid, body={"branch": {"name": "dev", "parent_id": main}})
    assert isinstance(b.branch, Branch)
    assert b.branch.name == "dev" and b.branch.parent_id == main and b.branch.id.startswith("br-")
    assert neon.branches.get(pid, b.branch.id).branch.name == "dev"
    assert sorted(x.name for x in neon.branches.iter(pid)) == ["dev", "main"]
    assert neon.branches.count(pid).count == 2
    assert neon.branches.update(pid, b.branch.id, body={"branch": {"name": "dev2"}}).branch.name == "dev2"
    neon.branches.set_default(pid, b.branch.id)
    assert neon.branches.get(pid, b.branch.id).branch.default is True
    assert neon.branches.get(pid, main).branch.default is False
    neon.branches.set_default(pid, main)
    neon.branches.delete(pid, b.branch.id)
    with pytest.raises(neonkit.NotFoundError) as e:
        neon.branches.get(pid, b.branch.id)
    assert e.value.status == 404


def test_endpoints(neon):
    p = new_project(neon, "endpoints")
    pid = p.project.id
    e = neon.endpoints.create(pid, body={"endpoint": {"branch_id": p.branch.id, "type": "read_only"}})
    eid = e.endpoint.id
    assert eid.startswith("ep-")
    assert e.endpoint.type == "read_only"
    assert len(neon.endpoints.list(pid).endpoints) == 2
    neon.endpoints.suspend(pid, eid)
    assert neon.endpoints.get(pid, eid).endpoint.current_state == "idle"
    neon.endpoints.start(pid, eid)
    assert neon.endpoints.get(pid, eid).endpoint.current_state == "active"
    neon.endpoints.restart(pid, eid)
    u = neon.endpoints.update(pid, eid, body={"endpoint": {"suspend_timeout_seconds": 600}})
    assert u.endpoint.suspend_timeout_seconds == 600
    neon.endpoints.delete(pid, eid)
    with pytest.raises(neonkit.NotFoundError):
        neon.endpoints.get(pid, eid)


def test_databases_and_roles(neon):
    p = new_project(neon, "dbs")
    pid, bid = p.project.id, p.branch.id
    role = neon.roles.create(pid, bid, body={"role": {"name": "app"}})
    password = role.role.password
    assert password and password.startswith("npg_")
    assert password not in repr(role), "repr hides the password"
    assert "<redacted>" in repr(role.role)
    assert neon.roles.get_password(pid, bid, "app").password == password
    assert neon.roles.reset_password(pid, bid, "app").role.password != password
    assert len(neon.roles.list(pid, bid).roles) == 2
    db = {"database": {"name": "appdb", "owner_name": "app"}}
    assert neon.databases.create(pid, bid, body=db).database.owner_name == "app"
    with pytest.raises(neonkit.ConflictError) as e:
        neon.databases.create(pid, bid, body=db)
    assert e.value.status == 409 and e.value.request_id
    assert neon.databases.get(pid, bid, "appdb").database.name == "appdb"
    assert neon.databases.update(pid, bid, "appdb", body={"database": {"name": "appdb2"}}).database.name == "appdb2"
    assert len(neon.databases.list(pid, bid).databases) == 2
    neon.databases.delete(pid, bid, "appdb2")
    with pytest.raises(neonkit.NotFoundError):
        neon.databases.get(pid, bid, "appdb2")
    neon.roles.delete(pid, bid, "app")
    with pytest.raises(neonkit.NotFoundError):
        neon.roles.get(pid, bid, "app")


def test_api_keys(neon, emu):
    created = neon.api_keys.create(body={"key_name": "ci"})
    assert created.key and created.key not in repr(created)
    with emu.client(api_key=created.key) as other:
        other.projects.list()
        assert any(k.id == created.id for k in neon.api_keys.list())
        assert neon.api_keys.revoke(created.id).revoked is True
        with pytest.raises(neonkit.AuthenticationError) as e:
            other.projects.list()
        assert e.value.status == 401


def test_operations(neon):
    p = new_project(neon, "ops")
    pid = p.project.id
    listed = neon.operations.list(pid).operations
    assert listed and isinstance(listed[0], Operation)
    got = neon.operations.get(pid, listed[0].id).operation
    assert got.id == listed[0].id and got.status == "finished"
    assert [o.id for o in neon.operations.iter(pid)] == [o.id for o in listed] or len(
        list(neon.operations.iter(pid))
    ) == len(listed)


def test_snapshots(neon):
    p = new_project(neon, "snaps")
    pid, bid = p.project.id, p.branch.id
    s = neon.snapshots.create(pid, bid, name="nightly")
    assert s.snapshot.name == "nightly"
    assert any(x.id == s.snapshot.id for x in neon.snapshots.list(pid).snapshots)
    assert neon.snapshots.update(pid, s.snapshot.id, body={"snapshot": {"name": "weekly"}}).snapshot.name == "weekly"
    neon.snapshots.delete(pid, s.snapshot.id)
    assert not any(x.id == s.snapshot.id for x in neon.snapshots.list(pid).snapshots)


def test_organizations_and_users(neon):
    orgs = neon.users.list_organizations().organizations
    org = orgs[0]
    assert org.id.startswith("org-")
    assert neon.organizations.get(org.id).id == org.id
    members = neon.organizations.get_members(org.id).members
    assert members
    assert neon.organizations.get_member(org.id, members[0].member.id).id == members[0].member.id
    assert len(list(neon.organizations.get_members_iter(org.id))) == len(members)
    inv = neon.organizations.create_invitations(
        org.id, body={"invitations": [{"email": "new@example.com", "role": "member"}]}
    )
    assert inv.invitations[0].email == "new@example.com"
    assert any(i.email == "new@example.com" for i in neon.organizations.get_invitations(org.id).invitations)
    me = neon.users.get_current()
    assert me.id
    with pytest.raises(neonkit.NotFoundError):
        neon.organizations.get("org-missing-00000000")


def test_regions_and_other_families_answer(neon):
    regions = neon.regions.list_active().regions
    assert regions and regions[0].region_id
    p = new_project(neon, "others")
    pid, bid = p.project.id, p.branch.id
    # Families the emulator answers from the spec's examples: the typed result still decodes.
    assert neon.auth.list_branch_trusted_domains(pid, bid) is not None
    neon.data_api.create(pid, bid, "neondb")
    assert neon.data_api.get(pid, bid, "neondb") is not None
    neon.data_api.delete(pid, bid, "neondb")
    with pytest.raises(neonkit.NotFoundError):
        neon.data_api.get(pid, bid, "neondb")
    usage = neon.consumption.get_history_per_project(
        from_="2026-01-01T00:00:00Z", to="2026-01-02T00:00:00Z", granularity="daily"
    )
    assert isinstance(usage.projects, list)
    assert neon.projects.get_connection_uri(pid, database_name="neondb", role_name="neondb_owner").uri.startswith(
        "postgres"
    )
