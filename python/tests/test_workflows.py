"""The workflows of spec/workflows.yaml on both clients: generated signatures and docs, real round trips
against the emulator through the blocking and the async path, per-call options, cancellation, argument
errors before any request, and secrets kept out of repr."""

import asyncio
import inspect
import os
import re

import pytest

import neonkit
from neonkit.generated.resources import WORKFLOWS
from neonkit.models import BranchConnection, BranchEndpointSettings, EnsuredBranch, ProjectConnection

from conftest import FAST

HERE = os.path.dirname(os.path.abspath(__file__))
YAML = os.path.join(HERE, "..", "..", "spec", "workflows.yaml")
DOC = os.path.join(HERE, "..", "..", "docs", "operations.md")


def method(client, workflow_id):
    ns, name = WORKFLOWS[workflow_id][:2]
    return getattr(client if ns == "client" else getattr(client, ns), name)


def yaml_ids():
    # The ids of the file, read without a YAML parser: each workflow's name and namespace lines.
    with open(YAML) as f:
        text = f.read().split("\nschemas:")[0]
    pairs = re.findall(r"- name: (\w+)\n\s+namespace: (\w+)", text)
    return [name if ns == "client" else f"{ns}.{name}" for name, ns in pairs]


def test_every_workflow_of_the_yaml_is_a_method_of_both_clients():
    assert list(WORKFLOWS) == yaml_ids() and len(WORKFLOWS) >= 11
    sync = neonkit.NeonClient(api_key="k", base_url="http://127.0.0.1:9/api/v2")
    aio = neonkit.AsyncNeonClient(api_key="k", base_url="http://127.0.0.1:9/api/v2")
    for wid, (_, _, positional, keywords, _) in WORKFLOWS.items():
        s, a = method(sync, wid), method(aio, wid)
        assert not inspect.iscoroutinefunction(s) and inspect.iscoroutinefunction(a), wid
        for fn in (s, a):
            params = inspect.signature(fn).parameters
            assert tuple(params) == positional + keywords, wid
            assert all(params[p].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in positional), wid
            assert all(params[k].kind is inspect.Parameter.KEYWORD_ONLY for k in keywords), wid
        assert s.__doc__ and a.__doc__ == s.__doc__ and "Args:" in s.__doc__ and "Raises:" in s.__doc__, wid
    sync.close()
    asyncio.run(aio.close())


def test_signatures_carry_the_yaml_defaults():
    c = neonkit.NeonClient(api_key="k", base_url="http://127.0.0.1:9/api/v2")
    p = inspect.signature(c.connection_string).parameters
    assert list(p) == ["project_id", "branch_id", "database", "role", "pooled"]
    assert p["pooled"].default is True and p["branch_id"].default is None
    p = inspect.signature(c.branches.ensure).parameters
    assert list(p) == ["project_id", "name", "parent_id", "compute"] and p["compute"].default is False
    p = inspect.signature(c.projects.create_and_connect).parameters
    assert list(p) == ["body", "pooled"] and p["body"].kind is inspect.Parameter.KEYWORD_ONLY
    assert "EnsuredBranch:" in c.branches.ensure.__doc__ and "Default: `True`." in c.connection_string.__doc__
    c.close()


def test_docs_list_each_workflow_under_its_python_name():
    with open(DOC) as f:
        rows = [line.split("|") for line in f.read().split("# Workflows")[1].splitlines() if line.startswith("| `")]
    names = {cells[1].strip().strip("`"): cells[4].strip().strip("`") for cells in rows}
    want = {wid: (name if ns == "client" else f"{ns}.{name}") for wid, (ns, name, *_) in WORKFLOWS.items()}
    assert names == want


def test_blocking_round_trip(emu):
    with emu.client(**FAST) as neon:
        project = neon.projects.create(body={"project": {"name": "wf-sync"}}).project
        first = neon.branches.ensure(project.id, "dev")
        assert isinstance(first, EnsuredBranch) and first.created is True and first.branch.name == "dev"
        again = neon.branches.ensure(project.id, "dev")
        assert again.created is False and again.branch.id == first.branch.id
        uri = neon.connection_string(project.id)
        assert isinstance(uri, str) and uri.startswith("postgresql://") and "-pooler" in uri
        assert "-pooler" not in neon.connection_string(project.id, pooled=False)
        assert neon.branches.get_default(project.id).default is True


