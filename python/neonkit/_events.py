"""What a client does, for `logging` and hooks: the core makes each event (and its log line) once;
this module decides, when a client is made, which events it needs, and hands them on."""

from __future__ import annotations

import logging

from neonkit import _native

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Dict, List, Optional, Tuple

    Hook = Callable[["NeonEvent"], object]

NeonEvent = _native.NeonEvent
"""One thing a client did, given to the hooks: `.kind` (`"request"`, `"response"`, `"retry"`, `"wait"`),
`.message` (the log line, the same in every neonkit language), `.level` (`logging.DEBUG`, or `INFO` for a retry),
`.operation` (the operationId), `.method`, `.path` (the template: `/projects/{project_id}`), `.attempt`
(for a retry the attempt about to be made; for a wait the poll), `.max_attempts`, `.status`, `.error` (`"connect"`,
`"timeout"` or `"connection"` when no answer came), `.request_id`, `.duration` and `.delay` (seconds), and for a wait
`.operation_ids` (those still pending), `.pending` and `.total`. Never holds a secret."""

logger = logging.getLogger("neonkit")

_ALL = ("request", "response", "retry", "wait")


class _Sink:
    """Writes an event's line to the `neonkit` logger (if it was enabled when the client was made) and calls its hook."""

    __slots__ = ("log", "hooks")

    def __init__(self, log: bool, hooks: Dict[str, Hook]) -> None:
        self.log = log
        self.hooks = hooks

    def __call__(self, event: NeonEvent) -> None:
        if self.log and logger.isEnabledFor(event.level):
            logger.log(event.level, event.message, extra={"neonkit_event": event})
        hook = self.hooks.get(event.kind)
        if hook is None:
            return
        try:
            hook(event)
        except Exception as e:  # a hook observes; its failure must not fail the call
            name = f"on_{event.kind}"
            logger.warning(_native._hook_failed_message(name, f"{type(e).__name__}: {e}"), exc_info=True)


def _sink(hooks: Optional[Dict[str, Optional[Hook]]] = None) -> Tuple[Optional[_Sink], List[str]]:
    """The sink for these hooks and the `neonkit` logger as it is configured now, and the event kinds it wants:
    none (and no sink) when no hook is given and the logger is off at INFO, so a call takes no GIL for events."""
    given: Dict[str, Hook] = {}
    for kind, hook in (hooks or {}).items():
        if hook is None:
            continue
        if not callable(hook):
            raise TypeError(f"on_{kind} must be callable, not {type(hook).__name__}")
        given[kind] = hook
    if logger.isEnabledFor(logging.DEBUG):
        logged = list(_ALL)
    elif logger.isEnabledFor(logging.INFO):
        logged = ["retry"]
    else:
        logged = []
    kinds = [k for k in _ALL if k in given or k in logged]
    if not kinds:
        return None, []
    return _Sink(bool(logged), given), kinds
