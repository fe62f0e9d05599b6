"""Iteration, waits, retries, cancellation, GIL release, fork, exit safety, models, import time."""

import asyncio
import os
import pickle
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import neonkit
from neonkit.models import Operation, OperationStatus, Project
from neonkit.testing import Emulator

from conftest import FAST, in_forked_child, new_project


def test_iteration_walks_every_page(neon):
    p = new_project(neon, "pages")
    pid = p.project.id
    for i in range(4):
        neon.branches.create(pid, body={"branch": {"name": f"b{i}"}})
    names = [b.name for b in neon.branches.iter(pid, limit=2)]
    assert sorted(names) == ["b0", "b1", "b2", "b3", "main"]
    first = neon.branches.list(pid, limit=2)
    assert len(first.branches) == 2
    ops = list(neon.operations.iter(pid, limit=1))
    assert len(ops) == len(neon.operations.list(pid, limit=100).operations) >= 5
    ids = {x.id for x in neon.projects.iter(limit=1)}
    assert pid in ids


def test_projects_iteration_counts_exactly(client_kind):
    with Emulator() as emu:
        c = emu.client(**FAST) if client_kind == "sync" else None
        if c is None:

            async def go():
                async with emu.async_client(**FAST) as ac:
                    for i in range(7):
                        await ac.projects.create(body={"project": {"name": f"p{i}"}})
                    return [p.id async for p in ac.projects.iter(limit=3)]

            ids = asyncio.run(go())
        else:
            for i in range(7):
                c.projects.create(body={"project": {"name": f"p{i}"}})
            ids = [p.id for p in c.projects.iter(limit=3)]
        assert len(ids) == len(set(ids)) == 7
        assert emu.request_count("listProjects") == 3


def test_wait_switch_per_call_and_per_client(emu, neon):
    p = new_project(neon, "waits")
    pid = p.project.id
    r = neon.branches.create(pid, body={"branch": {"name": "nowait"}}, wait=False)
    assert r.operations and any(o.status != "finished" for o in r.operations)
    done = neon.operations.wait(pid, r.operations)
    assert [o.id for o in done] == [o.id for o in r.operations]
    assert all(isinstance(o, Operation) and o.status == OperationStatus.FINISHED for o in done)
    # by id, too
    assert neon.operations.wait(pid, [o.id for o in r.operations])[0].status == "finished"
    # the client switch
    with emu.client(wait_for_operations=False) as c:
        r2 = c.branches.create(pid, body={"branch": {"name": "nowait2"}})
        assert any(o.status != "finished" for o in r2.operations)
        r3 = c.branches.create(pid, body={"branch": {"name": "waited"}}, wait=True)
        assert all(o.status == "finished" for o in r3.operations)


def test_failed_operation_and_wait_timeout(emu, neon):
    p = new_project(neon, "failing")
    pid = p.project.id
    emu.add_fault("createProjectBranch", "fail_operation", error="disk quota exceeded", times=1)
    with pytest.raises(neonkit.OperationFailedError) as e:
        neon.branches.create(pid, body={"branch": {"name": "doomed"}})
    assert "disk quota exceeded" in e.value.message and len(e.value.pending_operations) == 1
    with Emulator(operation_duration=5.0) as slow:
        with slow.client(wait_timeout=0.3) as c:
            sp = c.projects.create(body={"project": {"name": "slow"}}, wait=False)
            with pytest.raises(neonkit.WaitTimeoutError) as e:
                c.operations.wait(sp.project.id, sp.operations)
            assert set(e.value.pending_operations) == {o.id for o in sp.operations}


def test_locked_is_retried(emu, neon):
    p = new_project(neon, "locked")
    before = emu.request_count("createProjectBranch")
    emu.add_fault("createProjectBranch", "status", status=423, times=2)
    b = neon.branches.create(p.project.id, body={"branch": {"name": "after-lock"}})
    assert b.branch.name == "after-lock"
    assert emu.request_count("createProjectBranch") - before == 3


