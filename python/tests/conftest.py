"""Fixtures: one in-process emulator for the session; fresh clients per test.

`client_kind` runs a test twice, once with NeonClient and once with
AsyncNeonClient driven through `AsyncFacade` (every call is awaited on a real
asyncio loop, iterators are walked with `async for`)."""

import asyncio
import inspect
import os
import sys
from typing import Any, Callable, Iterator

import pytest

import neonkit
from neonkit.testing import Emulator

FAST = dict(max_retries=3, retry_initial_backoff=0.01, retry_max_backoff=0.05)


@pytest.fixture(scope="session")
def emu() -> Iterator[Emulator]:
    e = Emulator()
    yield e
    e.stop()


class _AsyncNamespace:
    def __init__(self, ns: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._ns = ns
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        fn = getattr(self._ns, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            result = fn(*args, **kwargs)
            if inspect.iscoroutine(result):
                return self._loop.run_until_complete(result)
            assert hasattr(result, "__aiter__"), f"{name} returned {result!r}"

            async def collect() -> list:
                return [x async for x in result]

            return iter(self._loop.run_until_complete(collect()))

        return call


class AsyncFacade:
    """Drives an AsyncNeonClient from synchronous test code."""

    def __init__(self, client: neonkit.AsyncNeonClient) -> None:
        self._client = client
        self._loop = asyncio.new_event_loop()
        self.is_async = True

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if inspect.iscoroutinefunction(attr):  # a method of the client itself (`connection_string`)

            def call(*args: Any, **kwargs: Any) -> Any:
                return self._loop.run_until_complete(attr(*args, **kwargs))

            return call
        return _AsyncNamespace(attr, self._loop)

    def close(self) -> None:
        self._loop.run_until_complete(self._client.close())
        self._loop.close()


@pytest.fixture(params=["sync", "async"])
def client_kind(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def neon(emu: Emulator, client_kind: str) -> Iterator[Any]:
    if client_kind == "sync":
        c = emu.client(**FAST)
        c.is_async = False  # type: ignore[attr-defined]
        yield c
        c.close()
    else:
        f = AsyncFacade(emu.async_client(**FAST))
        yield f
        f.close()


@pytest.fixture
def sync_client(emu: Emulator) -> Iterator[neonkit.NeonClient]:
    c = emu.client(**FAST)
    yield c
    c.close()


def new_project(c: Any, name: str) -> Any:
    return c.projects.create(body={"project": {"name": name}})


def in_forked_child(check: Callable[[], bool]) -> None:
    """Runs `check` in a forked child (a 20 s alarm guards a hang) and asserts it returned True."""
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        code = 3
        try:
            import signal

            signal.alarm(20)
            code = 0 if check() else 1
        except BaseException:
            code = 2
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"child status {status}"


PYTHON = sys.executable
HERE = os.path.dirname(os.path.abspath(__file__))
