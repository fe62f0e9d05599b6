"""The exceptions of neonkit: `NeonError` and one subclass per error kind of the core."""

from __future__ import annotations

import builtins

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple, Type

__all__ = [
    "NeonError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "LockedError",
    "RateLimitError",
    "ServerError",
    "APIError",
    "TimeoutError",
    "NetworkError",
    "DecodeError",
    "InvalidArgumentError",
    "ConfigError",
    "OperationFailedError",
    "WaitTimeoutError",
    "NeonRuntimeError",
    "AbortedError",
    "ERROR_CLASSES",
]


class NeonError(Exception):
    """Base of every neonkit error.

    `.kind` is the core's stable snake_case error kind, `.status` the HTTP status
    (None when no response was received), `.code` the API's error code (may be
    ""), `.message` what went wrong, `.request_id` the API's request id,
    `.retryable` whether calling again later may succeed, `.accepted` whether the
    API accepted the call before it failed (then never call it again: wait for
    `.pending_operations` instead).
    Messages never contain secrets.
    """

    kind: str = "api"

    def __init__(
        self,
        message: str = "",
        *,
        status: Optional[int] = None,
        code: str = "",
        request_id: Optional[str] = None,
        operation: Optional[str] = None,
        retry_after: Optional[float] = None,
        pending_operations: Tuple[str, ...] = (),
        retryable: Optional[bool] = None,
        accepted: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.operation = operation
        self.retry_after = retry_after
        self.pending_operations = tuple(pending_operations)
        self.accepted = accepted
        self.retryable = (not accepted and self.kind in _RETRYABLE) if retryable is None else retryable

    def __str__(self) -> str:
        details = []
        if self.operation:
            details.append(f"operation {self.operation}")
        if self.status is not None:
            details.append(f"status {self.status}")
        if self.code:
            details.append(f"code {self.code}")
        if self.request_id:
            details.append(f"request id {self.request_id}")
        return f"{self.message} ({', '.join(details)})" if details else self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(kind={self.kind!r}, status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )

    def __reduce__(self) -> Any:
        state: Dict[str, Any] = dict(self.__dict__)
        return (_rebuild, (type(self), self.message, state))


def _rebuild(cls: Type[NeonError], message: str, state: Dict[str, Any]) -> NeonError:
    err = cls(message)
    err.__dict__.update(state)
    return err


_RETRYABLE = frozenset({"locked", "rate_limited", "server", "timeout", "network"})


class BadRequestError(NeonError):
    """400: the request was malformed or failed validation."""

    kind = "bad_request"


class AuthenticationError(NeonError):
    """401: the API key is missing, invalid or revoked."""

    kind = "unauthorized"


class PermissionDeniedError(NeonError):
    """403: the key may not do this."""

    kind = "forbidden"


class NotFoundError(NeonError):
    """404: no such resource."""

    kind = "not_found"


class ConflictError(NeonError):
    """409: the resource already exists or is in the wrong state."""

    kind = "conflict"


class LockedError(NeonError):
    """423: the project is locked by a running operation (still so after retries)."""

    kind = "locked"


class RateLimitError(NeonError):
    """429: too many requests (still so after retries); `.retry_after` in seconds when the API said."""

    kind = "rate_limited"


class ServerError(NeonError):
    """5xx (still so after retries)."""

    kind = "server"


class APIError(NeonError):
    """Any other non-success status."""

    kind = "api"


class TimeoutError(NeonError, builtins.TimeoutError):
    """The call's deadline passed."""

    kind = "timeout"


class NetworkError(NeonError, builtins.ConnectionError):
    """The connection failed or broke."""

    kind = "network"


class DecodeError(NeonError):
    """The response could not be decoded."""

    kind = "decode"


class InvalidArgumentError(NeonError, ValueError):
    """An argument was rejected before any request was sent."""

    kind = "invalid_argument"


class ConfigError(NeonError, ValueError):
    """The client could not be configured (no API key, bad base URL, …)."""

    kind = "config"


class OperationFailedError(NeonError):
    """An operation the call waited for ended failed/error/cancelled; `.pending_operations` names it."""

    kind = "operation_failed"


class WaitTimeoutError(NeonError, builtins.TimeoutError):
    """Waiting for operations took too long; `.pending_operations` lists those still running."""

    kind = "wait_timeout"


class NeonRuntimeError(NeonError, builtins.RuntimeError):
    """A call could not run (closed client, runtime stopped, an internal error)."""

    kind = "runtime"


class AbortedError(NeonError):
    """The caller aborted the call (in Python, cancelling the awaiting task raises asyncio.CancelledError instead)."""

    kind = "aborted"


ERROR_CLASSES: Dict[str, Type[NeonError]] = {
    cls.kind: cls
    for cls in (
        BadRequestError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        ConflictError,
        LockedError,
        RateLimitError,
        ServerError,
        APIError,
        TimeoutError,
        NetworkError,
        DecodeError,
        InvalidArgumentError,
        ConfigError,
        OperationFailedError,
        WaitTimeoutError,
        NeonRuntimeError,
        AbortedError,
    )
}


class NeonErrorCause(Exception):
    """The underlying (Rust) cause of a NeonError, as text."""


def _from_native(
    kind: str,
    message: str,
    status: Optional[int],
    code: str,
    request_id: Optional[str],
    operation: Optional[str],
    retry_after: Optional[float],
    pending: List[str],
    cause: Optional[str],
    retryable: bool = False,
    accepted: bool = False,
) -> NeonError:
    cls = ERROR_CLASSES.get(kind, NeonError)
    err = cls(
        message,
        status=status,
        code=code,
        request_id=request_id,
        operation=operation,
        retry_after=retry_after,
        pending_operations=tuple(pending),
        retryable=retryable,
        accepted=accepted,
    )
    if cls is NeonError:
        err.kind = kind
    if cause:
        err.__cause__ = NeonErrorCause(cause)
    return err
