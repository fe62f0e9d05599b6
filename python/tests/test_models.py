"""Models as the type stubs describe them, over real HTTP: responses shaped like the real API's (older ones lack
fields the spec calls required; newer ones carry fields and enum values the spec does not list), timestamps as
timezone-aware datetimes both ways, enum fields, the extra members, JSON in one call, and the body's top-level
fields as keyword arguments."""

import asyncio
import copy
import http.server
import json
import pickle
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

import neonkit
from neonkit._model import format_datetime, parse_datetime
from neonkit.models import Branch, EndpointState, EndpointType, ProjectCreateRequest

KEY = "napi_k3y0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdef"
STUBS = Path(neonkit.__file__).parent / "generated" / "models.pyi"

# As the real API sent them (2024–2025 recordings; spec/real-api.yaml lists what they lack).
OLD_BRANCH = {
    "branch": {
        "id": "br-small-term-683261",
        "project_id": "shy-wind-12345678",
        "name": "main",
        "current_state": "ready",
        "state_changed_at": "2024-05-01T12:00:00Z",
        "creation_source": "console",
        "protected": False,
        "cpu_used_sec": 0,
        "compute_time_seconds": 0,
        "active_time_seconds": 0,
        "written_data_bytes": 0,
        "data_transfer_bytes": 0,
        "created_at": "2024-05-01T12:00:00Z",
        "updated_at": "2024-05-01T12:00:03.123456789+02:00",
        "primary": True,
        # no "default" (older responses), and a field the spec does not have yet
        "future_field": {"x": 1},
    },
}
OLD_API_KEY = {"id": 123, "key": "napi_secret_value_0000", "name": "ci", "created_at": "2024-05-01T12:00:00Z"}
OLD_PROJECTS = {"projects": [], "pagination": {"cursor": "c"}, "integrations": {}}
ENDPOINTS = {
    "endpoints": [
        {"id": "ep-a", "current_state": "idle", "type": "read_write"},
        {"id": "ep-b", "current_state": "hibernating", "type": "read_write"},
    ]
}


