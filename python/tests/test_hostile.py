"""What real traffic and a hostile server showed in Python: wrong shapes passing
silently, options that overflowed, an exit that hung, secrets in reprs, bare
Unicode errors. The server here is a real HTTP server on 127.0.0.1 that answers
what the emulator never would."""

import http.server
import subprocess
import threading
import time
from typing import Any, Iterator, List, Tuple

import pytest

import neonkit
from neonkit.testing import Emulator

from conftest import FAST, HERE, PYTHON, new_project

KEY = "napi_k3y0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdef"


class Scripted:
    """An HTTP server on 127.0.0.1 that answers each request with the next (status, body)."""

    def __init__(self) -> None:
        self.replies: List[Tuple[int, bytes]] = []
        scripted = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = scripted.replies.pop(0)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v2"


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    s = Scripted()
    yield s
    s.server.shutdown()


SHAPES = [
    (200, b'{"project": "hello"}', "field project is a string"),
    (200, b"null", "null"),
    (200, b"", "empty"),
    (204, b"", "empty"),
    (200, b'{"project": {"id": NaN}}', "not valid JSON"),
    (200, b'{"project": {"name": "\xff"}}', "not UTF-8"),
]


@pytest.mark.parametrize("status,body,why", SHAPES)
def test_wrong_shapes_are_decode_errors_in_both_clients(scripted: Scripted, status: int, body: bytes, why: str) -> None:
    """Item 5: not None, not "hello", not json.loads' NaN: a DecodeError naming the operation."""
    import asyncio

    scripted.replies = [(status, body), (status, body)]
    with neonkit.NeonClient(KEY, base_url=scripted.base_url, max_retries=0) as neon:
        with pytest.raises(neonkit.DecodeError) as e:
            neon.projects.get("p-1")
    assert e.value.operation == "getProject" and why in e.value.message

    async def run() -> None:
        async with neonkit.AsyncNeonClient(KEY, base_url=scripted.base_url, max_retries=0) as neon:
            with pytest.raises(neonkit.DecodeError) as e:
                await neon.projects.get("p-1")
            assert why in e.value.message

    asyncio.run(run())


@pytest.mark.parametrize(
    "option,value,text",
    [
        ("timeout", 1e19, "timeout must be a number of seconds greater than 0 and at most 86400"),
        ("wait_timeout", 1e19, "wait_timeout must be"),
        ("wait_poll_interval", 1e19, "wait_poll_interval must be"),
        ("retry_initial_backoff", 1e19, "retry_initial_backoff must be"),
        ("retry_max_backoff", 1e19, "retry_max_backoff must be"),
        ("max_retries", 2**32, "max_retries must be a whole number from 0 to 100"),
        ("max_retries", 2**80, "max_retries must be a whole number from 0 to 100"),
        ("max_retries", -1, "max_retries must be"),
        ("timeout", 0, "timeout must be"),
        ("max_response_bytes", 10, "max_response_bytes must be"),
    ],
)
def test_out_of_range_options_are_config_errors(option: str, value: Any, text: str) -> None:
    """Item 7: a ConfigError naming the option and its range, at construction."""
    with pytest.raises(neonkit.ConfigError) as e:
        neonkit.NeonClient(KEY, base_url="http://127.0.0.1:9/api/v2", **{option: value})
    assert text in e.value.message


def test_an_atexit_handler_registered_first_finishes_its_async_call(emu: Emulator) -> None:
    """Item 8: a handler that runs after neonkit's exit hook and awaits a call finishes it (it used to hang)."""
    script = f"""
import atexit, asyncio
def last():
    async def go():
        from neonkit import AsyncNeonClient
        async with AsyncNeonClient({emu.api_key!r}, base_url={emu.base_url!r}) as neon:
            page = await neon.projects.list()
            print("listed", type(page).__name__, flush=True)
    asyncio.run(go())
atexit.register(last)
import neonkit
"""
    out = subprocess.run([PYTHON, "-c", script], capture_output=True, text=True, timeout=60, cwd=HERE)
    assert out.returncode == 0, out.stderr
    assert "listed ListProjectsResponse" in out.stdout


def test_reprs_hide_secrets_the_spec_does_not_mark() -> None:
    """Item 16."""
    from neonkit.models import ConnectionURIResponse, NeonAuthOauthProvider

    uri = ConnectionURIResponse(uri="postgresql://app:npg_s3cr3t@ep-x.neon.tech/db")
    assert "npg_s3cr3t" not in repr(uri) and uri.uri.endswith("/db")
    provider = NeonAuthOauthProvider(id="google", type="standard", client_id="c", client_secret="cs_s3cr3t")
    assert "cs_s3cr3t" not in repr(provider) and provider.client_secret == "cs_s3cr3t"


