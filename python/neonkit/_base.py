"""What the generated namespace methods call: argument encoding, decoding, and the two client bases."""

from __future__ import annotations


import json
from enum import Enum

from neonkit import _native
from neonkit._model import Model, _convert, _plain
import neonkit.generated.models  # noqa: F401  (registers the model classes)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import asyncio
    from typing import Any, AsyncIterator, Iterator, List, Optional, Sequence, Tuple

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


def _json(body: Any) -> Optional[bytes]:
    if body is None:
        return None
    if isinstance(body, Model):
        body = body.to_dict()
    elif not isinstance(body, dict):
        raise TypeError(f"body must be a dict or a neonkit model, not {type(body).__name__}")
    text = _dumps(body)
    try:
        return text.encode()
    except UnicodeEncodeError as e:
        from neonkit._errors import InvalidArgumentError

        raise InvalidArgumentError(
            f"the request body is not valid Unicode text: it holds a lone surrogate (character {e.start} of its JSON)"
        ) from None


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


_CLIENT_OPTIONS = (
    "api_key",
    "base_url",
    "org_id",
    "timeout",
    "connect_timeout",
    "max_retries",
    "retry_initial_backoff",
    "retry_max_backoff",
    "wait_for_operations",
    "wait_timeout",
    "wait_poll_interval",
    "wait_max_poll_interval",
    "max_response_bytes",
    "pool_idle_timeout",
)


def _native_client(
    api_key: Optional[str],
    base_url: Optional[str],
    org_id: Optional[str],
    timeout: Optional[float],
    connect_timeout: Optional[float],
    max_retries: Optional[int],
    retry_initial_backoff: Optional[float],
    retry_max_backoff: Optional[float],
    wait_for_operations: bool,
    wait_timeout: Optional[float],
    wait_poll_interval: Optional[float],
    wait_max_poll_interval: Optional[float],
    max_response_bytes: Optional[int] = None,
    pool_idle_timeout: Optional[float] = None,
) -> Any:
    return _native._Client(
        api_key=api_key,
        base_url=base_url,
        org_id=org_id,
        timeout=timeout,
        connect_timeout=connect_timeout,
        max_retries=max_retries,
        initial_backoff=retry_initial_backoff,
        max_backoff=retry_max_backoff,
        wait=wait_for_operations,
        wait_timeout=wait_timeout,
        wait_initial_interval=wait_poll_interval,
        wait_max_interval=wait_max_poll_interval,
        max_response_bytes=max_response_bytes,
        pool_idle_timeout=pool_idle_timeout,
    )


class _SyncBase:
    _native: Any

    def _call(self, op: str, path: Any, query: Any, body: Any, wait: Optional[bool], spec: Any) -> Any:
        return _decode(self._native.call(op, path, query, body, wait), spec)

    def _iter(self, op: str, path: Any, query: Any, spec: Any) -> Iterator[Any]:
        pager = self._native.pager(op, list(path), list(query))

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


def _resolve(fut: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if fut.done():
        return
    if ok:
        fut.set_result(value)
    else:
        fut.set_exception(value)


async def _await_native(start: Any) -> Any:
    """Starts a native call with a `done` callback and awaits it; cancelling cancels the Rust future."""
    import asyncio

    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    task = start(lambda ok, value: loop.call_soon_threadsafe(_resolve, fut, ok, value))
    try:
        return await fut
    except asyncio.CancelledError:
        task.cancel()
        raise


class _AsyncBase:
    _native: Any

    async def _call(self, op: str, path: Any, query: Any, body: Any, wait: Optional[bool], spec: Any) -> Any:
        native = self._native
        raw = await _await_native(lambda done: native.submit(op, path, query, body, wait, done))
        return _decode(raw, spec)

    def _aiter(self, op: str, path: Any, query: Any, spec: Any) -> AsyncIterator[Any]:
        pager = self._native.pager(op, list(path), list(query))

        async def walk() -> AsyncIterator[Any]:
            while True:
                raw = await _await_native(pager.next_page_async)
                if raw is None:
                    return
                for item in raw:
                    yield _convert(spec, item)

        return walk()

    async def _wait(self, project_id: str, operations: Any) -> Any:
        ids = _op_ids(project_id, operations)
        native = self._native
        raw = await _await_native(lambda done: native.wait_for_operations_async(project_id, ids, done))
        return _convert(("list", "Operation"), raw)
