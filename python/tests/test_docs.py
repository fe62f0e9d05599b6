"""Docs in the IDE: every resource method has a runtime docstring made from the spec (`help()` shows it),
the `.pyi` stubs carry the same text, and the model stubs carry the fields' descriptions."""

import ast
import asyncio
import inspect
import pathlib
import pydoc
from typing import Any, Dict, Iterator, List, Tuple

import pytest

import neonkit
from neonkit.generated import resources
from neonkit.generated.resources import OPERATIONS, WORKFLOWS

ROOT = pathlib.Path(__file__).parents[2]
GENERATED = pathlib.Path(resources.__file__).parent  # the installed package's, stubs and all
SPEC = ROOT / "spec" / "generated" / "neon-openapi.yaml"
SAMPLE = ["createProjectBranch", "listProjects", "getProjectBranchRolePassword", "listProjectBranches"]

# What the merged spec says of the sample, for when PyYAML is not installed: the first line of each
# description, and each parameter's.
EXCERPT: Dict[str, Dict[str, Any]] = {
    "createProjectBranch": {
        "summary": "Create branch",
        "description": "Creates a branch in the specified project.",
        "params": {"project_id": "The Neon project ID"},
    },
    "listProjects": {
        "summary": "List projects",
        "description": "Retrieves a list of projects for the specified organization.",
        "params": {
            "cursor": "Specify the cursor value from the previous response to retrieve the next batch of projects.",
            "limit": "Specify a value from 1 to 400 to limit number of projects in the response.",
            "search": "Search by project `name` or `id`. You can specify partial `name` or `id` values to filter results.",
            "org_id": "Search for projects by `org_id`.",
        },
    },
    "getProjectBranchRolePassword": {
        "summary": "Retrieve role password",
        "description": "Retrieves the password for the specified Postgres role, if possible.",
        "params": {"project_id": "The Neon project ID", "branch_id": "The branch ID", "role_name": "The role name"},
    },
    "listProjectBranches": {
        "summary": "List branches",
        "description": "Retrieves a list of branches for the specified project.",
        "params": {
            "project_id": "The Neon project ID",
            "limit": "The maximum number of records to be returned in the response",
        },
    },
}


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def spec_sample() -> Dict[str, Dict[str, Any]]:
    """The sample's summary, first description line and parameter descriptions, read from the merged spec."""
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        return EXCERPT
    doc = yaml.safe_load(SPEC.read_text())

    def deref(node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            target = doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    out: Dict[str, Dict[str, Any]] = {}
    for item in doc["paths"].values():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete") or op["operationId"] not in SAMPLE:
                continue
            params = [deref(p) for p in item.get("parameters", []) + op.get("parameters", [])]
            out[op["operationId"]] = {
                "summary": op["summary"].strip(),
                "description": first_line(op.get("description", "")),
                "params": {p["name"]: first_line(p["description"]) for p in params if p.get("description")},
            }
    assert set(out) == set(SAMPLE)
    # The literal excerpt stays true to the spec.
    for op_id, want in EXCERPT.items():
        assert want["summary"] == out[op_id]["summary"] and want["description"] == out[op_id]["description"]
        for name, text in want["params"].items():
            assert out[op_id]["params"][name] == text, (op_id, name)
    return out


SPEC_SAMPLE = spec_sample()


@pytest.fixture(scope="module")
def clients() -> Iterator[Tuple[neonkit.NeonClient, neonkit.AsyncNeonClient]]:
    sync = neonkit.NeonClient(api_key="k", base_url="http://127.0.0.1:9/api/v2")
    aio = neonkit.AsyncNeonClient(api_key="k", base_url="http://127.0.0.1:9/api/v2")
    yield sync, aio
    sync.close()
    asyncio.run(aio.close())


def stub_docstrings(name: str) -> Dict[str, str]:
    """`Class.method` (and `Class`, `Class.field`) → the raw docstring in a generated stub."""
    tree = ast.parse((GENERATED / name).read_text())
    out: Dict[str, str] = {}
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef):
            continue
        doc = ast.get_docstring(cls, clean=False)
        if doc:
            out[cls.name] = doc
        for i, node in enumerate(cls.body):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out[f"{cls.name}.{node.name}"] = ast.get_docstring(node, clean=False) or ""
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and i + 1 < len(cls.body):
                after = cls.body[i + 1]
                if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
                    out[f"{cls.name}.{node.target.id}"] = after.value.value
    return out


def assert_documents(doc: str, op_id: str, params: List[str]) -> None:
    want = SPEC_SAMPLE[op_id]
    assert doc, op_id
    doc = inspect.cleandoc(doc)
    assert want["summary"] in doc and want["description"] in doc, (op_id, doc)
    assert f"`{op_id}`" in doc
    for name in params:
        assert f"\n    {name}: " in doc, (op_id, name, doc)
        spec_name = name.removesuffix("_query")
        if spec_name in want["params"]:
            assert f"{name}: {want['params'][spec_name]}" in doc, (op_id, name, doc)
    assert "Raises:\n" in doc and "AuthenticationError" in doc


