"""`Emulator(postgres=True)`: a real PostgreSQL behind the emulator. The preview-branch
story end to end: SQL (psycopg) through the connection URIs the API returns.

Needs PostgreSQL's server binaries (`apt-get install postgresql`; `cargo xtask test`
installs them). Without them the tests are skipped, unless `CI` is set: then they fail.
"""

import os
from typing import Iterator, List

import pytest

import neonkit
from neonkit.testing import Emulator

try:
    import psycopg
except ImportError:  # python/test.sh installs it
    if os.environ.get("CI"):
        raise
    pytest.skip("psycopg is not installed: pip install 'psycopg[binary]'", allow_module_level=True)


@pytest.fixture(scope="module")
def pg_emu() -> Iterator[Emulator]:
    try:
        emu = Emulator(postgres=True, operation_duration=0)
    except neonkit.NeonRuntimeError as e:
        if "apt-get install postgresql" in str(e) and not os.environ.get("CI"):
            pytest.skip(f"PostgreSQL's binaries are not installed ({e}); set CI to make this a failure")
        raise
    yield emu
    emu.stop()


def sql(uri: str, statements: str) -> None:
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute(statements)


def notes(uri: str) -> List[str]:
    with psycopg.connect(uri) as conn:
        return [row[0] for row in conn.execute("SELECT body FROM notes ORDER BY id").fetchall()]


def test_preview_branch_story(pg_emu: Emulator) -> None:
    with pg_emu.client() as neon:
        created = neon.projects.create(body={"project": {"name": "story"}})
        pid, main = created.project.id, created.branch.id
        main_uri = created.connection_uris[0].connection_uri
        assert "@127.0.0.1:" in main_uri and main_uri.endswith("sslmode=disable"), main_uri

        # a table and a row on main, through its URI
        sql(
            main_uri,
            "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL); INSERT INTO notes (body) VALUES ('from main')",
        )
        pooled = neon.projects.get_connection_uri(
            pid, branch_id=main, database_name="neondb", role_name="neondb_owner", pooled=True
        ).uri
        assert notes(pooled) == ["from main"]

        # a preview branch: a copy of main as of now
        br = neon.branches.create(pid, branch={"name": "preview"}, endpoints=[{"type": "read_write"}])
        bid = br.branch.id
        br_uri = br.connection_uris[0].connection_uri
        assert br_uri != main_uri
        assert notes(br_uri) == ["from main"]

        # a write on the branch leaves main unchanged
        sql(br_uri, "INSERT INTO notes (body) VALUES ('from preview')")
        assert notes(br_uri) == ["from main", "from preview"]
        assert notes(main_uri) == ["from main"]

        # reset from the parent (the workflow): the branch's write is gone, its URI still connects
        reset = neon.branches.reset_from_parent(pid, bid)
        assert reset.id == bid
        assert notes(br_uri) == ["from main"]

        # deleted, the branch's URI refuses connections
        neon.branches.delete(pid, bid)
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(br_uri).close()
        assert notes(main_uri) == ["from main"]


def test_a_missing_binary_is_one_error_naming_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEONKIT_PG_BIN", "/nonexistent/postgresql/bin")
    with pytest.raises(neonkit.NeonRuntimeError) as e:
        Emulator(postgres=True)
    assert "apt-get install postgresql" in str(e.value)


def test_the_postgres_url_is_never_shown() -> None:
    with pytest.raises(neonkit.NeonRuntimeError) as e:
        Emulator(postgres_url="postgresql://admin:s3cret-pw@127.0.0.1:9/postgres")
    assert "s3cret" not in str(e.value) and "s3cret" not in repr(e.value)
    with pytest.raises(neonkit.ConfigError) as c:
        Emulator(no_pooler=True)
    assert c.value.message == "no_pooler is for the emulator's PostgreSQL: set postgres (or postgres_url) too"
