"""`NeonError`, the base of every neonkit exception; the subclass of each error kind is generated
(`neonkit.generated.errors`, from spec/vocabulary.yaml)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple, Type

__all__ = ["NeonError"]


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
        self.retryable = (not accepted and self.kind in _RETRYABLE_KINDS) if retryable is None else retryable

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


# The classes of every kind, from spec/vocabulary.yaml; imported last, since they subclass NeonError.
from neonkit.generated.errors import _RETRYABLE_KINDS, ERROR_CLASSES  # noqa: E402
