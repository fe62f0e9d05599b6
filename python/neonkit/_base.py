"""What the generated namespace methods call: argument encoding, decoding, and the two client bases."""

from __future__ import annotations


import json
import os
import weakref
from collections.abc import Mapping
from enum import Enum

from neonkit import _native
from datetime import datetime

from neonkit._model import _MODELS, Model, _convert, _new, _plain, _set_cache, _set_data, format_datetime
import neonkit.generated.models  # noqa: F401  (registers the model classes)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import asyncio
    from typing import Any, AsyncIterator, Dict, Iterator, List, Optional, Sequence, Tuple

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_plain).encode


def _qvalue(v: Any) -> str:
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, Enum):
        return str(v.value)
    if isinstance(v, (str, int, float)):
        return str(v)
    if isinstance(v, datetime):
        return format_datetime(v)
    if hasattr(v, "isoformat"):
        return str(v.isoformat())
    raise TypeError(f"a query parameter cannot be a {type(v).__name__}")


def _q(*pairs: Tuple[str, Any]) -> List[Tuple[str, str]]:
    """(name, value) pairs without the Nones; sequences repeat the name."""
    out: List[Tuple[str, str]] = []
    for name, v in pairs:
        if v is None:
            continue
        if isinstance(v, (list, tuple, set, frozenset)):
            out.extend((name, _qvalue(x)) for x in v)
        else:
            out.append((name, _qvalue(v)))
    return out


def _body(method: str, body: Any, fields: Tuple[Tuple[str, Any], ...], required: bool) -> Any:
    """The request body of a call: `body=` (a whole prepared body), or the top-level fields given as
    keywords (None: not given), never both. A required body with neither is an empty object."""
    given = [(k, v) for k, v in fields if v is not None]
    if not given:
        return {} if body is None and required else body
    if body is not None:
        names = ", ".join(f"{k}=" for k, _ in given)
        raise TypeError(f"{method}() takes the whole body (body=) or its fields as keywords ({names}), not both")
    return dict(given)


def _json(body: Any) -> Optional[bytes]:
    if body is None:
        return None
    if isinstance(body, Model):
        body = body.to_dict()
    elif not isinstance(body, dict):
        raise TypeError(f"body must be a dict or a neonkit model, not {type(body).__name__}")
    return _utf8(_dumps(body), "the request body")


def _utf8(text: str, what: str) -> bytes:
    """JSON text as UTF-8; a lone surrogate (which UTF-8 cannot hold) is an invalid argument."""
    try:
        return text.encode()
    except UnicodeEncodeError as e:
        from neonkit.generated.errors import InvalidArgumentError

        raise InvalidArgumentError(
            f"{what} is not valid Unicode text: it holds a lone surrogate (character {e.start} of its JSON)"
        ) from None


def _dynamic(id: Any, args: Any) -> Tuple[str, Dict[str, Any], Any]:
    """`client.workflow(id, args)`'s: the id, the arguments, how its result decodes (by the generated table)."""
    from neonkit.generated.resources import WORKFLOWS

    if not isinstance(id, str):
        raise TypeError(f"a workflow id must be a str, not {type(id).__name__}")
    if args is not None and not isinstance(args, Mapping):
        raise TypeError(f"the arguments of {id} must be a mapping, not {type(args).__name__}")
    entry = WORKFLOWS.get(id)
    return id, dict(args or {}), entry[4] if entry else None


def _workflow_args(workflow: str, args: Dict[str, Any]) -> bytes:
    """A workflow's arguments as the JSON object the core takes: by their names, None left out
    (the default), models as their dicts. The core checks names and types."""
    members = []
    for name, value in args.items():
        if value is None:
            continue
        try:
            members.append(f"{_dumps(name)}:{_dumps(value)}")
        except (TypeError, ValueError):
            raise TypeError(f"{workflow}: {name} cannot be sent as JSON (got {type(value).__name__})") from None
    return _utf8("{" + ",".join(members) + "}", f"the arguments of {workflow}")


def _multipart(body: Any) -> Optional[List[Tuple[str, Any]]]:
    if body is None:
        return None
    if isinstance(body, Model):
        body = body._data
    if not isinstance(body, dict):
        raise TypeError(f"body must be a dict or a neonkit model, not {type(body).__name__}")
    parts: List[Tuple[str, Any]] = []
    for name, value in body.items():
        if value is None:
            continue
        if isinstance(value, (bytes, bytearray, memoryview)):
            parts.append((name, bytes(value)))
        elif isinstance(value, tuple):
            parts.append((name, value))
        elif isinstance(value, bool):
            parts.append((name, "true" if value else "false"))
        elif isinstance(value, Enum):
            parts.append((name, str(value.value)))
        elif isinstance(value, (dict, list)):
            parts.append((name, _dumps(value)))
        else:
            parts.append((name, str(value)))
    return parts


def _decode(value: Any, spec: Any) -> Any:
    """The native layer hands over bytes (downloads), None, or the parsed JSON."""
    if spec == "#empty" or spec == "#bytes":
        return value if spec == "#bytes" else None
    return _convert(spec, value)


