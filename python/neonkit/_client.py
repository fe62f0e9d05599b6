"""`NeonClient` (blocking) and `AsyncNeonClient` (asyncio): the same namespaces and methods."""

from __future__ import annotations

from types import TracebackType

from neonkit import _native
from neonkit._base import _AsyncBase, _SyncBase
from neonkit._events import _sink
from neonkit.generated.options import _OptionsMixin
from neonkit.generated.resources import _AsyncNamespaces, _SyncNamespaces

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional, Type, TypeVar

    from neonkit._events import Hook

    _C = TypeVar("_C", bound="_Options")


class _Options(_OptionsMixin):
    """The options (generated from spec/vocabulary.yaml), the native client and the namespaces."""

    _native: Any

    def _configure(self, options: Dict[str, Any]) -> None:
        # Whether the `neonkit` logger is on is read here, once: without hooks and with it off,
        # the client makes no events at all (configure logging before making clients).
        sink, kinds = _sink()
        self._native = _native._Client(options, sink, kinds)
        self._init_namespaces()

    def with_hooks(
        self: _C,
        *,
        on_request: Optional[Hook] = None,
        on_response: Optional[Hook] = None,
        on_retry: Optional[Hook] = None,
        on_wait: Optional[Hook] = None,
    ) -> _C:
        """A client sharing this one's connections whose calls call these hooks, each with a `neonkit.NeonEvent`:

            neon = NeonClient().with_hooks(on_retry=lambda e: print(e.message))

        on_request: before each attempt is sent (`.attempt`, `.method`, `.path` template, `.operation`).
        on_response: when an attempt ends (`.status`, or `.error` when no answer came; `.request_id`, `.duration`).
        on_retry: before a failed attempt is sent again (why: `.status` or `.error`; `.delay` in seconds; `.attempt`).
        on_wait: each time an operation wait looks at its operations (`.operation_ids` still pending, `.pending`).

        Hooks observe: they cannot change or stop a call, and one that raises is logged (`neonkit` logger,
        WARNING) and ignored. They run on the thread that runs the call (the caller's for NeonClient, a
        neonkit runtime thread for AsyncNeonClient), in order, holding the GIL: keep them quick, and do not
        call the client from one. The hooks replace this client's; the `neonkit` logger's level is read again.
        """
        sink, kinds = _sink({"request": on_request, "response": on_response, "retry": on_retry, "wait": on_wait})
        derived = object.__new__(type(self))
        derived._native = self._native.with_listener(sink, kinds)
        derived._init_namespaces()
        return derived

    def _derive(self: _C, options: Dict[str, Any]) -> _C:
        derived = object.__new__(type(self))
        derived._native = self._native.with_options(options)
        derived._init_namespaces()
        return derived

    def _init_namespaces(self) -> None:  # overridden by the generated namespace holders
        pass

    @property
    def base_url(self) -> str:
        return str(self._native.base_url)

    @property
    def closed(self) -> bool:
        return bool(self._native.closed)

    def __repr__(self) -> str:
        state = "closed" if self.closed else self._native.base_url
        return f"{type(self).__name__}({state})"


class NeonClient(_SyncNamespaces, _SyncBase, _Options):
    """The blocking client. Calls release the GIL while waiting, so threads run in parallel.

    >>> with NeonClient() as neon:
    ...     for project in neon.projects.iter():
    ...         print(project.id, project.name)
    """

    def close(self) -> None:
        """Closes this client (copies made by `with_options` keep working); later calls raise NeonRuntimeError."""
        self._native.close()

    def __enter__(self) -> "NeonClient":
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()


class AsyncNeonClient(_AsyncNamespaces, _AsyncBase, _Options):
    """The asyncio client: every method is a coroutine running on neonkit's shared runtime;
    cancelling the awaiting task cancels the request.

    >>> async with AsyncNeonClient() as neon:
    ...     async for project in neon.projects.iter():
    ...         print(project.id)
    """

    async def close(self) -> None:
        """Closes the connection pool; later calls raise NeonRuntimeError."""
        self._native.close()

    async def __aenter__(self) -> "AsyncNeonClient":
        return self

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        await self.close()
