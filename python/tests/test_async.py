"""AsyncNeonClient's completion queues: runtime threads hand finished calls to their event loop's
queue (no GIL on runtime threads), and the loop's reader settles the futures."""

import asyncio
import gc
import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import neonkit
from neonkit import _base

from conftest import FAST, in_forked_child, new_project


def _queue_of(loop):
    return _base._queues.get(loop)


def test_many_concurrent_calls_settle_with_their_own_results(emu, sync_client):
    ids = [new_project(sync_client, f"many-{i}").project.id for i in range(8)]

    async def go():
        async with emu.async_client(**FAST) as c:
            wanted = [ids[i % len(ids)] for i in range(400)]
            got = await asyncio.gather(*(c.projects.get(pid) for pid in wanted))
            assert [p.project.id for p in got] == wanted
            assert all(neonkit.response_of(p).status == 200 for p in got)
            # errors come through the queue as the error classes, mixed with results
            calls = [
                c.projects.get(pid) if i % 3 else c.projects.get("no-such-project-0")
                for i, pid in enumerate(wanted[:60])
            ]
            out = await asyncio.gather(*calls, return_exceptions=True)
            for i, r in enumerate(out):
                if i % 3:
                    assert r.project.id == wanted[i]
                else:
                    assert isinstance(r, neonkit.NotFoundError) and r.request_id
            q = _queue_of(asyncio.get_running_loop())
            assert q and q.pending() == 0
            return True

    assert asyncio.run(go())


def test_a_call_cancelled_while_its_result_waits_in_the_queue(emu, sync_client):
    pid = new_project(sync_client, "queued-cancel").project.id
    unraisable = []
    old_hook = sys.unraisablehook
    sys.unraisablehook = lambda u: unraisable.append(u)

    async def go():
        async with emu.async_client(**FAST) as c:
            await c.projects.get(pid)  # the loop's queue exists
            loop = asyncio.get_running_loop()
            q = _queue_of(loop)
            tasks = [asyncio.ensure_future(c.projects.get(pid)) for _ in range(6)]
            await asyncio.sleep(0)  # the calls start
            # The loop thread blocks: the calls finish into the queue, nobody drains it.
            deadline = time.monotonic() + 10
            while q.pending() < len(tasks) and time.monotonic() < deadline:
                time.sleep(0.005)
            assert q.pending() == len(tasks)
            for t in tasks[::2]:
                t.cancel()
            out = await asyncio.gather(*tasks, return_exceptions=True)
            for i, r in enumerate(out):
                if i % 2 == 0:
                    assert isinstance(r, asyncio.CancelledError)
                else:
                    assert r.project.id == pid
            assert q.pending() == 0
            assert (await c.projects.get(pid)).project.id == pid

    try:
        asyncio.run(go())
    finally:
        sys.unraisablehook = old_hook
    assert not unraisable, unraisable


def test_two_loops_in_two_threads(emu, sync_client):
    pids = [new_project(sync_client, f"loops-{i}").project.id for i in range(2)]
    results = {}
    queues = {}

    def run(i):
        async def go():
            async with emu.async_client(**FAST) as c:
                got = []
                for _ in range(20):
                    batch = await asyncio.gather(*(c.projects.get(pids[i]) for _ in range(10)))
                    got.extend(p.project.id for p in batch)
                queues[i] = id(_queue_of(asyncio.get_running_loop()))
                return got

        results[i] = asyncio.run(go())

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results[0] == [pids[0]] * 200 and results[1] == [pids[1]] * 200
    assert queues[0] != queues[1], "each loop has its own queue"


def test_a_loop_closed_with_calls_in_flight(emu, sync_client):
    pid = new_project(sync_client, "closed-loop").project.id
    loop = asyncio.new_event_loop()
    c = emu.async_client(**FAST)
    emu.add_fault("getProject", "latency", ms=200)
    try:
        tasks = [loop.create_task(c.projects.get(pid)) for _ in range(5)]
        loop.run_until_complete(asyncio.sleep(0.05))
        assert not any(t.done() for t in tasks)
        q = _queue_of(loop)
        loop.close()  # the calls are still running
        time.sleep(0.4)  # they finish into the queue of a closed loop: nobody drains it
        assert q.pending() == 5
    finally:
        emu.clear_faults()
    del tasks, loop, q
    gc.collect()
    # a new loop works
    assert asyncio.run(c.projects.get(pid)).project.id == pid


def test_a_loop_without_add_reader_settles_through_callbacks(emu, sync_client):
    pid = new_project(sync_client, "no-reader").project.id

    class Loop(asyncio.SelectorEventLoop):
        def add_reader(self, *args, **kwargs):
            raise NotImplementedError

    loop = Loop()
    try:
        c = emu.async_client(**FAST)

        async def go():
            return await asyncio.gather(*(c.projects.get(pid) for _ in range(20)))

        got = loop.run_until_complete(go())
        assert {p.project.id for p in got} == {pid}
        assert _queue_of(loop) is False
    finally:
        loop.close()


def test_with_uvloop(emu, sync_client):
    uvloop = pytest.importorskip("uvloop")
    pid = new_project(sync_client, "uvloop").project.id

    async def go():
        async with emu.async_client(**FAST) as c:
            got = await asyncio.gather(*(c.projects.get(pid) for _ in range(50)))
            t = asyncio.ensure_future(c.projects.get(pid))
            await asyncio.sleep(0)
            t.cancel()
            with pytest.raises(asyncio.CancelledError):
                await t
            return {p.project.id for p in got}

    loop = uvloop.new_event_loop()
    try:
        assert loop.run_until_complete(go()) == {pid}
    finally:
        loop.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_gets_its_own_queue(emu, sync_client):
    pid = new_project(sync_client, "fork-queue").project.id
    c = emu.async_client(**FAST)
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(c.projects.get(pid)).project.id == pid
        parent_queue = _queue_of(loop)

        def check() -> bool:
            assert _queue_of(loop) is None, "the parent's queues are forgotten"

            async def go():
                return await c.projects.get(pid)

            return asyncio.run(go()).project.id == pid

        in_forked_child(check)
        # the parent's loop and queue still work
        assert loop.run_until_complete(c.projects.get(pid)).project.id == pid
        assert _queue_of(loop) is parent_queue
    finally:
        loop.close()


def test_exit_with_results_waiting_in_a_queue(tmp_path):
    """Calls finished into a queue nobody drains, and calls still running, at interpreter exit."""
    script = tmp_path / "exit_queue.py"
    script.write_text(
        textwrap.dedent(
            """
            import asyncio, time
            from neonkit.testing import Emulator

            emu = Emulator()
            c = emu.async_client()
            loop = asyncio.new_event_loop()
            p = loop.run_until_complete(c.projects.create(body={"project": {"name": "q"}}))
            tasks = [loop.create_task(c.projects.get(p.project.id)) for _ in range(20)]
            loop.run_until_complete(asyncio.sleep(0))
            time.sleep(0.2)  # they finish into the queue; the loop never runs again
            emu.add_fault("getProject", "latency", ms=500)
            more = [loop.create_task(c.projects.get(p.project.id)) for _ in range(5)]
            loop.run_until_complete(asyncio.sleep(0.05))
            """
        )
    )
    for _ in range(5):
        r = subprocess.run([sys.executable, str(script)], capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
