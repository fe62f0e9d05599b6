"""Exceptions: one class per error kind, fields, pickling, cause text, checks before any request."""

import pickle

import pytest

import neonkit
from neonkit import _native
from neonkit._errors import _from_native

from conftest import new_project

KINDS = {
    "bad_request": neonkit.BadRequestError,
    "unauthorized": neonkit.AuthenticationError,
    "forbidden": neonkit.PermissionDeniedError,
    "not_found": neonkit.NotFoundError,
    "conflict": neonkit.ConflictError,
    "locked": neonkit.LockedError,
    "rate_limited": neonkit.RateLimitError,
    "server": neonkit.ServerError,
    "api": neonkit.ApiError,
    "timeout": neonkit.TimeoutError,
    "network": neonkit.NetworkError,
    "decode": neonkit.DecodeError,
    "invalid_argument": neonkit.InvalidArgumentError,
    "config": neonkit.ConfigError,
    "operation_failed": neonkit.OperationFailedError,
    "wait_timeout": neonkit.WaitTimeoutError,
    "runtime": neonkit.NeonRuntimeError,
    "aborted": neonkit.AbortedError,
}


def test_one_class_per_core_kind():
    assert set(neonkit.ERROR_CLASSES) == set(KINDS)
    for kind, cls in KINDS.items():
        assert neonkit.ERROR_CLASSES[kind] is cls
        assert issubclass(cls, neonkit.NeonError) and cls.kind == kind
    assert issubclass(neonkit.InvalidArgumentError, ValueError)
    assert issubclass(neonkit.TimeoutError, TimeoutError)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_class_carries_fields_and_pickles(kind):
    err = _from_native(kind, "it broke", 418, "SOME_CODE", "req-1", "getProject", 1.5, ["op-1"], "io error: reset")
    assert type(err) is KINDS[kind]
    assert (err.kind, err.status, err.code, err.message, err.request_id) == (
        kind,
        418,
        "SOME_CODE",
        "it broke",
        "req-1",
    )
    assert err.pending_operations == ("op-1",) and err.retry_after == 1.5 and err.operation == "getProject"
    assert str(err.__cause__) == "io error: reset"
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is KINDS[kind]
    assert (back.status, back.code, back.message, back.request_id, back.kind) == (
        418,
        "SOME_CODE",
        "it broke",
        "req-1",
        kind,
    )
    assert "request id req-1" in str(back)


# Faults that give each HTTP error kind for real (a GET, retries off so the status surfaces).
STATUS_KINDS = [
    (400, neonkit.BadRequestError),
    (401, neonkit.AuthenticationError),
    (403, neonkit.PermissionDeniedError),
    (404, neonkit.NotFoundError),
    (409, neonkit.ConflictError),
    (423, neonkit.LockedError),
    (429, neonkit.RateLimitError),
    (500, neonkit.ServerError),
    (503, neonkit.ServerError),
    (422, neonkit.ApiError),
]


@pytest.mark.parametrize("status,cls", STATUS_KINDS)
def test_http_errors_map_to_classes(emu, neon, status, cls):
    p = new_project(neon, f"err{status}")
    emu.add_fault("getProject", "status", status=status, times=1)
    try:
        with emu.client(max_retries=0) as c:
            with pytest.raises(cls) as e:
                c.projects.get(p.project.id)
    finally:
        emu.clear_faults()
    err = e.value
    assert isinstance(err, neonkit.NeonError)
    assert err.status == status and err.request_id and err.message
    assert err.operation == "getProject"


def test_errors_through_async_client(neon):
    with pytest.raises(neonkit.NotFoundError) as e:
        neon.projects.get("missing-project-12345678")
    assert e.value.status == 404 and e.value.request_id


def test_invalid_arguments_fail_before_any_request(emu, neon):
    before = emu.request_count("getProject")
    for bad in ["Bad/Id", "", "x" * 61]:
        with pytest.raises(neonkit.InvalidArgumentError) as e:
            neon.projects.get(bad)
        assert isinstance(e.value, ValueError) and e.value.status is None
    with pytest.raises(TypeError):
        neon.projects.get(None)
    with pytest.raises(TypeError):
        neon.projects.create(body=["not", "a", "dict"])
    with pytest.raises(TypeError):
        neon.projects.list(limit=object())
    with pytest.raises(TypeError):
        neon.projects.list(no_such_param=1)
    assert emu.request_count("getProject") == before


def test_missing_key_and_bad_options_are_config_errors(emu, monkeypatch):
    monkeypatch.delenv("NEON_API_KEY", raising=False)
    with pytest.raises(neonkit.ConfigError):
        neonkit.NeonClient(base_url=emu.base_url)
    with pytest.raises(neonkit.ConfigError):
        neonkit.NeonClient(api_key="", base_url=emu.base_url)
    with pytest.raises(neonkit.ConfigError):
        neonkit.NeonClient(api_key="k", base_url="ftp://nowhere")
    # An option out of its range is a config error (it was an invalid-argument error before 0.2).
    with pytest.raises(neonkit.ConfigError):
        neonkit.NeonClient(api_key="k", timeout=-1)
    monkeypatch.setenv("NEON_API_KEY", emu.api_key)
    monkeypatch.setenv("NEON_API_URL", emu.base_url)
    with neonkit.NeonClient() as c:
        assert c.base_url == emu.base_url
        c.projects.list()


def test_api_key_never_in_errors_or_reprs(emu):
    secret = "napi_supersecretvalue123"
    with emu.client(api_key=secret, max_retries=0) as c:
        assert secret not in repr(c)
        with pytest.raises(neonkit.AuthenticationError) as e:
            c.projects.list()
        assert secret not in str(e.value) and secret not in repr(e.value)


def test_closed_client_raises(emu):
    c = emu.client()
    c.close()
    assert c.closed
    with pytest.raises(neonkit.NeonRuntimeError):
        c.projects.list()


def test_timeout_error(emu):
    emu.add_fault("listProjects", "latency", ms=1500, times=1)
    try:
        with emu.client(timeout=0.3, max_retries=0) as c:
            with pytest.raises(neonkit.TimeoutError) as e:
                c.projects.list()
        assert isinstance(e.value, TimeoutError) and e.value.status is None
    finally:
        emu.clear_faults()


def test_network_error_with_cause(emu):
    with neonkit.NeonClient(api_key="k", base_url="http://127.0.0.1:9/api/v2", max_retries=0) as c:
        with pytest.raises(neonkit.NetworkError) as e:
            c.projects.list()
    assert e.value.status is None
    assert e.value.__cause__ is not None and str(e.value.__cause__)


def test_rust_panic_becomes_an_exception():
    with pytest.raises(neonkit.NeonRuntimeError, match="panic"):
        _native._panic_for_test()

    import asyncio
    from neonkit._base import _await_native

    async def go():
        return await _await_native(lambda done: _native._panic_for_test(done))

    with pytest.raises(neonkit.NeonRuntimeError, match="panic"):
        asyncio.run(go())