class Recorded:
    """An HTTP server on 127.0.0.1 answering each path with a recorded body."""

    def __init__(self) -> None:
        self.bodies: Dict[Tuple[str, str], Any] = {}
        self.seen: List[str] = []
        recorded = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                recorded.seen.append(self.path)
                body = json.dumps(recorded.bodies[(self.command, self.path.split("?")[0])]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v2"


@pytest.fixture
def recorded() -> Iterator[Recorded]:
    r = Recorded()
    r.bodies = {
        ("GET", "/api/v2/projects/shy-wind-12345678/branches/br-small-term-683261"): OLD_BRANCH,
        ("POST", "/api/v2/api_keys"): OLD_API_KEY,
        ("GET", "/api/v2/projects"): OLD_PROJECTS,
        ("GET", "/api/v2/projects/shy-wind-12345678/endpoints"): ENDPOINTS,
        ("GET", "/api/v2/consumption_history/projects"): {"projects": [], "pagination": {"cursor": ""}},
    }
    yield r
    r.server.shutdown()


def test_real_shaped_responses_decode_as_the_stubs_say(recorded: Recorded) -> None:
    with neonkit.NeonClient(KEY, base_url=recorded.base_url, max_retries=0) as neon:
        got = neon.branches.get("shy-wind-12345678", "br-small-term-683261")
        branch = got.branch
        key = neon.api_keys.create(body={"key_name": "ci"})
        projects = neon.projects.list()
        endpoints = neon.endpoints.list("shy-wind-12345678").endpoints
    # What older responses lack is None, and the stubs say Optional for exactly those.
    assert branch.default is None and "default" not in branch
    assert got.annotation is None and "annotation" not in got
    assert key.created_by is None and projects.applications is None
    stubs = STUBS.read_text()
    for cls, field, ty in [
        ("Branch", "default", "Optional[bool]"),
        ("ApiKeyCreateResponse", "created_by", "Optional["),
        ("ListProjectsResponse", "applications", "Optional["),
        ("GetProjectBranchResponse", "annotation", "Optional["),
    ]:
        block = stubs.split(f"\nclass {cls}(Model):\n", 1)[1].split("\nclass ", 1)[0]
        assert f"\n    {field}: {ty}" in block, (cls, field)
    # Timestamps: timezone-aware datetimes (a `Z`, an offset, nine fraction digits: none parse with
    # Python 3.10's fromisoformat).
    assert branch.created_at == datetime(2024, 5, 1, 12, tzinfo=timezone.utc)
    assert branch.updated_at == datetime(2024, 5, 1, 10, 0, 3, 123456, tzinfo=timezone.utc)
    assert branch.updated_at.utcoffset() == timedelta(hours=2)
    assert key.created_at.tzinfo is not None and key.id == 123
    # Enums: known values are members, the others plain strings; the branch's state is a str (see below).
    assert endpoints[0].current_state is EndpointState.IDLE and endpoints[0].type is EndpointType.READ_WRITE
    assert endpoints[1].current_state == "hibernating" and not isinstance(endpoints[1].current_state, EndpointState)
    assert branch.current_state == "ready"
    # What the spec does not list: `.extra`, and any member by its JSON name; never an attribute.
    assert branch.extra == {"future_field": {"x": 1}}
    assert branch["future_field"] == {"x": 1} and branch["created_at"] == "2024-05-01T12:00:00Z"
    assert branch.get("nope", 7) == 7
    with pytest.raises(TypeError, match="not iterable"):
        list(branch)
    with pytest.raises(AttributeError, match="nmae"):
        branch.nmae  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(AttributeError, match="future_field"):
        branch.future_field  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(AttributeError, match="nmae"):
        branch.nmae = "x"  # type: ignore[attr-defined]
    # The key's secret stays out of repr, and the JSON text keeps it (it is the data).
    assert "napi_secret_value_0000" not in repr(key) and "key=<redacted>" in repr(key)
    assert json.loads(key.to_json())["key"] == "napi_secret_value_0000"


def test_timestamps_in_query_parameters_are_sent_as_utc_text(recorded: Recorded) -> None:
    from neonkit.models import ConsumptionHistoryGranularity

    with neonkit.NeonClient(KEY, base_url=recorded.base_url, max_retries=0) as neon:
        neon.consumption.get_history_per_project(
            from_=datetime(2026, 1, 1, 1, 30, tzinfo=timezone(timedelta(hours=2))),
            to="2026-01-02T00:00:00Z",
            granularity=ConsumptionHistoryGranularity.DAILY,
        )
        with pytest.raises(ValueError, match="naive datetime"):
            neon.consumption.get_history_per_project(from_=datetime(2026, 1, 1), to="x", granularity="daily")
    assert len(recorded.seen) == 1
    query = recorded.seen[0].split("?", 1)[1]
    assert "from=2025-12-31T23%3A30%3A00Z" in query and "to=2026-01-02T00%3A00%3A00Z" in query, query
    assert "granularity=daily" in query


def test_branch_state_is_a_str_because_the_spec_lists_no_values() -> None:
    # `BranchState` is `type: string` with its values in prose only (no `enum`), unlike `EndpointState`
    # (so are `BranchRestoreStatus` and `Provisioner`);
    # an `enum` there (in the spec or spec/neon-openapi-v2.overlay.yaml) makes it an OpenEnum here.
    spec = (Path(__file__).resolve().parents[2] / "spec" / "generated" / "neon-openapi.yaml").read_text()

    assert "enum:" not in spec.split("\n    BranchState:\n", 1)[1].split("\n    BranchRestoreStatus:", 1)[0]
    assert "enum:" in spec.split("\n    EndpointState:\n", 1)[1].split("\n    EndpointType:", 1)[0]
    stubs = STUBS.read_text()
    assert "\n    current_state: str\n" in stubs.split("\nclass Branch(Model):\n", 1)[1].split("\nclass ", 1)[0]
    assert (
        "\n    current_state: Union[EndpointState, str]\n"
        in stubs.split("\nclass Endpoint(Model):\n", 1)[1].split("\nclass ", 1)[0]
    )


def test_a_required_field_the_response_lacks_is_a_decode_error_when_read() -> None:
    branch = Branch.from_dict({"id": "br-1", "name": None})
    assert branch.id == "br-1"
    with pytest.raises(neonkit.DecodeError, match=r"Branch\.project_id is absent, though the spec calls it required"):
        branch.project_id  # noqa: B018
    with pytest.raises(neonkit.DecodeError, match=r"Branch\.name is null"):
        branch.name  # noqa: B018
    # Optional fields are None, and repr shows what is there without raising.
    assert branch.parent_id is None
    assert repr(branch) == "Branch(id='br-1', name=None)"
    bad = Branch.from_dict({"created_at": "yesterday"})
    with pytest.raises(neonkit.DecodeError, match="created_at: not an RFC 3339 timestamp: 'yesterday'"):
        bad.created_at  # noqa: B018
    assert bad["created_at"] == "yesterday" and "yesterday" in repr(bad)


@pytest.mark.parametrize(
    "text,want",
    [
        ("2024-05-01T12:00:00Z", datetime(2024, 5, 1, 12, tzinfo=timezone.utc)),
        ("2024-05-01t12:00:00z", datetime(2024, 5, 1, 12, tzinfo=timezone.utc)),
        ("2024-05-01 12:00:00.5+00:00", datetime(2024, 5, 1, 12, 0, 0, 500000, tzinfo=timezone.utc)),
        ("2024-05-01T12:00:00.123456789-0130", datetime(2024, 5, 1, 13, 30, 0, 123456, tzinfo=timezone.utc)),
        ("2024-05-01T12:00:00", datetime(2024, 5, 1, 12, tzinfo=timezone.utc)),
    ],
)
def test_timestamps_parse_in_every_rfc3339_form(text: str, want: datetime) -> None:
    got = parse_datetime(text)
    assert got == want and got.tzinfo is not None


def test_timestamps_format_as_the_api_writes_them() -> None:
    assert format_datetime(datetime(2024, 5, 1, 12, tzinfo=timezone.utc)) == "2024-05-01T12:00:00Z"
    assert format_datetime(datetime(2024, 5, 1, 14, tzinfo=timezone(timedelta(hours=2)))) == "2024-05-01T12:00:00Z"
    with pytest.raises(ValueError, match="naive datetime"):
        format_datetime(datetime(2024, 5, 1, 12))
    for bad in ["", "2024-05-01T12", "May 1", "2024-05-01T12:00:00+2"]:
        with pytest.raises(ValueError):
            parse_datetime(bad)


def test_models_become_json_in_one_call_and_json_dumps_names_it() -> None:
    req = ProjectCreateRequest(project={"name": "demo", "settings": {"quota": {"active_time_seconds": 10}}})
    assert json.loads(req.to_json()) == {
        "project": {"name": "demo", "settings": {"quota": {"active_time_seconds": 10}}}
    }
    assert req.to_json(indent=2).startswith("{\n  ")
    with pytest.raises(TypeError, match=r"ProjectCreateRequest is not JSON serializable: call \.to_json\(\)"):
        json.dumps(req)
    with pytest.raises(TypeError, match=r"to_json"):
        json.dumps({"nested": [req]})
    assert req.to_json() == json.dumps(req.to_dict(), ensure_ascii=False)
    # Nothing else sees a different class: isinstance, copies and pickles behave.
    assert (
        isinstance(req, ProjectCreateRequest) and not isinstance(req, Branch) and req.__class__ is ProjectCreateRequest
    )
    assert copy.deepcopy(req) == req and pickle.loads(pickle.dumps(req)) == req
    from collections.abc import Mapping

    assert not isinstance(req, Mapping)
    when = Branch(expires_at=datetime(2030, 1, 1, tzinfo=timezone.utc))
    assert json.loads(when.to_json()) == {"expires_at": "2030-01-01T00:00:00Z"}
    assert when.expires_at == datetime(2030, 1, 1, tzinfo=timezone.utc)


def test_body_fields_as_keywords_against_the_emulator(sync_client: neonkit.NeonClient, emu: Any) -> None:
    created = sync_client.projects.create(project={"name": "kw"})
    assert created.project.name == "kw"
    pid = created.project.id
    made = sync_client.branches.create(pid, branch={"name": "dev"}, endpoints=[{"type": "read_write"}])
    assert made.branch.name == "dev" and made.endpoints[0].type is EndpointType.READ_WRITE
    assert made.endpoints[0].branch_id == made.branch.id
    assert isinstance(made.branch.created_at, datetime) and made.branch.created_at.tzinfo is not None
    # A timestamp in a request: a datetime (sent as UTC `Z` text) or the text itself.
    when = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=3)
    updated = sync_client.branches.update(
        pid, made.branch.id, branch={"expires_at": when.astimezone(timezone(timedelta(hours=-5)))}
    )
    assert updated.branch.expires_at == when
    assert sync_client.branches.get(pid, made.branch.id).branch["expires_at"] == format_datetime(when)
    # The whole body and its fields at once: a TypeError before any request.
    before = emu.request_count("createProjectBranch")
    with pytest.raises(
        TypeError,
        match=r"branches\.create\(\) takes the whole body \(body=\) or its fields as keywords \(branch=\), not both",
    ):
        sync_client.branches.create(pid, body={"branch": {"name": "a"}}, branch={"name": "b"})  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="naive datetime"):
        sync_client.branches.update(pid, made.branch.id, branch={"expires_at": datetime(2030, 1, 1)})
    assert emu.request_count("createProjectBranch") == before
    # `body=` still takes a whole prepared body.
    other = sync_client.branches.create(pid, body={"branch": {"name": "prepared"}})
    assert other.branch.name == "prepared"


