"""Runs the shared scenarios of tests/scenarios/*.json (format: tests/scenarios/README.md)
through the public methods of both clients: operations, iterators, workflows, and steps run
concurrently (asyncio tasks on AsyncNeonClient, threads on NeonClient)."""

import asyncio
import glob
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

import neonkit
from neonkit.generated.resources import OPERATIONS, WORKFLOWS

from conftest import AsyncFacade

SCENARIOS = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "..", "tests", "scenarios", "*.json")))
VAR = re.compile(r"\$\{([a-zA-Z0-9_]+)\}")


def subst(value, saved):
    if isinstance(value, str):
        m = VAR.fullmatch(value)
        if m:
            return saved[m.group(1)]
        return VAR.sub(lambda m: str(saved[m.group(1)]), value)
    if isinstance(value, list):
        return [subst(v, saved) for v in value]
    if isinstance(value, dict):
        return {k: subst(v, saved) for k, v in value.items()}
    return value


MISSING = object()


def dig(data, dotted):
    if dotted == "":
        return data  # the whole result (a workflow that returns a string)
    cur = data
    for part in dotted.split("."):
        if isinstance(cur, list):
            i = int(part)
            cur = cur[i] if i < len(cur) else MISSING
        elif isinstance(cur, dict):
            cur = cur.get(part, MISSING)
        else:
            return MISSING
        if cur is MISSING:
            return MISSING
    return cur


def call_args(step, saved):
    ns, method, path_names, qmap, iter_method = OPERATIONS[step.get("call") or step.get("iterate")]
    path = subst(step.get("path", {}), saved)
    args = [path[name] for name in path_names]
    kwargs = {qmap[k]: v for k, v in subst(step.get("query", {}), saved).items()}
    if "body" in step:
        kwargs["body"] = subst(step["body"], saved)
    if "wait" in step:
        kwargs["wait"] = step["wait"]
    return ns, method, iter_method, args, kwargs


def target(client, step, saved):
    """The public method a call or workflow step names, and its arguments."""
    if "call" in step:
        ns, method, _, args, kwargs = call_args(step, saved)
        return getattr(getattr(client, ns), method), args, kwargs
    given = subst(step.get("args", {}), saved)
    entry = WORKFLOWS.get(step["workflow"])
    if entry is None or not set(given) <= set(entry[2] + entry[3]):
        # What no typed method can express (an unknown id or argument): the dynamic call, which the core answers.
        return client.workflow, [step["workflow"], given], {}
    ns, method, positional, _, _ = entry
    # Required arguments positionally in the file's order (one left out: None, which the core
    # reports as missing), the others by name.
    args = [given.pop(name, None) for name in positional]
    owner = client if ns == "client" else getattr(client, ns)
    return getattr(owner, method), args, given


def data_of(result):
    return result.to_dict() if isinstance(result, neonkit.Model) else result


def check_error(where, step, err):
    exp = step["expect_error"]
    assert err is not None, f"{where}: should have failed with {exp['kind']}"
    assert err.kind == exp["kind"], f"{where}: {err!r}"
    if "status" in exp:
        assert err.status == exp["status"], f"{where}: {err!r}"
    if "code" in exp:
        assert err.code == exp["code"], f"{where}: {err!r}"
    if exp.get("request_id"):
        assert err.request_id, f"{where}: no request id"
    for text in exp.get("message_contains", []):
        assert text in err.message, f"{where}: {text!r} not in {err.message!r}"


def check_result(where, step, data, saved):
    for var, dotted in step.get("save", {}).items():
        saved[var] = dig(data, dotted)
        assert saved[var] is not MISSING, f"{where}: nothing at {dotted}"
    exp = step.get("expect", {})
    for dotted, want in exp.get("fields", {}).items():
        assert dig(data, dotted) == subst(want, saved), f"{where}: {dotted}"
    for dotted in exp.get("present", []):
        got = dig(data, dotted)
        assert (
            got is not MISSING and got is not None and got != "" and got != [] and got != {}
        ), f"{where}: {dotted} absent"
    for dotted, n in exp.get("length", {}).items():
        assert len(dig(data, dotted)) == n, f"{where}: length of {dotted}"
    for dotted, text in exp.get("contains", {}).items():
        got = dig(data, dotted)
        assert isinstance(got, str) and subst(text, saved) in got, f"{where}: {dotted} does not contain {text!r}"
    for dotted in exp.get("absent", []):
        got = dig(data, dotted)
        assert got is MISSING or got is None, f"{where}: {dotted} is present"


