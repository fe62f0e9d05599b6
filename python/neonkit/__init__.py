"""neonkit: a client for the Neon Management API v2 (all 180 operations), over one Rust core.

    from neonkit import NeonClient
    with NeonClient() as neon:                       # NEON_API_KEY from the environment
        created = neon.projects.create(body={"project": {"name": "demo"}})
        print(created.project.id, created.connection_uris[0].connection_uri)

`AsyncNeonClient` has the same surface with coroutines; `neonkit.testing.Emulator`
runs a local Neon API emulator in-process.
"""

import atexit as _atexit

from neonkit import _native
from neonkit._base import RawResponse, ResponseInfo, response_of
from neonkit._client import AsyncNeonClient, NeonClient
from neonkit._errors import NeonError
from neonkit._events import NeonEvent
from neonkit._model import Model, OpenEnum
from neonkit.generated import errors as _generated_errors
from neonkit.generated.errors import *  # noqa: F403  (one class per error kind, from spec/vocabulary.yaml)

__version__: str = _native.__version__

__all__ = [
    "NeonClient",
    "AsyncNeonClient",
    "Model",
    "OpenEnum",
    "NeonError",
    "RawResponse",
    "ResponseInfo",
    "response_of",
    "NeonEvent",
    "__version__",
]
__all__ += _generated_errors.__all__

# Stop the shared Rust runtime before the interpreter tears down (in-flight
# calls are cancelled); without this, runtime threads could call into a
# finalizing interpreter.
_atexit.register(_native._shutdown)