def test_cancelling_the_task_cancels_the_request(emu):
    async def go():
        async with emu.async_client(
            max_retries=100, retry_initial_backoff=0.02, retry_max_backoff=0.02, timeout=60
        ) as c:
            p = await c.projects.create(body={"project": {"name": "cancel"}})
            emu.add_fault("getProject", "status", status=503)
            try:
                start = emu.request_count("getProject")
                task = asyncio.ensure_future(c.projects.get(p.project.id))
                await asyncio.sleep(0.4)
                assert not task.done()
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                n1 = emu.request_count("getProject")
                assert n1 - start >= 3, "the request was being retried"
                await asyncio.sleep(0.3)
                n2 = emu.request_count("getProject")
                assert n2 - n1 <= 1, "the Rust future stopped retrying after cancellation"
                # wait_for's timeout cancels too
                with pytest.raises(asyncio.TimeoutError):
                    await asyncio.wait_for(c.projects.get(p.project.id), 0.2)
            finally:
                emu.clear_faults()
            # the client still works
            assert (await c.projects.get(p.project.id)).project.id == p.project.id

    asyncio.run(go())


def test_async_calls_run_concurrently(emu):
    async def go():
        async with emu.async_client() as c:
            emu.add_fault("listProjects", "latency", ms=300, times=6)
            try:
                t = time.perf_counter()
                results = await asyncio.gather(*(c.projects.list() for _ in range(6)))
                return time.perf_counter() - t, results
            finally:
                emu.clear_faults()

    elapsed, results = asyncio.run(go())
    assert len(results) == 6
    assert elapsed < 1.2, f"6 × 300 ms calls took {elapsed:.2f}s: not concurrent"


def test_blocking_calls_release_the_gil(emu, sync_client):
    # Threads making blocking calls overlap.
    emu.add_fault("listProjects", "latency", ms=300, times=4)
    try:
        t = time.perf_counter()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: sync_client.projects.list(), range(4)))
        elapsed = time.perf_counter() - t
    finally:
        emu.clear_faults()
    assert elapsed < 0.9, f"4 × 300 ms calls on 4 threads took {elapsed:.2f}s: the GIL was held"
    # Pure-Python work goes on while a call waits.
    emu.add_fault("listProjects", "latency", ms=400, times=1)
    counter = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            counter[0] += 1

    th = threading.Thread(target=spin)
    th.start()
    try:
        time.sleep(0.05)
        before = counter[0]
        sync_client.projects.list()
        during = counter[0] - before
    finally:
        stop.set()
        th.join()
        emu.clear_faults()
    assert during > 10_000, f"the spinning thread advanced only {during} times during the call"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_client_works_in_a_forked_child(emu, sync_client):
    p = new_project(sync_client, "fork")
    assert sync_client.projects.get(p.project.id)  # the pool is warm
    ac = emu.async_client()
    asyncio.run(ac.projects.list())  # the runtime has run async work

    def check() -> bool:
        ok = sync_client.projects.get(p.project.id).project.id == p.project.id
        ok = ok and asyncio.run(ac.projects.get(p.project.id)).project.id == p.project.id
        with emu.client() as fresh:
            ok = ok and any(x.id == p.project.id for x in fresh.projects.iter())
        return ok

    in_forked_child(check)
    # and the parent still works
    assert sync_client.projects.get(p.project.id).project.id == p.project.id