def test_a_call_s_docstring_has_the_spec_s_text_its_parameters_result_and_errors(clients: Any) -> None:
    sync, aio = clients
    ns, method = OPERATIONS["createProjectBranch"][:2]
    for client in (sync, aio):
        doc = inspect.getdoc(getattr(getattr(client, ns), method))
        assert_documents(doc, "createProjectBranch", ["project_id", "body", "wait"])
        assert "Returns:\n    CreatedBranchResponse: " in doc
        assert "Waits for the operations it starts" in doc
        assert "OperationFailedError, WaitTimeoutError" in doc
        assert "LockedError" in doc  # it changes something
        # The body's top-level fields: keywords of their own, documented after `body`.
        assert "\n    endpoints: The request's `endpoints`" in doc and "\n    branch: The request's `branch`" in doc
        assert doc.index("\n    body: The whole request") < doc.index("\n    endpoints: ") < doc.index("\n    wait: ")
    # help() shows it.
    text = pydoc.render_doc(sync.branches.create, renderer=pydoc.plaintext)
    assert SPEC_SAMPLE["createProjectBranch"]["description"] in text and "project_id: The Neon project ID" in text


def test_query_keywords_and_declared_statuses_are_documented(clients: Any) -> None:
    sync, aio = clients
    ns, method, _path, query, _ = OPERATIONS["listProjects"]
    assert {"cursor", "limit", "search", "org_id"} <= set(query)
    for client in (sync, aio):
        doc = inspect.getdoc(getattr(getattr(client, ns), method))
        assert_documents(doc, "listProjects", [query[q] for q in ("cursor", "limit", "search", "org_id")])
        assert "LockedError" not in doc and "wait:" not in doc  # a read: no lock, no wait
    ns, method, path, query, _ = OPERATIONS["getProjectBranchRolePassword"]
    doc = inspect.getdoc(getattr(getattr(sync, ns), method))
    assert_documents(doc, "getProjectBranchRolePassword", list(path))
    # The statuses the operation declares (404, 412), by class.
    assert "NotFoundError: 404" in doc and "ApiError: 412." in doc
    assert "InvalidArgumentError" in doc


def test_an_iterator_s_docstring_says_what_it_walks(clients: Any) -> None:
    sync, aio = clients
    for op_id in ("listProjects", "listProjectBranches"):
        ns, method, path, query, it = OPERATIONS[op_id]
        items = {"listProjects": "projects", "listProjectBranches": "branches"}[op_id]
        for client in (sync, aio):
            doc = inspect.getdoc(getattr(getattr(client, ns), it))
            assert doc.startswith(f"Every `{items}` item of every page of `{method}` (`{op_id}`)"), doc
            kws = [k for q, k in query.items() if q != "cursor"]
            assert_documents(doc, op_id, list(path) + kws)
            assert "\n    cursor:" not in doc  # the iterator keeps the cursor itself
            assert "Yields:\n" in doc


def test_every_method_of_both_clients_has_the_stub_s_docstring(clients: Any) -> None:
    sync, aio = clients
    stubs = stub_docstrings("resources.pyi")
    seen = 0
    for ns in dict.fromkeys(row[0] for row in OPERATIONS.values()):
        sync_ns, async_ns = getattr(sync, ns), getattr(aio, ns)
        for name in [n for n in vars(type(sync_ns)) if not n.startswith("_")]:
            runtime = getattr(sync_ns, name).__doc__
            assert runtime and runtime.strip(), f"{ns}.{name}"
            assert getattr(async_ns, name).__doc__ == runtime, f"{ns}.{name}"
            # The stub has the same text, for both classes (the IDE reads the stubs).
            assert stubs[f"{type(sync_ns).__name__}.{name}"] == runtime, f"{ns}.{name}"
            assert stubs[f"{type(async_ns).__name__}.{name}"] == runtime, f"{ns}.{name}"
            seen += 1
    rows = len(OPERATIONS) + sum(1 for row in OPERATIONS.values() if row[4])
    namespace_workflows = sum(1 for row in WORKFLOWS.values() if row[0] != "client")
    assert seen == rows + 1 + namespace_workflows  # and operations.wait, and the namespaces' workflows
    # The client's own workflows (`connection_string`): the same text on both clients and in the stubs.
    for ns, name, *_ in WORKFLOWS.values():
        if ns == "client":
            runtime = getattr(sync, name).__doc__
            assert runtime and getattr(aio, name).__doc__ == runtime, name
            assert stubs[f"_SyncNamespaces.{name}"] == runtime == stubs[f"_AsyncNamespaces.{name}"], name
    assert resources.Operations.wait.__doc__ and "WaitTimeoutError" in resources.Operations.wait.__doc__


def test_model_stubs_carry_the_schema_and_field_descriptions() -> None:
    stubs = stub_docstrings("models.pyi")
    expected = {
        "Branch.parent_lsn": "The Log Sequence Number (LSN) on the parent branch from which this branch was created.",
        "Branch.id": "The branch ID. This value is generated when a branch is created.",
        "Project.pg_version": None,
        "Operation.action": None,
    }
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        yaml = None
    if yaml is not None:
        schemas = yaml.safe_load(SPEC.read_text())["components"]["schemas"]
        expected["Branch.parent_lsn"] = first_line(schemas["Branch"]["properties"]["parent_lsn"]["description"])
        for key in ("Project.pg_version", "Operation.action"):
            model, field = key.split(".")
            prop = schemas[model]["properties"][field]
            if "$ref" in prop and "description" not in prop:
                prop = schemas[prop["$ref"].rsplit("/", 1)[1]]
            expected[key] = first_line(prop.get("description", ""))
    for key, want in expected.items():
        if want is None:
            assert stubs.get(key), key
        else:
            assert want in stubs[key], (key, stubs.get(key))
    # A schema's description is its class's docstring, in the stub and at runtime.
    from neonkit.generated import models

    documented = [m for m in models.__all__ if stubs.get(m)]
    assert len(documented) > 50
    for name in documented:
        assert getattr(models, name).__doc__ == stubs[name], name
    # A secret says so.
    assert any("A secret" in d for k, d in stubs.items() if "." in k)