def test_body_fields_as_keywords_on_the_async_client(emu: Any) -> None:
    async def run() -> List[str]:
        async with emu.async_client() as neon:
            created = await neon.projects.create(project={"name": "kw-async"})
            made = await neon.branches.create(created.project.id, branch={"name": "a-dev"})
            with pytest.raises(TypeError, match="not both"):
                await neon.projects.create(body={"project": {}}, project={"name": "x"})
            return [created.project.name, made.branch.name]

    assert asyncio.run(run()) == ["kw-async", "a-dev"]


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda n: n.projects.create(project={"name": 123}), "project.name: expected a string, got 123"),
        (
            lambda n: n.projects.create(project={"name": "x", "history_retention_seconds": "hunter2"}),
            "project.history_retention_seconds: expected an integer, got a string",
        ),
        (lambda n: n.projects.create(body={"project": []}), "project: expected an object, got an array"),
    ],
)
def test_a_body_field_of_the_wrong_type_is_refused_with_its_path(
    sync_client: neonkit.NeonClient, emu: Any, call: Any, message: str
) -> None:
    before = emu.request_count("createProject")
    with pytest.raises(neonkit.InvalidArgumentError) as e:
        call(sync_client)
    assert e.value.message == f"the request body of createProject: {message}"
    assert e.value.kind == "invalid_argument" and e.value.status is None and isinstance(e.value, ValueError)
    assert "hunter2" not in str(e.value)
    assert emu.request_count("createProject") == before
