"""Every model class and open enum of the Neon API (`neonkit.models.Project`, …).

Request bodies may be given as these classes or as plain dicts; the `…Dict`
TypedDicts describing those dicts exist for type checkers (at run time they are `dict`).
"""

from __future__ import annotations


from neonkit.generated.models import *  # noqa: F401,F403
from neonkit.generated.models import __all__ as _generated_all

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = list(_generated_all)


if not TYPE_CHECKING:  # to type checkers the stubs define every name: another one is an error, not `Any`

    def __getattr__(name: str) -> Any:
        if name.endswith("Dict") and name[:-4] in _generated_all:
            return dict
        raise AttributeError(f"module 'neonkit.models' has no attribute {name!r}")
