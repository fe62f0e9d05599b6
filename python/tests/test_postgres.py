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


@pytest.fixture
def outside_server(pg_emu: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server the emulator does not own (its own cluster, a password superuser on
    loopback), as `postgres_url` expects one; run as `postgres` when the tests run as root.
    Asking for `pg_emu` skips it (or fails it under CI) as the other tests when PostgreSQL is missing."""
    import glob
    import shutil
    import socket
    import subprocess
    import tempfile
    import time

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[-3]))
    bin_dir = os.environ.get("NEONKIT_PG_BIN") or (os.path.dirname(found[-1]) if found else "")
    if not os.path.isfile(os.path.join(bin_dir, "initdb")):
        pytest.skip("no initdb to start an outside server with")
    as_root = os.geteuid() == 0
    user = "postgres" if as_root else None
    # a folder the `postgres` user may enter (pytest's tmp_path is private to root)
    folder = tempfile.mkdtemp(prefix="neonkit-outside-pg-")
    if as_root:
        shutil.chown(folder, user="postgres", group="postgres")
    pwfile = os.path.join(folder, "pw")
    with open(pwfile, "w") as f:
        f.write("outside-pw-1")
    if as_root:
        shutil.chown(pwfile, user="postgres", group="postgres")
    data = os.path.join(folder, "data")
    subprocess.run(
        [
            os.path.join(bin_dir, "initdb"),
            "-D",
            data,
            "-U",
            "outside_admin",
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
        ]
        + ["-E", "UTF8", "--locale=C", "-N"],
        check=True,
        capture_output=True,
        user=user,
        cwd=folder,
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [os.path.join(bin_dir, "postgres"), "-D", data, "-p", str(port), "-k", folder]
        + ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "shared_buffers=16MB"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        user=user,
        cwd=folder,
    )
    url = f"postgresql://outside_admin:outside-pw-1@127.0.0.1:{port}/postgres"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(url + "?sslmode=disable").close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def test_postgres_url_attaches_to_a_server_it_does_not_own(outside_server: str) -> None:
    def count(table: str) -> int:
        with psycopg.connect(outside_server + "?sslmode=disable") as conn:
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert row is not None
            return int(row[0])

    databases, roles = count("pg_database"), count("pg_roles")
    emu = Emulator(postgres_url=outside_server, operation_duration=0)
    try:
        assert "outside-pw-1" not in repr(emu)
        with emu.client() as neon:
            created = neon.projects.create(body={"project": {"name": "attached"}})
            main_uri = created.connection_uris[0].connection_uri
            assert f"@127.0.0.1:{outside_server.rsplit(':', 1)[1].split('/')[0]}/" in main_uri, main_uri
            sql(
                main_uri,
                "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL); INSERT INTO notes (body) VALUES ('outside')",
            )
            br = neon.branches.create(created.project.id, endpoints=[{"type": "read_write"}])
            br_uri = br.connection_uris[0].connection_uri
            assert notes(br_uri) == ["outside"]
            sql(br_uri, "INSERT INTO notes (body) VALUES ('branch')")
            assert notes(main_uri) == ["outside"]
            assert count("pg_database") >= databases + 2
    finally:
        emu.stop()
    # stopped, it leaves the server as it found it
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(main_uri).close()
    assert (count("pg_database"), count("pg_roles")) == (databases, roles)
