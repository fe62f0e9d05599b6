"""A typed use of neonkit, checked with `mypy --strict` and pyright (strict) by tests/test_typing.py, and
runnable against the emulator."""

# pyright: strict

import asyncio
import json
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Union

import neonkit
from neonkit.models import (
    Branch,
    BranchConnection,
    BranchCreateRequestEndpointOptionsDict,
    BranchEndpointSettingsDict,
    CreateProjectBranchRequestDict,
    EnsuredBranch,
    ProjectCreateRequest,
    EndpointState,
    EndpointType,
    ProjectCreateRequestDict,
)
from neonkit.testing import Emulator


def sync_flow(neon: neonkit.NeonClient) -> List[str]:
    body: ProjectCreateRequestDict = {"project": {"name": "typed"}}
    created = neon.projects.create(body=body)
    project_id: str = created.project.id
    branch_body: CreateProjectBranchRequestDict = {"branch": {"name": "dev", "parent_id": created.branch.id}}
    dev: Branch = neon.branches.create(project_id, body=branch_body, wait=True).branch
    names = [b.name for b in neon.branches.iter(project_id)]
    try:
        neon.projects.get("missing-project-123")
    except neonkit.NotFoundError as e:
        status: "int | None" = e.status
        assert status == 404
    ensured: EnsuredBranch = neon.branches.ensure(project_id, "preview", compute=False)
    created_now: bool = ensured.created
    uri: str = neon.connection_string(project_id, branch_id=created.branch.id, pooled=False)
    settings: BranchEndpointSettingsDict = {"suspend_timeout_seconds": 300}
    connected: BranchConnection = neon.branches.create_and_connect(project_id, name="wf", endpoint=settings)
    names.append(f"{created_now} {uri.startswith('postgresql://')} {connected.connection_string is not None}")
    neon.projects.update(project_id, body={"project": {"name": "typed2"}})
    # The body's top-level fields as keywords; enum fields take a member or one of its values.
    endpoint: BranchCreateRequestEndpointOptionsDict = {"type": "read_write"}
    kw = neon.branches.create(project_id, branch={"name": "kw"}, endpoints=[endpoint, {"type": EndpointType.READ_ONLY}])
    state: Union[EndpointState, str] = kw.endpoints[0].current_state
    created_at: datetime = kw.branch.created_at
    assert created_at.tzinfo is not None and created_at < datetime.now(timezone.utc) + timedelta(minutes=1)
    expires: Optional[datetime] = kw.branch.expires_at
    # Timestamps in requests: a datetime or its ISO text.
    neon.branches.update(
        project_id, kw.branch.id, branch={"expires_at": datetime.now(timezone.utc) + timedelta(days=1)}
    )
    neon.branches.update(project_id, kw.branch.id, branch={"expires_at": "2099-01-01T00:00:00Z"})
    # JSON text in one call; members the spec does not list, and any member by its JSON name.
    text: str = kw.branch.to_json()
    plain: Dict[str, Any] = json.loads(text)
    extra: Dict[str, Any] = kw.branch.extra
    raw: Any = kw.branch["created_at"]
    names.append(f"{state} {expires} {plain['id'] == kw.branch.id} {len(extra)} {raw == plain['created_at']}")
    neon.branches.delete(project_id, dev.id)
    return names


async def async_flow(neon: neonkit.AsyncNeonClient) -> int:
    created = await neon.projects.create(body=ProjectCreateRequest(project={"name": "typed-async"}))
    r = await neon.branches.create(created.project.id, body={"branch": {"name": "x"}}, wait=False)
    done = await neon.operations.wait(created.project.id, r.operations)
    default: Branch = await neon.branches.get_default(created.project.id)
    uri: str = await neon.connection_string(created.project.id, branch_id=default.id)
    count = 0 if uri else 1
    async for _ in neon.projects.iter(limit=10):
        count += 1
    return count + len(done)


def on_retry(event: neonkit.NeonEvent) -> None:
    delay: "float | None" = event.delay
    print(event.message, event.status, delay)


def main() -> None:
    with Emulator() as emu:
        with emu.client(user_agent="typed-example/1.0") as neon:
            print(sync_flow(neon.with_hooks(on_retry=on_retry, on_response=lambda e: None)))
        print(asyncio.run(async_flow(emu.async_client())))


if __name__ == "__main__":
    main()