def test_secrets_stay_out_of_messages_and_reprs() -> None:
    """Item 18: the key as a project id, and a password in the base URL."""
    with neonkit.NeonClient(KEY, base_url="http://127.0.0.1:9/api/v2") as neon:
        with pytest.raises(neonkit.InvalidArgumentError) as e:
            neon.projects.get(KEY)
        assert KEY[10:30] not in str(e.value) and KEY[10:30] not in repr(e.value)
    with pytest.raises(neonkit.ConfigError) as c:
        neonkit.NeonClient(KEY, base_url="https://user:hunter2secret@console.neon.tech/api/v2")
    assert "hunter2secret" not in str(c.value) and "user name or password" in str(c.value)


def test_a_lone_surrogate_is_an_invalid_argument_naming_the_parameter(sync_client: neonkit.NeonClient) -> None:
    """Item 23."""
    with pytest.raises(neonkit.InvalidArgumentError) as e:
        sync_client.projects.get("p\ud800")
    assert "project_id" in e.value.message and "surrogate" in e.value.message
    with pytest.raises(neonkit.InvalidArgumentError) as e:
        sync_client.projects.list(search="\udc00")
    assert "search" in e.value.message
    with pytest.raises(neonkit.InvalidArgumentError) as e:
        sync_client.projects.create(body={"project": {"name": "x\ud800"}})
    assert "surrogate" in e.value.message


def test_a_failed_wait_after_an_accepted_post_is_not_retryable() -> None:
    """Item 13: the branch exists; the error says so and is not retryable."""
    with Emulator(operation_duration=0.2) as emu, emu.client(**FAST, wait_poll_interval=0.01) as neon:
        project = new_project(neon, "accepted").project
        emu.add_fault("getProjectOperation", "status", status=500, times=1000)
        with pytest.raises(neonkit.ServerError) as e:
            neon.branches.create(project.id)
        emu.clear_faults()
        assert e.value.retryable is False and e.value.accepted is True
        assert "createProjectBranch was accepted (branch br-" in e.value.message
        assert e.value.pending_operations
        neon.operations.wait(project.id, list(e.value.pending_operations))
        assert len(neon.branches.list(project.id).branches) == 2
    # Other errors say what they are.
    with neonkit.NeonClient(KEY, base_url="http://127.0.0.1:9/api/v2", max_retries=0, connect_timeout=0.5) as neon:
        with pytest.raises(neonkit.NetworkError) as n:
            neon.projects.get("p-1")
        assert n.value.retryable is True and n.value.accepted is False


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_posts_around_the_server_idle_timeout_succeed(mode: str) -> None:
    """Item 15: pauses of 40-65 ms against a 50 ms idle timeout, no retries: every POST succeeds when
    the client's pool idle timeout is below the server's (the client ends idle connections first)."""
    import asyncio

    with Emulator(idle_timeout=0.05, operation_duration=0.0) as emu:
        failures = []
        if mode == "sync":
            with emu.client(max_retries=0, pool_idle_timeout=0.03) as neon:
                for i in range(50):
                    time.sleep((40 + (i * 7) % 26) / 1000)
                    try:
                        neon.projects.create(body={"project": {}})
                    except neonkit.NeonError as e:
                        failures.append(repr(e))
        else:

            async def run() -> None:
                async with emu.async_client(max_retries=0, pool_idle_timeout=0.03) as neon:
                    for i in range(50):
                        await asyncio.sleep((40 + (i * 7) % 26) / 1000)
                        try:
                            await neon.projects.create(body={"project": {}})
                        except neonkit.NeonError as e:
                            failures.append(repr(e))

            asyncio.run(run())
        assert not failures, failures


def test_the_emulator_accepts_what_neons_python_client_sends(emu: Emulator) -> None:
    """Item 19 (emulator): pooled=True, as the real API accepts it."""
    import urllib.request

    with emu.client() as neon:
        p = new_project(neon, "pooled")
        branch = p.branch.id
        role = p.roles[0].name if p.roles else "neondb_owner"
        db = p.databases[0].name if p.databases else "neondb"
    url = f"{emu.base_url}/projects/{p.project.id}/connection_uri?branch_id={branch}&database_name={db}&role_name={role}&pooled=True"
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {emu.api_key}"})
    with urllib.request.urlopen(req) as r:
        assert r.status == 200
