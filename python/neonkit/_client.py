"""`NeonClient` (blocking) and `AsyncNeonClient` (asyncio): the same namespaces and methods."""

from __future__ import annotations

from types import TracebackType

from neonkit._base import _AsyncBase, _native_client, _SyncBase
from neonkit.generated.resources import _AsyncNamespaces, _SyncNamespaces

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Type


class _Options:
    def __init__(
        self,
        api_key: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        org_id: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        retry_initial_backoff: Optional[float] = None,
        retry_max_backoff: Optional[float] = None,
        wait_for_operations: bool = True,
        wait_timeout: Optional[float] = None,
        wait_poll_interval: Optional[float] = None,
        wait_max_poll_interval: Optional[float] = None,
        max_response_bytes: Optional[int] = None,
        pool_idle_timeout: Optional[float] = None,
    ) -> None:
        """
        api_key: the Neon API key (else NEON_API_KEY).
        base_url: the API's base URL (else NEON_API_URL, else https://console.neon.tech/api/v2).
        org_id: applied to every operation that takes an `org_id` query parameter, unless the call gives one.
        timeout: seconds one call may take, retries included (default 60).
        connect_timeout: seconds to open a connection (default 10).
        max_retries: retries after the first attempt for what is safe to retry (default 5; 0 = none).
        retry_initial_backoff / retry_max_backoff: backoff bounds in seconds (default 0.25 / 8).
        wait_for_operations: mutating calls wait for the operations they start (default True;
            each such method also takes `wait=`).
        wait_timeout: seconds a wait may take (default 300); wait_poll_interval /
            wait_max_poll_interval: polling pauses in seconds (default 0.05 / 2).
        max_response_bytes: the largest response body accepted, decompressed (default 256 MiB);
            a larger one raises DecodeError.
        pool_idle_timeout: seconds an idle pooled connection is kept (default 45); keep it below the
            server's or load balancer's idle timeout (a POST sent as the server closes an idle
            connection fails and is never resent).
        Out-of-range values raise ConfigError naming the option and its range.
        """
        self._native = _native_client(
            api_key,
            base_url,
            org_id,
            timeout,
            connect_timeout,
            max_retries,
            retry_initial_backoff,
            retry_max_backoff,
            wait_for_operations,
            wait_timeout,
            wait_poll_interval,
            wait_max_poll_interval,
            max_response_bytes,
            pool_idle_timeout,
        )
        self._init_namespaces()

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
        """Closes the connection pool; later calls raise NeonRuntimeError."""
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
