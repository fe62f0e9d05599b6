"""Per-call options (`with_options`), response metadata (`response_of`) and the raw call, against the emulator."""

import asyncio
import time

import pytest

import neonkit
from neonkit import response_of
from neonkit.testing import Emulator

from conftest import FAST


def test_with_options_timeout_is_the_whole_calls_deadline(emu: Emulator) -> None:
    with emu.client(**FAST) as neon:
        emu.add_fault("listProjects", "latency", ms=2000, times=5)
        try:
            started = time.monotonic()
            with pytest.raises(neonkit.TimeoutError):
                neon.with_options(timeout=0.3).projects.list()
            assert time.monotonic() - started < 1.5
        finally:
            emu.clear_faults()
        # The client it came from keeps its own settings; `timeout=` never reaches the API's query.
        neon.projects.list(timeout=1000)


def test_with_options_timeout_bounds_the_operation_wait() -> None:
    with Emulator(operation_duration=5.0, locking=False) as slow, slow.client(**FAST) as neon:
        project = neon.with_options(wait_for_operations=False).projects.create(body={"project": {"name": "w"}}).project
        started = time.monotonic()
        with pytest.raises(neonkit.WaitTimeoutError) as e:
            neon.with_options(timeout=0.4).branches.create(project.id, body={"branch": {"name": "b"}})
        assert e.value.accepted and e.value.pending_operations
        assert time.monotonic() - started < 3


def test_with_options_max_retries_and_wait(emu: Emulator) -> None:
    with emu.client(**FAST) as neon:
        project = neon.projects.create(body={"project": {"name": "r"}}).project
        before = emu.request_count("createProjectBranch")
        emu.add_fault("createProjectBranch", "status", status=423, times=1)
        with pytest.raises(neonkit.LockedError):
            neon.with_options(max_retries=0).branches.create(project.id, body={"branch": {"name": "a"}})
        assert emu.request_count("createProjectBranch") - before == 1
        created = neon.with_options(wait_for_operations=False).branches.create(
            project.id, body={"branch": {"name": "b"}}
        )
        assert any(op.status != "finished" for op in created.operations)


def test_headers_reach_the_server_and_response_of_shows_the_metadata(emu: Emulator) -> None:
    with emu.client(**FAST) as neon:
        traced = neon.with_options(headers={"X-Request-Id": "trace-py-1"})
        page = traced.projects.list()
        info = response_of(page)
        assert info is not None
        assert info.status == 200
        # The emulator answers with the request id the caller sent.
        assert info.request_id == "trace-py-1"
        assert info.header(
            "Content-Type",
        ).startswith("application/json")
        assert ("x-neon-ret-request-id", "trace-py-1") in info.headers
        assert response_of(neon.projects.list()).request_id != "trace-py-1"
        assert response_of({"not": "a model"}) is None


def test_with_options_on_the_async_client(emu: Emulator) -> None:
    async def run() -> None:
        async with emu.async_client(**FAST) as neon:
            page = await neon.with_options(headers={"X-Request-Id": "trace-async"}, max_retries=0).projects.list()
            assert response_of(page).request_id == "trace-async"
            raw = await neon.request("GET", "/projects", query={"limit": 1})
            assert raw.status == 200 and len(raw.json()["projects"]) <= 1

    asyncio.run(run())


def test_bad_call_options_are_config_errors_before_any_call(emu: Emulator) -> None:
    with emu.client(**FAST) as neon:
        with pytest.raises(
            neonkit.ConfigError,
            match=r"^timeout must be a number of seconds greater than 0 and at most 86400 \(got -1\)$",
        ):
            neon.with_options(timeout=-1)
        with pytest.raises(neonkit.ConfigError, match="Authorization cannot be set"):
            neon.with_options(headers={"Authorization": "Bearer x"})
        with pytest.raises(
            neonkit.ConfigError, match=r"max_retries must be a whole number from 0 to 100 \(got a string\)"
        ):
            neon.with_options(max_retries="3")  # type: ignore[arg-type]


def test_the_raw_call(emu: Emulator) -> None:
    with emu.client(**FAST) as neon:
        project = neon.projects.create(body={"project": {"name": "raw call"}}).project
        got = neon.request("GET", f"/projects/{project.id}")
        assert got.status == 200 and got.request_id
        assert got.json()["project"]["id"] == project.id
        found = neon.request("GET", "/projects", query={"search": "raw call", "limit": 5}).json()
        assert [p["id"] for p in found["projects"]] == [project.id]
        made = neon.request("POST", f"/projects/{project.id}/branches", body={"branch": {"name": "raw"}})
        assert made.status == 201 and made.json()["branch"]["name"] == "raw"
        assert response_of(made) is made.info
        with pytest.raises(neonkit.NotFoundError) as e:
            neon.request("GET", "/projects/no-such-project-9")
        assert e.value.status == 404 and e.value.request_id
        before = emu.request_count("listProjects")
        with pytest.raises(neonkit.InvalidArgumentError, match="must start with '/'"):
            neon.request("GET", "projects")
        with pytest.raises(neonkit.InvalidArgumentError, match="GET, POST, PUT, PATCH or DELETE"):
            neon.request("TRACE", "/projects")
        assert emu.request_count("listProjects") == before
        assert "raw call" not in repr(got)


def test_the_emulator_can_be_reconfigured_while_it_runs() -> None:
    with Emulator(operation_duration=0.0) as emu, emu.client(**FAST) as neon:
        project = neon.projects.create(body={"project": {"name": "c"}}).project
        emu.configure(operation_duration=5.0, locking=False)
        quick = neon.with_options(wait_for_operations=False)
        made = quick.branches.create(project.id, body={"branch": {"name": "slow"}})
        assert all(op.status != "finished" for op in made.operations)
        with pytest.raises(TypeError):
            emu.configure(port=1)  # type: ignore[call-arg]
        with pytest.raises(neonkit.ConfigError, match=r"latency must be a number of seconds from 0 to 3600 \(got -1\)"):
            emu.configure(latency=-1)
