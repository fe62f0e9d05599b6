"""Logs and hooks: the `neonkit` logger and `with_hooks`, against the emulator with a fault that makes
the first attempt fail (503) and its retry succeed. The lines are the core's (the same in every language)."""

import asyncio
import logging
import re
import socket
import threading
from typing import Any, Callable, Iterator, List, Tuple

import pytest

import neonkit
from neonkit import _events
from neonkit.testing import Emulator

FAST = dict(max_retries=3, retry_initial_backoff=0.01, retry_max_backoff=0.05)
MS = r"\d+\.\d ms"


@pytest.fixture(params=["sync", "async"])
def call(request: Any, emu: Emulator) -> Iterator[Callable[..., Any]]:
    """`call(client_options, lambda neon: neon.projects.get(id), hooks=None)`: runs one call on a client made
    then (so that it sees the logger's level as the test set it), blocking or through asyncio."""

    def run(fn: Callable[[Any], Any], hooks: Any = None, **options: Any) -> Any:
        if request.param == "sync":
            with emu.client(**FAST, **options) as neon:
                if hooks:
                    neon = neon.with_hooks(**hooks)
                return fn(neon)

        async def go() -> Any:
            async with emu.async_client(**FAST, **options) as neon:
                if hooks:
                    neon = neon.with_hooks(**hooks)
                return await fn(neon)

        return asyncio.run(go())

    yield run


@pytest.fixture
def project_id(emu: Emulator) -> str:
    with emu.client() as neon:
        return str(neon.projects.create(body={"project": {"name": "logs"}}).project.id)


def neonkit_records(caplog: Any) -> List[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "neonkit"]


def test_a_retried_call_logs_each_attempt_and_the_retry(emu: Emulator, caplog: Any, call: Any, project_id: str) -> None:
    caplog.set_level(logging.DEBUG, logger="neonkit")
    emu.add_fault("getProject", "status", status=503, times=1)
    call(lambda neon: neon.projects.get(project_id))

    records = neonkit_records(caplog)
    lines = [r.getMessage() for r in records]
    assert len(lines) == 5, lines
    rid = records[1].neonkit_event.request_id  # type: ignore[attr-defined]
    assert rid
    assert lines[0] == "request GET /projects/{project_id} (getProject, attempt 1 of 4)"
    assert re.fullmatch(
        rf"response GET /projects/\{{project_id\}} 503 in {MS} \(getProject, attempt 1 of 4, request id {rid}\)",
        lines[1],
    ), lines[1]
    assert re.fullmatch(
        rf"retry GET /projects/\{{project_id\}} after 503 in {MS} \(getProject, attempt 2 of 4, request id {rid}\)",
        lines[2],
    ), lines[2]
    assert lines[3] == "request GET /projects/{project_id} (getProject, attempt 2 of 4)"
    assert re.fullmatch(
        rf"response GET /projects/\{{project_id\}} 200 in {MS} \(getProject, attempt 2 of 4, request id [\w-]+\)",
        lines[4],
    ), lines[4]
    assert [r.levelno for r in records] == [logging.DEBUG, logging.DEBUG, logging.INFO, logging.DEBUG, logging.DEBUG]
    for line in lines:
        assert emu.api_key not in line
        assert project_id not in line, "the path template, not the filled path"
    # The delay in the line is the event's.
    retry = records[2].neonkit_event  # type: ignore[attr-defined]
    assert f"in {retry.delay * 1000:.1f} ms" in lines[2]
    assert 0 <= retry.delay <= 0.01


def test_hooks_are_called_in_order_with_the_events(emu: Emulator, call: Any, project_id: str) -> None:
    seen: List[Tuple[Any, ...]] = []
    hooks = {
        "on_request": lambda e: seen.append(("request", e.attempt, e.operation, e.method, e.path)),
        "on_response": lambda e: seen.append(("response", e.attempt, e.status, e.request_id, e.duration)),
        "on_retry": lambda e: seen.append(("retry", e.attempt, e.status, e.request_id, e.delay)),
    }
    emu.add_fault("getProject", "status", status=503, times=1)
    project = call(lambda neon: neon.projects.get(project_id), hooks=hooks)
    assert project.project.id == project_id

    assert [s[:2] for s in seen] == [("request", 1), ("response", 1), ("retry", 2), ("request", 2), ("response", 2)]
    assert seen[0][2:] == ("getProject", "GET", "/projects/{project_id}")
    _, _, status, failed_id, duration = seen[1]
    assert status == 503 and failed_id and duration > 0
    _, _, status, rid, delay = seen[2]
    assert (status, rid) == (503, failed_id)
    assert 0 <= delay <= 0.01
    _, _, status, ok_id, _ = seen[4]
    assert status == 200 and ok_id and ok_id != failed_id
    assert neonkit.response_of(project).request_id == ok_id


