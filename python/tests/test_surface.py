"""All 180 operationIds of docs/operations.md are reachable on both clients under their Python names."""

import asyncio
import inspect
import os
import re

import neonkit
from neonkit import _native
from neonkit.generated.resources import OPERATIONS

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "operations.md")


def doc_rows():
    rows = {}
    with open(DOC) as f:
        # The operations' table (the workflows' follows it: test_workflows.py reads that one).
        for line in f.read().split("\n# Workflows")[0].splitlines():
            cells = [c.strip() for c in line.split("|")]
            if len(cells) < 8 or not cells[1].startswith("`"):
                continue
            op_id = re.match(r"`([^`]+)`", cells[1]).group(1)
            rows[op_id] = cells[4].strip("`")
    return rows


def test_all_operations_reachable_on_both_clients():
    rows = doc_rows()
    assert len(rows) == 180
    assert set(rows) == set(_native._operation_ids()) == set(OPERATIONS)
    sync = neonkit.NeonClient(api_key="k", base_url="http://127.0.0.1:9/api/v2")
    aio = neonkit.AsyncNeonClient(api_key="k", base_url="http://127.0.0.1:9/api/v2")
    for op_id, python_name in rows.items():
        ns, method = python_name.split(".")
        assert OPERATIONS[op_id][:2] == (ns, method), op_id
        s = getattr(getattr(sync, ns), method)
        a = getattr(getattr(aio, ns), method)
        assert callable(s) and not inspect.iscoroutinefunction(s), op_id
        assert inspect.iscoroutinefunction(a), op_id
        it = OPERATIONS[op_id][4]
        if it:
            assert callable(getattr(getattr(sync, ns), it)) and callable(getattr(getattr(aio, ns), it))
    sync.close()
    asyncio.run(aio.close())


def test_method_signatures_follow_the_spec():
    c = neonkit.NeonClient(api_key="k", base_url="http://127.0.0.1:9/api/v2")
    sig = inspect.signature(c.branches.create)
    # The whole body, wait, then the body's top-level fields (as keywords, each optional at run time).
    assert list(sig.parameters) == ["project_id", "body", "wait", "endpoints", "branch", "annotation_value"]
    assert all(sig.parameters[n].kind is inspect.Parameter.KEYWORD_ONLY for n in list(sig.parameters)[1:])
    sig = inspect.signature(c.projects.list)
    assert {"cursor", "limit", "search", "org_id"} <= set(sig.parameters)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in sig.parameters.values())
    c.close()