def test_async_round_trip(emu):
    async def flow():
        async with emu.async_client(**FAST) as neon:
            made = await neon.projects.create_and_connect(body={"project": {"name": "wf-async"}}, pooled=False)
            assert isinstance(made, ProjectConnection) and made.project.name == "wf-async"
            assert made.connection_string.startswith("postgresql://") and "-pooler" not in made.connection_string
            first, second = await asyncio.gather(
                neon.branches.ensure(made.project.id, "same"), neon.branches.ensure(made.project.id, "same")
            )
            assert sorted([first.created, second.created]) == [False, True]
            assert first.branch.id == second.branch.id
            assert "-pooler" in await neon.connection_string(made.project.id)

    asyncio.run(flow())


def test_a_model_or_its_dict_for_a_schema_argument(emu):
    with emu.client(**FAST) as neon:
        project = neon.projects.create(body={"project": {"name": "wf-models"}}).project
        settings = BranchEndpointSettings(suspend_timeout_seconds=300)
        made = neon.branches.create_and_connect(project.id, name="a", endpoint=settings)
        assert isinstance(made, BranchConnection) and made.endpoint.suspend_timeout_seconds == 300
        made = neon.branches.create_and_connect(project.id, name="b", endpoint={"suspend_timeout_seconds": 600})
        assert made.endpoint.suspend_timeout_seconds == 600


def test_secrets_of_a_branch_connection_stay_out_of_repr(emu):
    with emu.client(**FAST) as neon:
        project = neon.projects.create(body={"project": {"name": "wf-secret"}}).project
        made = neon.branches.create_and_connect(project.id, name="s")
        secret = made.connection_string
        password = secret.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
        assert len(password) > 8
        shown = repr(made)
        assert "connection_string=<redacted>" in shown and password not in shown and secret not in shown
        assert made.to_dict()["connection_string"] == secret  # the data itself is unchanged


def test_per_call_options_reach_the_workflow(emu):
    with emu.client(**FAST) as neon:
        project = neon.projects.create(body={"project": {"name": "wf-opts"}}).project
        emu.add_fault("listProjectBranches", "latency", ms=2000, times=3)
        try:
            with pytest.raises(neonkit.TimeoutError):
                neon.with_options(timeout=0.3).branches.ensure(project.id, "late")
        finally:
            emu.clear_faults()
        assert neon.branches.ensure(project.id, "late").created is True


def test_cancelling_the_task_cancels_the_workflow(emu):
    async def flow():
        async with emu.async_client(**FAST) as neon:
            project = (await neon.projects.create(body={"project": {"name": "wf-cancel"}})).project
            creates = emu.request_count("createProjectBranch")
            emu.add_fault("listProjectBranches", "latency", ms=600, times=1)
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(neon.branches.ensure(project.id, "never"), 0.1)
            await asyncio.sleep(1.0)
            # The lookup's answer came after the cancel: no create followed it.
            assert emu.request_count("createProjectBranch") == creates

    try:
        asyncio.run(flow())
    finally:
        emu.clear_faults()


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_bad_arguments_are_refused_before_any_request(emu, kind):
    neon = emu.client(**FAST)
    project = neon.projects.create(body={"project": {"name": "wf-bad"}}).project
    lists = emu.request_count("listProjectBranches")
    if kind == "sync":
        run = lambda f, *a, **kw: f(*a, **kw)  # noqa: E731
        target = neon
    else:
        aio = emu.async_client(**FAST)
        run = lambda f, *a, **kw: asyncio.run(f(*a, **kw))  # noqa: E731
        target = aio
    # An unknown argument: Python's own TypeError for a typed method, the core's error for the dynamic call.
    with pytest.raises(TypeError, match="databse"):
        target.connection_string(project.id, databse="neondb")
    with pytest.raises(neonkit.InvalidArgumentError) as e:
        run(target.workflow, "connection_string", {"project_id": project.id, "databse": "neondb"})
    assert e.value.status is None and 'no argument "databse"' in e.value.message and "database" in e.value.message
    with pytest.raises(neonkit.InvalidArgumentError) as e:
        run(target.connection_string, project.id, pooled="yes")
    assert e.value.status is None and "pooled" in e.value.message
    with pytest.raises(neonkit.InvalidArgumentError, match="name is required"):
        run(target.branches.ensure, project.id, None)
    with pytest.raises(neonkit.InvalidArgumentError, match="no workflow"):
        run(target.workflow, "branches.nope", {})
    with pytest.raises(neonkit.InvalidArgumentError, match="lone surrogate"):
        run(target.branches.ensure, project.id, "bad\udc80")
    with pytest.raises(TypeError, match="name cannot be sent as JSON"):
        run(target.branches.ensure, project.id, {1, 2})
    assert emu.request_count("listProjectBranches") == lists
    neon.close()