EXIT_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    import neonkit
    from neonkit.testing import Emulator

    emu = Emulator()

    async def main():
        c = emu.async_client()
        p = await c.projects.create(body={"project": {"name": "exit"}})
        await asyncio.gather(*(c.projects.get(p.project.id) for _ in range(5)))
        # leave calls in flight: asyncio.run cancels them, the interpreter exits
        for _ in range(3):
            asyncio.ensure_future(c.branches.list(p.project.id))
        await asyncio.sleep(0)

    asyncio.run(main())
    if sys.argv[1] == "1":
        # and a daemon thread still inside a blocking call at exit
        import threading, time
        c = emu.client()
        emu.add_fault("listProjects", "latency", ms=300)
        threading.Thread(target=lambda: c.projects.list(), daemon=True).start()
        time.sleep(0.05)
    """
)


def test_exit_is_safe_after_async_use(tmp_path):
    script = tmp_path / "exit_script.py"
    script.write_text(EXIT_SCRIPT)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def run(i):
        r = subprocess.run([sys.executable, str(script), str(i % 2)], capture_output=True, timeout=60, env=env)
        return r.returncode, r.stderr.decode(errors="replace")[-2000:]

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(run, range(50)))
    failures = [(code, err) for code, err in results if code != 0]
    assert not failures, f"{len(failures)} of 50 runs failed; first: {failures[0]}"


def test_import_is_fast():
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    code = "import time; t = time.perf_counter(); import neonkit; print(time.perf_counter() - t)"
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, cwd=os.sep)
    best = min(
        float(subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, cwd=os.sep).stdout)
        for _ in range(3)
    )
    assert best < 0.1, f"import neonkit took {best * 1000:.0f} ms"


def test_models_behave():
    raw = {
        "id": "op-1",
        "project_id": "p",
        "action": "create_branch",
        "status": "brand_new_status",
        "failures_count": 0,
        "created_at": "x",
        "updated_at": "y",
        "total_duration_ms": 1,
        "extra_field": [1],
    }
    op = Operation.from_dict(raw)
    assert op.status == "brand_new_status" and type(op.status) is str, "unknown enum values come through as strings"
    assert Operation.from_dict({**raw, "status": "finished"}).status is OperationStatus.FINISHED
    assert op.to_dict() == raw, "unknown fields are kept"
    assert op == Operation.from_dict(dict(raw)) and op != Operation.from_dict({**raw, "id": "op-2"})
    assert pickle.loads(pickle.dumps(op)) == op
    assert op.branch_id is None
    with pytest.raises(AttributeError):
        op.no_such_field
    built = Project(id="p-1", name="n")
    assert built.to_dict() == {"id": "p-1", "name": "n"} and "name='n'" in repr(built)
    with pytest.raises(TypeError):
        Project(nope=1)
    from neonkit.models import ConnectionDetails

    cd = ConnectionDetails.from_dict(
        {
            "connection_uri": "postgresql://u:npg_secret@h/db",
            "connection_parameters": {
                "database": "db",
                "password": "npg_secret",
                "role": "u",
                "host": "h",
                "pooler_host": "ph",
            },
        }
    )
    assert "npg_secret" not in repr(cd) and "<redacted>" in repr(cd)
    assert cd.connection_parameters.password == "npg_secret"


CTRL_C_SCRIPT = textwrap.dedent(
    """
    import os, signal, threading, time
    from neonkit.testing import Emulator

    emu = Emulator()
    c = emu.client()
    emu.add_fault("listProjects", "latency", ms=5000)
    threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    t = time.perf_counter()
    try:
        c.projects.list()
    except KeyboardInterrupt:
        print("interrupted after", round(time.perf_counter() - t, 2))
    """
)


def test_ctrl_c_interrupts_a_blocking_call(tmp_path):
    script = tmp_path / "ctrl_c.py"
    script.write_text(CTRL_C_SCRIPT)
    r = subprocess.run([sys.executable, str(script)], capture_output=True, timeout=30, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("interrupted after"), r.stdout + r.stderr
    assert float(r.stdout.split()[-1]) < 2.0


def test_one_client_shared_by_many_threads_and_tasks(emu, sync_client):
    p = new_project(sync_client, "shared")
    pid = p.project.id

    def work(i):
        if i % 5 == 0:
            return sync_client.projects.create(body={"project": {"name": f"t{i}"}}).project.name
        return sync_client.projects.get(pid).project.id

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(40)))
    assert results.count(pid) == 32
    assert sorted(r for r in results if r != pid) == sorted(f"t{i}" for i in range(0, 40, 5))

    async def go():
        async with emu.async_client() as c:
            got = await asyncio.gather(*(c.projects.get(pid) for _ in range(100)))
            return {g.project.id for g in got}

    assert asyncio.run(go()) == {pid}