def check_outcome(where, step, result, err, saved):
    """A call's or a workflow's outcome against the step's expectations."""
    if "expect_error" in step:
        check_error(where, step, err)
        return None
    if err is not None:
        raise AssertionError(f"{where}: failed: {err!r}") from err
    data = data_of(result)
    check_result(where, step, data, saved)
    return data


def outcome(fn, args, kwargs):
    try:
        return fn(*args, **kwargs), None
    except neonkit.NeonError as e:
        return None, e


def concurrently(client, steps, saved):
    """Each step's (result, error), the steps run at the same time: asyncio tasks on the
    AsyncNeonClient, threads on the NeonClient."""
    if isinstance(client, AsyncFacade):

        async def one(step):
            fn, args, kwargs = target(client._client, step, saved)
            try:
                return await fn(*args, **kwargs), None
            except neonkit.NeonError as e:
                return None, e

        async def all_of():
            return await asyncio.gather(*(asyncio.ensure_future(one(s)) for s in steps))

        return client._loop.run_until_complete(all_of())
    with ThreadPoolExecutor(max_workers=len(steps)) as pool:
        futures = [pool.submit(outcome, *target(client, s, saved)) for s in steps]
        return [f.result() for f in futures]


def run_scenario(emu, scenario, make_client):
    emu.reset()
    emu.clear_faults()
    cfg = scenario.get("client", {})
    client = make_client(
        max_retries=cfg.get("max_retries", 3),
        retry_initial_backoff=0.01,
        retry_max_backoff=0.05,
        wait_for_operations=cfg.get("wait", True),
    )
    saved = {}
    try:
        for i, step in enumerate(scenario["steps"]):
            where = f"{scenario['name']} step {i}"
            if "call" in step or "workflow" in step:
                check_outcome(where, step, *outcome(*target(client, step, saved)), saved)
            elif "concurrently" in step:
                steps = step["concurrently"]
                results = concurrently(client, steps, saved)
                datas = [
                    check_outcome(f"{where}.{j}", s, r, e, saved) for j, (s, (r, e)) in enumerate(zip(steps, results))
                ]
                for dotted, n in step.get("expect_true", {}).items():
                    got = sum(1 for d in datas if d is not None and dig(d, dotted) is True)
                    assert got == n, f"{where}: {got} results with {dotted} true, not {n}"
            elif "iterate" in step:
                ns, _, iter_method, args, kwargs = call_args(step, saved)
                assert iter_method, f"{where}: {step['iterate']} has no iterator"
                items = list(getattr(getattr(client, ns), iter_method)(*args, **kwargs))
                assert len(items) == step["expect"]["count"], f"{where}: iterated {len(items)}"
            elif "fault" in step:
                emu.add_fault(**step["fault"])
            elif "seed" in step:
                check_outcome(where, step, *outcome(emu.seed, [subst(step["seed"], saved)], {}), saved)
            elif "clock" in step:
                clock = step["clock"]
                if "now" in clock:
                    emu.set_clock(clock["now"])
                else:
                    emu.advance_clock(clock["advance_seconds"])
            elif "requests" in step:
                for op_id, n in step["requests"].items():
                    assert emu.request_count(op_id) == n, f"{where}: requests of {op_id}"
            else:
                raise AssertionError(f"{where}: unknown step {step}")
    finally:
        client.close()
        emu.clear_faults()
        emu.real_clock()


@pytest.mark.parametrize("path", SCENARIOS, ids=[os.path.basename(p)[:-5] for p in SCENARIOS])
def test_scenario(emu, path, client_kind):
    with open(path) as f:
        scenario = json.load(f)
    if client_kind == "sync":
        make = emu.client
    else:

        def make(**kw):
            return AsyncFacade(emu.async_client(**kw))

    run_scenario(emu, scenario, make)


def test_scenarios_exist():
    assert len(SCENARIOS) >= 5
