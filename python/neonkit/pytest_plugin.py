"""pytest fixtures for the neonkit emulator, loaded by pytest when neonkit is installed (the `pytest11` entry point).

A test asks for a fixture by name; nothing needs importing or registering::

    def test_creates_a_project(neon_client):
        made = neon_client.projects.create(body={"project": {"name": "demo"}})
        assert [p.name for p in neon_client.projects.list().projects] == ["demo"]

Fixtures:

- ``neon_emulator``: a running :class:`neonkit.testing.Emulator`, reset before each test (no projects,
  faults or counters; the clock on the real time; options changed with ``configure()`` put back), so
  every test starts from an empty Neon. One emulator serves the whole session (one per distinct set of
  options), because a cluster started with ``--neon-postgres`` takes seconds.
- ``neon_client`` / ``neon_async_client``: a ``NeonClient`` / ``AsyncNeonClient`` of it, closed after the test.
- ``neon_emulator_options`` / ``neon_client_options``: the keyword arguments of ``Emulator(...)`` and of
  ``emu.client(...)``; override them in a ``conftest.py`` (keep the default scope, "function")::

      @pytest.fixture
      def neon_emulator_options(neon_emulator_options):
          return {**neon_emulator_options, "operation_duration": 0, "seed": 7}

Command line (or ini) options: ``--neon-postgres`` (ini ``neon_postgres = true``) puts a real PostgreSQL
behind the emulator (``Emulator(postgres=True)``: the connection URIs it returns connect);
``--neon-operation-duration=SECONDS`` (ini ``neon_operation_duration``) sets how long its operations run.

The ``neon_emulator`` marker gives a test (or a module, ``pytestmark = ...``) an emulator with other
options, merged over ``neon_emulator_options``; tests that ask for the same options share one::

    @pytest.mark.neon_emulator(rate_limits=True)
    def test_backs_off(neon_client): ...
"""

from __future__ import annotations

import inspect
import json
import urllib.request
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Tuple

import pytest

if TYPE_CHECKING:
    from neonkit import AsyncNeonClient, NeonClient
    from neonkit.testing import Emulator

__all__ = [
    "neon_emulator",
    "neon_client",
    "neon_async_client",
    "neon_emulator_options",
    "neon_client_options",
]

_MARKER = "neon_emulator"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("neonkit", "neonkit emulator (the neon_emulator and neon_client fixtures)")
    group.addoption(
        "--neon-postgres",
        action="store_true",
        default=None,
        help="run the emulator with a real PostgreSQL behind it (Emulator(postgres=True); needs PostgreSQL's "
        "server binaries, e.g. apt-get install postgresql). Ini: neon_postgres.",
    )
    group.addoption(
        "--neon-operation-duration",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how long the emulator's operations take to finish (0: at once; default 0.02). "
        "Ini: neon_operation_duration.",
    )
    parser.addini("neon_postgres", "the emulator with a real PostgreSQL behind it (as --neon-postgres)", type="bool")
    parser.addini(
        "neon_operation_duration", "the emulator's operation duration in seconds (as --neon-operation-duration)"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(**options): run the test against an emulator started with these options of "
        "neonkit.testing.Emulator (merged over the neon_emulator_options fixture)",
    )


def _option_names() -> List[str]:
    from neonkit.testing import Emulator

    params = inspect.signature(Emulator.__init__).parameters.values()
    return [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]


def _check_options(options: Dict[str, Any], where: str) -> None:
    known = _option_names()
    for name in options:
        if name not in known:
            pytest.fail(
                f"{where}: {name!r} is not an option of neonkit.testing.Emulator (the options: {', '.join(known)})",
                pytrace=False,
            )


class _EmulatorPool:
    """The session's emulators, one per set of options, each with the runtime configuration it started with."""

    def __init__(self) -> None:
        self._running: Dict[str, Tuple[Emulator, bytes]] = {}

    def get(self, options: Dict[str, Any]) -> Emulator:
        from neonkit.testing import Emulator

        key = json.dumps(options, sort_keys=True, default=str)
        entry = self._running.get(key)
        if entry is not None:
            emu, config = entry
            try:
                emu.reset()
                _admin(emu, "PATCH", config)
                return emu
            except Exception:  # stopped by a test (or broken): start another one
                del self._running[key]
                try:
                    emu.stop()
                except Exception:
                    pass
        emu = Emulator(**options)
        self._running[key] = (emu, _admin(emu, "GET"))
        return emu

    def stop(self) -> None:
        for emu, _ in self._running.values():
            emu.stop()
        self._running.clear()