def _op_ids(project_id: str, operations: Sequence[Any]) -> List[str]:
    if isinstance(operations, (str, bytes)) or isinstance(operations, (Model, dict)):
        operations = [operations]
    ids = []
    for op in operations:
        if isinstance(op, str):
            ids.append(op)
        elif isinstance(op, Model):
            ids.append(op._data["id"])
        elif isinstance(op, dict):
            ids.append(op["id"])
        else:
            raise TypeError(f"an operation must be an id, an Operation or a dict, not {type(op).__name__}")
    if not isinstance(project_id, str):
        raise TypeError("project_id must be a str")
    return ids


ResponseInfo = _native.ResponseInfo
"""What a response said besides its body: `.status`, `.request_id`, `.headers` (lower-case names, in order),
`.header(name)`. `response_of(result)` gives it for any model a call returned."""


def response_of(result: Any) -> Optional[ResponseInfo]:
    """The status, request id and headers of the response a model came from (None for anything else).

    >>> project = neon.projects.get(project_id)
    >>> response_of(project).request_id
    """
    if isinstance(result, Model):
        return getattr(result, "_response", None)
    if isinstance(result, RawResponse):
        return result.info
    return None


class RawResponse:
    """The answer of `client.request(…)`: `.status`, `.request_id`, `.headers`, `.content` (bytes), `.json()`, `.text`."""

    __slots__ = ("content", "info")

    def __init__(self, content: bytes, info: ResponseInfo) -> None:
        self.content = content
        self.info = info

    @property
    def status(self) -> int:
        return int(self.info.status)

    @property
    def request_id(self) -> Optional[str]:
        return self.info.request_id

    @property
    def headers(self) -> List[Tuple[str, str]]:
        return self.info.headers

    def header(self, name: str) -> Optional[str]:
        """The first header of that name (case-insensitive), or None."""
        return self.info.header(name)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON (None for an empty body)."""
        return json.loads(self.content) if self.content else None

    def __repr__(self) -> str:
        # The body may hold secrets: its size only.
        return f"RawResponse(status={self.status}, request_id={self.request_id!r}, bytes={len(self.content)})"


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _raw_args(method: str, path: str, query: Any, body: Any) -> Tuple[str, str, List[Tuple[str, str]], Optional[bytes]]:
    if not isinstance(method, str) or not isinstance(path, str):
        raise TypeError("method and path must be str")
    if query is None:
        pairs: List[Tuple[str, str]] = []
    elif isinstance(query, dict):
        pairs = _q(*query.items())
    else:
        pairs = _q(*query)
    data = body if body is None or isinstance(body, bytes) else _json(body)
    return method, path, pairs, data


_set_response = Model.__dict__["_response"].__set__


def _with_response(value: Any, info: Any) -> Any:
    if isinstance(value, Model):
        object.__setattr__(value, "_response", info)
    return value


class _SyncBase:
    _native: Any

    def _call(self, op: str, path: Any, query: Any, body: Any, wait: Optional[bool], spec: Any) -> Any:
        value, info = self._native.call(op, path, query, body, wait)
        # The common case (a JSON object decoded to a model) without the general path's calls.
        cls = _MODELS.get(spec) if type(spec) is str else None
        if cls is not None and type(value) is dict:
            obj: Any = _new(cls)
            _set_data(obj, value)
            _set_cache(obj, None)
            _set_response(obj, info)
            return obj
        return _with_response(_decode(value, spec), info)

    def request(self, method: str, path: str, *, query: Any = None, body: Any = None) -> RawResponse:
        """Calls any path of the API (what the spec lacks) through the same pipeline: the key, retries,
        the deadline, errors with request ids. `path` is relative to the base URL (`/projects/{id}`);
        `query` a dict or pairs (lists repeat the name); `body` a dict (sent as JSON) or JSON bytes.
        A non-2xx status raises the error class of its kind."""
        content, info = self._native.request(*_raw_args(method, path, query, body))
        return RawResponse(content, info)

    def _iter(self, op: str, path: Any, query: Any, spec: Any, body: Optional[bytes] = None) -> Iterator[Any]:
        pager = self._native.pager(op, list(path), list(query), body)

        def walk() -> Iterator[Any]:
            while True:
                raw = pager.next_page()
                if raw is None:
                    return
                for item in raw:
                    yield _convert(spec, item)

        return walk()

    def _wait(self, project_id: str, operations: Any) -> Any:
        raw = self._native.wait_for_operations(project_id, _op_ids(project_id, operations))
        return _convert(("list", "Operation"), raw)

    def _workflow(self, workflow: str, args: Dict[str, Any], spec: Any) -> Any:
        return _convert(spec, self._native.workflow(workflow, _workflow_args(workflow, args)))

    def workflow(self, id: str, args: Optional[Mapping[str, Any]] = None) -> Any:
        """Runs a workflow of spec/workflows.yaml by its id (`branches.ensure`, `connection_string`) with its
        arguments by name, as the typed methods (`neon.branches.ensure(…)`) do; returns what they return.
        For what a typed method cannot express (an id or argument it does not know): the core refuses
        those as `InvalidArgumentError`, naming what it takes."""
        return self._workflow(*_dynamic(id, args))


def _resolve(fut: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if fut.done():
        return
    if ok:
        fut.set_result(value)
    else:
        fut.set_exception(value)


# One completion queue per event loop: runtime threads put finished calls in it without the GIL,
# and the loop's reader (`_Completions.drain`, registered with `add_reader`) settles their futures.
# False for a loop without `add_reader` (Windows' proactor loop): its calls settle through
# `call_soon_threadsafe` from a runtime thread.
_queues: Any = weakref.WeakKeyDictionary()
_unweakable: Dict[int, Tuple[Any, Any]] = {}  # loops that refuse weak references, by id
_forgotten: List[Any] = []


# asyncio's, once an async call is made (`import neonkit` does not import asyncio).
_running_loop: Any = None
_CancelledError: Any = None


def _load_asyncio() -> None:
    global _running_loop, _CancelledError
    import asyncio

    _CancelledError = asyncio.CancelledError
    _running_loop = asyncio.get_running_loop


def _no_loop() -> None:
    return None


# The last loop seen and its queue (a weak reference: a loop is not kept alive by it).
_last: Tuple[Any, Any] = (_no_loop, False)


def _queue(loop: asyncio.AbstractEventLoop) -> Any:
    """The completion queue of a running loop, made and registered with it on first use."""
    global _last
    try:
        ref: Any = weakref.ref(loop)
        q = _queues.get(loop)
    except TypeError:  # a loop type without weak references: kept alive by its entry
        ref = lambda: loop  # noqa: E731
        entry = _unweakable.get(id(loop))
        q = entry[1] if entry is not None and entry[0] is loop else None
    if q is None:
        try:
            q = _native._Completions()
            loop.add_reader(q.fileno(), q.drain)
        except (NotImplementedError, OSError):
            q = False
        if type(ref) is weakref.ref:
            _queues[loop] = q
        else:
            _unweakable[id(loop)] = (loop, q)
    _last = (ref, q)
    return q


def _forget_queues() -> None:
    """In a forked child: the parent's queues share their descriptors with the parent, and the
    loops' selectors theirs; they are kept open (closing or unregistering them would reach into
    the parent) and never used again."""
    global _last
    _forgotten.extend(_queues.values())
    _forgotten.extend(_unweakable.values())
    _queues.clear()
    _unweakable.clear()
    _last = (_no_loop, False)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_queues)


def _done(loop: asyncio.AbstractEventLoop, fut: asyncio.Future[Any]) -> Any:
    """What a native call's `done` is: the loop's queue and the future, or a callback."""
    last = _last
    q = last[1] if last[0]() is loop else _queue(loop)
    if q is False:
        return lambda ok, value: loop.call_soon_threadsafe(_resolve, fut, ok, value)
    return (q, fut)


async def _await_native(start: Any) -> Any:
    """Starts a native call with a `done` target and awaits it; cancelling cancels the Rust future."""
    if _running_loop is None:
        _load_asyncio()
    loop = _running_loop()
    fut = loop.create_future()
    task = start(_done(loop, fut))
    try:
        return await fut
    except _CancelledError:
        task.cancel()
        raise


class _AsyncBase:
    _native: Any

    async def _call(self, op: str, path: Any, query: Any, body: Any, wait: Optional[bool], spec: Any) -> Any:
        # `_await_native` inlined: this is every generated method's path.
        if _running_loop is None:
            _load_asyncio()
        loop = _running_loop()
        fut = loop.create_future()
        task = self._native.call(op, path, query, body, wait, _done(loop, fut))
        try:
            value, info = await fut
        except _CancelledError:
            task.cancel()
            raise
        return _with_response(_decode(value, spec), info)

    async def request(self, method: str, path: str, *, query: Any = None, body: Any = None) -> RawResponse:
        """The coroutine form of `NeonClient.request`."""
        args = _raw_args(method, path, query, body)
        native = self._native
        content, info = await _await_native(lambda done: native.request(*args, done))
        return RawResponse(content, info)

    def _aiter(self, op: str, path: Any, query: Any, spec: Any, body: Optional[bytes] = None) -> AsyncIterator[Any]:
        pager = self._native.pager(op, list(path), list(query), body)

        async def walk() -> AsyncIterator[Any]:
            while True:
                raw = await _await_native(lambda done: pager.next_page(done))
                if raw is None:
                    return
                for item in raw:
                    yield _convert(spec, item)

        return walk()

    async def _wait(self, project_id: str, operations: Any) -> Any:
        ids = _op_ids(project_id, operations)
        native = self._native
        raw = await _await_native(lambda done: native.wait_for_operations(project_id, ids, done))
        return _convert(("list", "Operation"), raw)

    async def _workflow(self, workflow: str, args: Dict[str, Any], spec: Any) -> Any:
        data = _workflow_args(workflow, args)
        native = self._native
        return _convert(spec, await _await_native(lambda done: native.workflow(workflow, data, done)))

    async def workflow(self, id: str, args: Optional[Mapping[str, Any]] = None) -> Any:
        """The coroutine form of `NeonClient.workflow`."""
        return await self._workflow(*_dynamic(id, args))
