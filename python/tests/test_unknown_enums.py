"""Enum values the spec does not list (what a newer Neon sends), over real HTTP: the emulator's
merge_body fault rewrites a handled answer, and the typed models keep the unknown value as a plain
`str` beside the known members of the same answer, with nothing raising on the way."""

import json
from typing import Any

from neonkit.models import EndpointState, EndpointType, OperationAction, OperationStatus

from conftest import new_project


def test_an_unknown_endpoint_state_is_a_plain_str_and_round_trips(neon: Any, emu: Any) -> None:
    created = new_project(neon, "unknown-enums")
    pid, eid = created.project.id, created.endpoints[0].id
    emu.add_fault(
        "getProjectEndpoint",
        "merge_body",
        body={"endpoint": {"current_state": "hibernating", "pending_state": "thawing"}},
        times=1,
    )
    ep = neon.endpoints.get(pid, eid).endpoint
    state = ep.current_state
    # What a user sees: the string as sent, not a member, equal to no member.
    assert state == "hibernating" and type(state) is str
    assert not isinstance(state, EndpointState)
    assert state not in {m.value for m in EndpointState}
    assert all(state != m for m in EndpointState)
    assert str(state) == "hibernating" and f"{state}" == "hibernating"
    assert ep.pending_state == "thawing"
    # The known enum of the same answer is still a member.
    assert ep.type is EndpointType.READ_WRITE and ep.id == eid
    # Raw access, JSON, repr: all as sent, none raises.
    assert ep["current_state"] == "hibernating"
    assert ep.to_dict()["current_state"] == "hibernating"
    assert json.loads(ep.to_json())["pending_state"] == "thawing"
    assert "hibernating" in repr(ep)
    # The fault was for one answer: the next is the emulator's own, a member again.
    assert isinstance(neon.endpoints.get(pid, eid).endpoint.current_state, EndpointState)


def test_an_unknown_operation_status_and_action_are_kept(neon: Any, emu: Any) -> None:
    created = new_project(neon, "unknown-op")
    pid, op_id = created.project.id, created.operations[0].id
    emu.add_fault(
        "getProjectOperation",
        "merge_body",
        body={"operation": {"status": "paused", "action": "hibernate_compute"}},
        times=1,
    )
    op = neon.operations.get(pid, op_id).operation
    assert op.status == "paused" and not isinstance(op.status, OperationStatus)
    assert op.action == "hibernate_compute" and not isinstance(op.action, OperationAction)
    assert op.id == op_id and op.project_id == pid
    assert op.to_dict()["status"] == "paused"