# The admin surface of the emulator (outside /api/v2, no key), never through a proxy.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _admin(emu: Emulator, method: str, body: bytes | None = None) -> bytes:
    """GETs or PATCHes /_emulator/config: its runtime configuration (operation duration, locking, rate limits,
    latency, fault rates), which reset() keeps."""
    url = emu.base_url.rsplit("/api/", 1)[0] + "/_emulator/config"
    req = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "application/json"})
    with _opener.open(req, timeout=30) as resp:
        return bytes(resp.read())


@pytest.fixture(scope="session")
def _neon_emulator_pool() -> Iterator[_EmulatorPool]:
    pool = _EmulatorPool()
    yield pool
    pool.stop()


@pytest.fixture
def neon_emulator_options(pytestconfig: pytest.Config) -> Dict[str, Any]:
    """The keyword arguments of ``neonkit.testing.Emulator(...)`` for ``neon_emulator``: from ``--neon-postgres``
    and ``--neon-operation-duration`` (or their ini options). Override it in a conftest.py to set others::

        @pytest.fixture
        def neon_emulator_options(neon_emulator_options):
            return {**neon_emulator_options, "seed": 7}
    """
    options: Dict[str, Any] = {}
    postgres = pytestconfig.getoption("neon_postgres")
    if postgres is None:
        postgres = bool(pytestconfig.getini("neon_postgres"))
    if postgres:
        options["postgres"] = True
    duration = pytestconfig.getoption("neon_operation_duration")
    if duration is None:
        text = str(pytestconfig.getini("neon_operation_duration") or "").strip()
        if text:
            try:
                duration = float(text)
            except ValueError:
                pytest.fail(
                    f"ini option neon_operation_duration: expected a number of seconds, got {text!r}", pytrace=False
                )
    if duration is not None:
        options["operation_duration"] = duration
    return options


@pytest.fixture
def neon_emulator(
    request: pytest.FixtureRequest, neon_emulator_options: Dict[str, Any], _neon_emulator_pool: _EmulatorPool
) -> Emulator:
    """A running neonkit emulator (``neonkit.testing.Emulator``), reset before this test: no projects, faults or
    counters, the clock on the real time, runtime options as it started. Shared by the session's tests that use
    the same options (``neon_emulator_options``, the ``neon_emulator`` marker)."""
    options = dict(neon_emulator_options)
    _check_options(options, "neon_emulator_options")
    for marker in reversed(list(request.node.iter_markers(_MARKER))):  # the closest marker wins
        if marker.args:
            pytest.fail(
                f"@pytest.mark.{_MARKER} takes keyword arguments (options of neonkit.testing.Emulator), not positional",
                pytrace=False,
            )
        _check_options(marker.kwargs, f"@pytest.mark.{_MARKER}")
        options.update(marker.kwargs)
    return _neon_emulator_pool.get(options)


@pytest.fixture
def neon_client_options() -> Dict[str, Any]:
    """The keyword arguments of ``neon_client`` and ``neon_async_client`` (those of ``NeonClient``, e.g.
    ``{"max_retries": 0}``); none by default. The API key and base URL are the emulator's."""
    return {}


@pytest.fixture
def neon_client(neon_emulator: Emulator, neon_client_options: Dict[str, Any]) -> Iterator[NeonClient]:
    """A ``neonkit.NeonClient`` of ``neon_emulator`` (options from ``neon_client_options``), closed after the test."""
    client = neon_emulator.client(**neon_client_options)
    yield client
    client.close()


@pytest.fixture
def neon_async_client(neon_emulator: Emulator, neon_client_options: Dict[str, Any]) -> Iterator[AsyncNeonClient]:
    """A ``neonkit.AsyncNeonClient`` of ``neon_emulator``, closed after the test. Any event loop drives it
    (``asyncio.run``, pytest-asyncio, anyio): the calls run on neonkit's own runtime."""
    client = neon_emulator.async_client(**neon_client_options)
    yield client
    client._native.close()  # what `await client.close()` does, without needing a loop here
