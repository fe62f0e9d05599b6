"""Runs the shared scenarios of tests/scenarios/*.json (format: tests/scenarios/README.md)
through the public methods of both clients."""

import glob
import json
import os
import re

import pytest

import neonkit
from neonkit.generated.resources import OPERATIONS

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
            if "call" in step:
                ns, method, _, args, kwargs = call_args(step, saved)
                fn = getattr(getattr(client, ns), method)
                if "expect_error" in step:
                    exp = step["expect_error"]
                    with pytest.raises(neonkit.NeonError) as e:
                        fn(*args, **kwargs)
                    err = e.value
                    assert err.kind == exp["kind"], f"{where}: {err!r}"
                    if "status" in exp:
                        assert err.status == exp["status"], f"{where}: {err!r}"
                    if "code" in exp:
                        assert err.code == exp["code"], f"{where}: {err!r}"
                    if exp.get("request_id"):
                        assert err.request_id, f"{where}: no request id"
                    continue
                result = fn(*args, **kwargs)
                data = result.to_dict() if isinstance(result, neonkit.Model) else result
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
            elif "iterate" in step:
                ns, _, iter_method, args, kwargs = call_args(step, saved)
                assert iter_method, f"{where}: {step['iterate']} has no iterator"
                items = list(getattr(getattr(client, ns), iter_method)(*args, **kwargs))
                assert len(items) == step["expect"]["count"], f"{where}: iterated {len(items)}"
            elif "fault" in step:
                emu.add_fault(**step["fault"])
            elif "requests" in step:
                for op_id, n in step["requests"].items():
                    assert emu.request_count(op_id) == n, f"{where}: requests of {op_id}"
            else:
                raise AssertionError(f"{where}: unknown step {step}")
    finally:
        client.close()
        emu.clear_faults()


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
