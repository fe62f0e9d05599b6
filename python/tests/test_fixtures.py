"""`Emulator.seed`: a fixture given as a dict, JSON text or a path seeds projects, branches,
databases and roles (timestamps in the past included); a bad one raises InvalidArgumentError
naming the bad field's path and leaves nothing behind."""

import json
import pathlib
from datetime import datetime, timedelta, timezone

import pytest

import neonkit
from neonkit.testing import Emulator

from conftest import FAST


def shop(pid: str) -> dict:
    return {
        "projects": [
            {
                "id": pid,
                "name": "shop",
                "created_at": "2026-01-05T00:00:00Z",
                "branches": [
                    {"name": "main", "roles": [{"name": "app", "password": "npg_fixture_secret"}]},
                    {"id": f"br-{pid}-preview", "name": "preview/pr-7", "parent_id": "main"},
                ],
            }
        ]
    }


def rfc3339(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def fresh(emu: Emulator) -> Emulator:
    emu.reset()
    return emu


def check_shop(emu: Emulator, seeded: dict, pid: str) -> None:
    assert [p["id"] for p in seeded["projects"]] == [pid]
    project = seeded["projects"][0]
    assert project["name"] == "shop"
    assert [b["name"] for b in project["branches"]] == ["main", "preview/pr-7"]
    assert project["branches"][1]["id"] == f"br-{pid}-preview"
    assert project["branches"][0]["id"].startswith("br-")
    assert all(len(b["endpoint_ids"]) == 1 for b in project["branches"])
    neon = emu.client(**FAST)
    try:
        got = neon.projects.get(pid).project
        assert got.name == "shop"
        assert got.created_at == datetime(2026, 1, 5, tzinfo=timezone.utc)
        branches = {b.name: b for b in neon.branches.list(pid).branches}
        assert set(branches) == {"main", "preview/pr-7"}
        assert branches["main"].default
        assert branches["preview/pr-7"].parent_id == project["branches"][0]["id"]
        # the child inherits its parent's database and role
        db = neon.databases.get(pid, f"br-{pid}-preview", "neondb").database
        assert db.owner_name == "app"
        assert neon.roles.get_password(pid, f"br-{pid}-preview", "app").password == "npg_fixture_secret"
    finally:
        neon.close()


def test_seed_takes_a_dict(fresh):
    check_shop(fresh, fresh.seed(shop("fx-dict")), "fx-dict")


def test_seed_takes_json_text(fresh):
    check_shop(fresh, fresh.seed(json.dumps(shop("fx-text"))), "fx-text")


def test_seed_takes_a_path(fresh, tmp_path):
    path = tmp_path / "fixture.json"
    path.write_text(json.dumps(shop("fx-path")), encoding="utf-8")
    assert isinstance(path, pathlib.Path)
    check_shop(fresh, fresh.seed(path), "fx-path")


def test_a_bad_fixture_raises_invalid_argument_naming_the_path_and_applies_nothing(fresh):
    bad = {
        "projects": [
            {"id": "fx-good", "name": "good"},
            {"id": "fx-bad", "name": "bad", "branches": [{"name": "main"}, {"name": "orphan", "parent_id": "nope"}]},
        ]
    }
    with pytest.raises(neonkit.InvalidArgumentError) as info:
        fresh.seed(bad)
    err = info.value
    assert isinstance(err, neonkit.NeonError)
    assert err.kind == "invalid_argument"
    assert err.message.startswith("invalid fixture: $.projects[1].branches[1].parent_id: "), err.message
    assert "nope" in err.message
    assert err.status is None
    # all or nothing: the good project before the bad one is not there either
    neon = fresh.client(**FAST)
    try:
        assert neon.projects.list().projects == []
        with pytest.raises(neonkit.NotFoundError):
            neon.projects.get("fx-good")
    finally:
        neon.close()


def test_other_refusals_name_their_path(fresh):
    with pytest.raises(neonkit.InvalidArgumentError, match=r"\$\.projects\[0\]\.branches\[0\]\.cpu_used_sec"):
        fresh.seed({"projects": [{"name": "p", "branches": [{"name": "main", "cpu_used_sec": 1}]}]})
    with pytest.raises(neonkit.InvalidArgumentError, match=r"\$\.projects\[0\]\.created_at"):
        fresh.seed('{"projects": [{"name": "p", "created_at": "yesterday"}]}')
    with pytest.raises(neonkit.InvalidArgumentError, match="not JSON"):
        fresh.seed("{not json")
    fresh.seed({"projects": [{"id": "fx-once", "name": "once"}]})
    with pytest.raises(neonkit.InvalidArgumentError, match=r"\$\.projects\[0\]\.id"):
        fresh.seed({"projects": [{"id": "fx-once", "name": "again"}]})


def test_stale_branches_query(fresh):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    seeded = fresh.seed(
        {
            "projects": [
                {
                    "id": "fx-stale",
                    "name": "stale",
                    "created_at": rfc3339(now - timedelta(days=60)),
                    "branches": [
                        {"name": "main"},
                        {"name": "preview/old", "parent_id": "main", "created_at": rfc3339(now - timedelta(days=40))},
                        {"name": "preview/new", "parent_id": "main", "created_at": rfc3339(now - timedelta(days=2))},
                    ],
                }
            ]
        }
    )
    old_id = seeded["projects"][0]["branches"][1]["id"]
    neon = fresh.client(**FAST)
    try:
        branches = list(neon.branches.iter("fx-stale"))
        assert len(branches) == 3
        cutoff = datetime.now(timezone.utc) - timedelta(days=30)
        stale = [b for b in branches if not b.default and b.created_at < cutoff]
        assert [b.id for b in stale] == [old_id]
        assert stale[0].created_at == now - timedelta(days=40)
        assert stale[0].name == "preview/old"
    finally:
        neon.close()


def test_state_file_keeps_the_state_across_restarts(tmp_path):
    state = tmp_path / "emulator-state.json"
    first = Emulator(state_file=state, operation_duration=0)
    try:
        first.seed(shop("fx-kept"))
        neon = first.client(**FAST)
        branch = neon.branches.create("fx-kept", branch={"name": "made-after-seeding"}).branch
        neon.close()
    finally:
        first.stop()
    assert state.is_file()

    second = Emulator(state_file=str(state), operation_duration=0)
    try:
        neon = second.client(**FAST)
        names = {b.name for b in neon.branches.list("fx-kept").branches}
        assert names == {"main", "preview/pr-7", "made-after-seeding"}
        assert neon.branches.get("fx-kept", branch.id).branch.name == "made-after-seeding"
        assert neon.roles.get_password("fx-kept", "br-fx-kept-preview", "app").password == "npg_fixture_secret"
        neon.close()
    finally:
        second.stop()


def test_a_state_file_from_another_version_is_refused_naming_the_option(tmp_path):
    state = tmp_path / "emulator-state.json"
    state.write_text(
        json.dumps({"format": "neonkit-emulator-state", "version": "0.0.0-other", "store": {}}), encoding="utf-8"
    )
    with pytest.raises(neonkit.NeonRuntimeError) as e:
        Emulator(state_file=state)
    assert f"state_file {state}: written by neonkit-emulator 0.0.0-other" in str(e.value)
    assert str(e.value).endswith("start without state_file or remove the file")
    with pytest.raises(neonkit.ConfigError) as c:
        Emulator(state_file=b"/tmp/state.json")
    assert c.value.message == "state_file must be a string (got a value of type bytes)"
