"""neonkit: a client for the Neon Management API v2 (all 163 operations), over one Rust core.

    from neonkit import NeonClient
    with NeonClient() as neon:                       # NEON_API_KEY from the environment
        created = neon.projects.create(body={"project": {"name": "demo"}})
        print(created.project.id, created.connection_uris[0].connection_uri)

`AsyncNeonClient` has the same surface with coroutines; `neonkit.testing.Emulator`
runs a local Neon API emulator in-process.
"""

import atexit as _atexit

from neonkit import _native
from neonkit._client import AsyncNeonClient, NeonClient
from neonkit._errors import (
    ERROR_CLASSES,
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigError,
    ConflictError,
    DecodeError,
    InvalidArgumentError,
    LockedError,
    NeonError,
    NeonRuntimeError,
    NetworkError,
    NotFoundError,
    OperationFailedError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TimeoutError,
    WaitTimeoutError,
    AbortedError,
)
from neonkit._model import Model, OpenEnum

__version__: str = _native.__version__

__all__ = [
    "NeonClient",
    "AsyncNeonClient",
    "Model",
    "OpenEnum",
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
    "AbortedError",
    "NeonRuntimeError",
    "ERROR_CLASSES",
    "__version__",
]

# Stop the shared Rust runtime before the interpreter tears down (in-flight
# calls are cancelled); without this, runtime threads could call into a
# finalizing interpreter.
_atexit.register(_native._shutdown)