def test_a_hook_that_raises_is_logged_and_the_call_goes_on(
    emu: Emulator, caplog: Any, call: Any, project_id: str
) -> None:
    caplog.set_level(logging.WARNING, logger="neonkit")

    def boom(event: neonkit.NeonEvent) -> None:
        raise ValueError("boom")

    emu.add_fault("getProject", "status", status=503, times=1)
    project = call(lambda neon: neon.projects.get(project_id), hooks={"on_retry": boom, "on_request": boom})
    assert project.project.id == project_id
    warnings = [r for r in neonkit_records(caplog) if r.levelno == logging.WARNING]
    messages = [r.getMessage() for r in warnings]
    assert messages.count("the on_retry hook failed and was ignored (the call goes on): ValueError: boom") == 1
    assert messages.count("the on_request hook failed and was ignored (the call goes on): ValueError: boom") == 2
    assert all(r.exc_info for r in warnings), "with the traceback"
    # The logger was at WARNING: no event line besides.
    assert len(warnings) == len(neonkit_records(caplog)) == 3


def test_at_info_only_retries_are_logged(emu: Emulator, caplog: Any, call: Any, project_id: str) -> None:
    caplog.set_level(logging.INFO, logger="neonkit")
    emu.add_fault("getProject", "status", status=503, times=1)
    call(lambda neon: neon.projects.get(project_id))
    lines = [r.getMessage() for r in neonkit_records(caplog)]
    assert len(lines) == 1 and lines[0].startswith("retry GET /projects/{project_id} after 503 in "), lines


def test_nothing_listens_when_the_logger_is_off_and_no_hook_is_given(caplog: Any) -> None:
    caplog.set_level(logging.WARNING, logger="neonkit")
    assert _events._sink() == (None, [])
    assert _events._sink({"retry": None}) == (None, [])
    sink, kinds = _events._sink({"retry": print})
    assert sink is not None and kinds == ["retry"] and not sink.log
    caplog.set_level(logging.INFO, logger="neonkit")
    assert _events._sink()[1] == ["retry"]
    caplog.set_level(logging.DEBUG, logger="neonkit")
    assert _events._sink()[1] == ["request", "response", "retry", "wait"]
    with pytest.raises(TypeError, match="on_retry must be callable"):
        _events._sink({"retry": "not a function"})


def test_an_operation_wait_reports_its_polls(emu: Emulator, caplog: Any, call: Any, project_id: str) -> None:
    caplog.set_level(logging.DEBUG, logger="neonkit")
    waits: List[Any] = []
    call(
        lambda neon: neon.branches.create(project_id, body={"branch": {"name": "dev"}}),
        hooks={"on_wait": waits.append},
    )
    assert len(waits) >= 2
    assert waits[0].attempt == 0 and waits[0].pending >= 1 and len(waits[0].operation_ids) == waits[0].pending
    assert waits[-1].pending == 0 and waits[-1].delay is None
    lines = [r.getMessage() for r in neonkit_records(caplog) if r.getMessage().startswith("wait ")]
    assert lines == [w.message for w in waits]
    assert re.fullmatch(
        rf"wait \d of \d operations? pending, next poll in {MS} \(poll 0\): [\w-]+(, [\w-]+)*", lines[0]
    )
    assert re.fullmatch(r"wait done: \d operations? finished \(poll \d+\)", lines[-1])


def test_the_applications_user_agent_follows_neonkits() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    heads: List[bytes] = []

    def serve() -> None:
        conn, _ = server.accept()
        head = b""
        while b"\r\n\r\n" not in head:
            head += conn.recv(4096)
        heads.append(head)
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}")
        conn.close()

    t = threading.Thread(target=serve)
    t.start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}/api/v2"
    with neonkit.NeonClient("k", base_url=url, user_agent="myapp/1.2", max_retries=0) as neon:
        neon.request("GET", "/projects")
    t.join()
    server.close()
    ua = re.search(rb"(?im)^user-agent: (.*)\r$", heads[0])
    assert ua and ua.group(1).decode() == f"neonkit/{neonkit.__version__} (python) myapp/1.2"


def test_a_bad_user_agent_is_a_config_error() -> None:
    with pytest.raises(neonkit.ConfigError, match="user_agent must be printable ASCII text of 1 to 256 bytes"):
        neonkit.NeonClient("k", user_agent="app\r\nX-Evil: 1")
