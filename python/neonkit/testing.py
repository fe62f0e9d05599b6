"""Testing helpers: the neonkit emulator (a local, stateful Neon API) in this process.

from neonkit.testing import Emulator
with Emulator() as emu:
    neon = emu.client()
    project = neon.projects.create(body={"project": {"name": "t"}}).project
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from types import TracebackType
from typing import List, TypedDict

from neonkit import _native
from neonkit._client import AsyncNeonClient, NeonClient
from neonkit._model import parse_datetime
from neonkit.generated.options import _EmulatorOptionsMixin

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Mapping, Optional, Type, Union


class SeededBranch(TypedDict):
    """A branch a fixture seeded."""

    id: str
    name: str
    endpoint_ids: List[str]
    """Its endpoints' ids, in the fixture's order."""


class SeededProject(TypedDict):
    """A project a fixture seeded, with its branches in the fixture's order."""

    id: str
    name: str
    branches: List[SeededBranch]


class Seeded(TypedDict):
    """What `Emulator.seed` returns: the ids the emulator gave (or the fixture named)."""

    projects: List[SeededProject]


class Emulator(_EmulatorOptionsMixin):
    """Starts the emulator on 127.0.0.1 (an ephemeral port) on neonkit's runtime; `stop()` or `with` ends it.
    Its options (generated from spec/vocabulary.yaml) are checked by the core, as a client's are."""

    def _start(self, options: Dict[str, Any]) -> None:
        if not hasattr(_native, "_Emulator"):
            raise ImportError("this build of neonkit has no emulator (built without the `emulator` feature)")
        self._emu = _native._Emulator(options)

    def _reconfigure(self, options: Dict[str, Any]) -> None:
        self._emu.configure(options)

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT/api/v2`"""
        return str(self._emu.base_url)

    @property
    def api_key(self) -> str:
        """The API key the emulator accepts."""
        return str(self._emu.api_key)

    def client(self, **options: Any) -> NeonClient:
        """A blocking client of this emulator (options as for NeonClient)."""
        options.setdefault("api_key", self.api_key)
        return NeonClient(base_url=self.base_url, **options)

    def async_client(self, **options: Any) -> AsyncNeonClient:
        """An asyncio client of this emulator (options as for AsyncNeonClient)."""
        options.setdefault("api_key", self.api_key)
        return AsyncNeonClient(base_url=self.base_url, **options)

    def add_fault(
        self, operation_id: Optional[str] = None, kind: str = "status", *, times: Optional[int] = None, **params: Any
    ) -> None:
        """Adds a fault: kind "status" (status=, retry_after=), "drop_connection", "truncate_body",
        "latency" (ms=), "fail_operation" (error=) or "merge_body" (body=), for the next `times` matching
        requests (None = until cleared).
        With after_handling=True a "status" or "drop_connection" fault lets the request be handled
        (what it makes is applied) and fails only its answer. "merge_body" handles the request, then
        JSON-merge-patches (RFC 7386) a 2xx JSON answer with `body` (objects merge, None deletes a key),
        e.g. body={"endpoint": {"current_state": "hibernating"}} for an enum value the spec does not list."""
        fault = {"operation_id": operation_id, "kind": kind, "times": times, **params}
        self._emu.add_fault(json.dumps(fault))

    def seed(self, fixture: Union[Mapping[str, Any], str, os.PathLike[str]]) -> Seeded:
        """Seeds projects with their branches, databases, roles, endpoints and operations from a
        fixture: a dict, JSON text, or the path of a JSON file, shaped `{"projects": [...]}` in the
        API's field names (the emulator's README has the format). Timestamps may lie in the past
        (`created_at` of 40 days ago); what a fixture leaves out is what the API would make. All or
        nothing: a fixture that does not match the spec's schemas raises `InvalidArgumentError`
        naming the bad field's path (`$.projects[0].branches[1].created_at: ...`), and nothing of it
        is applied. Returns the ids given, e.g. `emu.seed(f)["projects"][0]["branches"][1]["id"]`."""
        if isinstance(fixture, os.PathLike):
            with open(fixture, encoding="utf-8") as f:
                text = f.read()
        elif isinstance(fixture, str):
            text = fixture
        else:
            text = json.dumps(fixture)
        result: Seeded = json.loads(self._emu.seed(text))
        return result

    def clear_faults(self) -> None:
        self._emu.clear_faults()

    def request_count(self, operation_id: str) -> int:
        """Requests received for that operationId (faulted ones included)."""
        return int(self._emu.request_count(operation_id))

    def reset(self) -> None:
        """Empties all state: projects, faults, counters; the clock goes back to the real time."""
        self._emu.reset()

    def set_clock(self, when: Union[datetime, str]) -> datetime:
        """Sets the emulator's clock, where every timestamp it writes comes from (created_at,
        updated_at, operation times, ...): a timezone-aware datetime or an RFC 3339 string. The clock
        runs on from there; operation durations stay on real time. Returns the clock's time."""
        if isinstance(when, datetime):
            if when.tzinfo is None or when.utcoffset() is None:
                raise ValueError("set_clock needs a timezone-aware datetime (e.g. datetime.now(timezone.utc))")
            text = when.isoformat()
        elif isinstance(when, str):
            text = when
        else:
            raise TypeError(f"set_clock takes a datetime or an RFC 3339 string, not {type(when).__name__}")
        return parse_datetime(self._emu.set_clock(text))

    def advance_clock(self, seconds: Union[float, timedelta]) -> datetime:
        """Moves the emulator's clock forward by `seconds` (a number, zero or more, or a timedelta).
        Returns the clock's time."""
        if isinstance(seconds, timedelta):
            seconds = seconds.total_seconds()
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(f"advance_clock takes a number of seconds or a timedelta, not {type(seconds).__name__}")
        return parse_datetime(self._emu.advance_clock(float(seconds)))

    def real_clock(self) -> datetime:
        """Puts the emulator's clock back on the real time (reset() does too). Returns its time."""
        return parse_datetime(self._emu.real_clock())

    @property
    def clock(self) -> datetime:
        """The emulator's clock now."""
        return parse_datetime(self._emu.clock())

    def stop(self) -> None:
        self._emu.stop()

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.stop()
