"""The pytest plugin (neonkit.pytest_plugin, the `pytest11` entry point), run in inner pytest sessions (pytester):
the fixtures exist, each test starts from an empty emulator, options come from the flags, the ini file, a
conftest override or the marker, and --neon-postgres gives URIs that connect."""

import os
import sys
from importlib.metadata import entry_points

import pytest

pytest_plugins = ["pytester"]


def _pytest11():
    eps = entry_points()
    group = eps.select(group="pytest11") if hasattr(eps, "select") else eps.get("pytest11", [])
    return {ep.name: ep.value for ep in group}


def test_the_wheel_registers_the_plugin():
    assert _pytest11().get("neonkit") == "neonkit.pytest_plugin"


def test_the_fixtures_and_options_are_listed(pytester):
    result = pytester.runpytest("--fixtures")
    out = result.stdout.str()
    for name in ("neon_emulator", "neon_client", "neon_async_client", "neon_emulator_options", "neon_client_options"):
        assert name in out, name
    assert "reset before this test" in out  # the docstrings are the help
    assert "_neon_emulator_pool" not in out  # private
    help_out = pytester.runpytest("--help").stdout.str()
    assert "--neon-postgres" in help_out and "--neon-operation-duration" in help_out
    markers = pytester.runpytest("--markers").stdout.str()
    assert "@pytest.mark.neon_emulator(**options)" in markers


def test_state_is_reset_between_tests_on_one_emulator(pytester):
    pytester.makepyfile(
        """
        import asyncio
        import time
        from datetime import datetime, timedelta, timezone

        import neonkit
        from neonkit.testing import Emulator

        seen = []

        def test_first(neon_emulator, neon_client):
            assert isinstance(neon_emulator, Emulator)
            assert isinstance(neon_client, neonkit.NeonClient)
            assert neon_client.base_url == neon_emulator.base_url
            seen.append(neon_emulator.base_url)
            neon_client.projects.create(body={"project": {"name": "left-behind"}})
            assert len(neon_client.projects.list().projects) == 1
            neon_emulator.add_fault("listProjects", "status", status=503)
            neon_emulator.configure(latency=0.2, operation_duration=3)
            neon_emulator.set_clock(datetime.now(timezone.utc) - timedelta(days=40))

        def test_second_starts_empty(neon_emulator, neon_client):
            assert neon_emulator.base_url == seen[0]  # the same emulator, reset
            assert neon_emulator.request_count("createProject") == 0
            assert neon_client.projects.list().projects == []  # no fault, no project left
            assert abs((neon_emulator.clock - datetime.now(timezone.utc)).total_seconds()) < 60
            # operation_duration and latency are back to what the emulator started with, not the first test's
            started = time.monotonic()
            neon_client.projects.create(body={"project": {"name": "fresh"}})  # waits for its operations
            assert time.monotonic() - started < 1.5
            assert neon_emulator.request_count("listProjects") == 1

        def test_async_client(neon_emulator, neon_async_client):
            assert isinstance(neon_async_client, neonkit.AsyncNeonClient)

            async def main():
                await neon_async_client.projects.create(body={"project": {"name": "a"}})
                return (await neon_async_client.projects.list()).projects

            assert [p.name for p in asyncio.run(main())] == ["a"]

        def test_a_stopped_emulator_is_replaced(neon_emulator):
            neon_emulator.stop()

        def test_after_the_stop(neon_client):
            assert neon_client.projects.list().projects == []
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


def test_the_second_test_sees_the_first_tests_latency_put_back(pytester):
    pytester.makepyfile(
        """
        import time

        def test_slow(neon_emulator, neon_client):
            neon_emulator.configure(latency=1.5, locking=False)
            neon_emulator.clear_faults()

        def test_fast(neon_client):
            started = time.monotonic()
            neon_client.projects.list()
            assert time.monotonic() - started < 1.0
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_options_from_a_conftest_override_and_the_client_options(pytester):
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def neon_emulator_options(neon_emulator_options):
            return {**neon_emulator_options, "api_key": "conftest-key", "operation_duration": 0}

        @pytest.fixture
        def neon_client_options():
            return {"max_retries": 0}
        """
    )
    pytester.makepyfile(
        """
        import neonkit

        def test_key(neon_emulator, neon_client):
            assert neon_emulator.api_key == "conftest-key"
            made = neon_client.projects.create(body={"project": {"name": "k"}})
            assert made.project.name == "k"
            neon_emulator.add_fault("listProjects", "status", status=503, times=1)
            try:
                neon_client.projects.list()
            except neonkit.ServerError:
                pass
            else:
                raise AssertionError("max_retries=0 should not retry the 503")
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_the_marker_gives_another_emulator_shared_by_equal_options(pytester):
    pytester.makepyfile(
        """
        import pytest

        urls = {}

        def test_plain(neon_emulator):
            urls["plain"] = neon_emulator.base_url

        @pytest.mark.neon_emulator(api_key="marked-key", seed=7)
        def test_marked(neon_emulator):
            assert neon_emulator.api_key == "marked-key"
            urls["marked"] = neon_emulator.base_url

        @pytest.mark.neon_emulator(seed=7, api_key="marked-key")
        def test_marked_again(neon_emulator, neon_client):
            assert neon_emulator.base_url == urls["marked"] != urls["plain"]
            assert neon_client.projects.list().projects == []

        class TestInAClass:
            pytestmark = pytest.mark.neon_emulator(api_key="class-key")

            @pytest.mark.neon_emulator(api_key="method-key")
            def test_closest_marker_wins(self, neon_emulator):
                assert neon_emulator.api_key == "method-key"

            def test_class_marker(self, neon_emulator):
                assert neon_emulator.api_key == "class-key"
        """
    )
    pytester.runpytest().assert_outcomes(passed=5)


def test_bad_options_are_clear_errors(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.neon_emulator(postgress=True)
        def test_typo(neon_emulator):
            pass

        @pytest.mark.neon_emulator(True)
        def test_positional(neon_emulator):
            pass

        @pytest.mark.neon_emulator(operation_duration=-1)
        def test_out_of_range(neon_emulator):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=3)
    out = result.stdout.str()
    assert "@pytest.mark.neon_emulator: 'postgress' is not an option of neonkit.testing.Emulator" in out
    assert "(the options: port, api_key, operation_duration," in out
    assert "takes keyword arguments" in out
    assert "ConfigError" in out and "operation_duration" in out


def test_flags_and_ini_set_the_options(pytester):
    pytester.makepyfile(
        """
        def test_options(neon_emulator_options):
            print("OPTIONS", sorted(neon_emulator_options.items()))
        """
    )
    out = pytester.runpytest("-s").stdout.str()
    assert "OPTIONS []" in out
    out = pytester.runpytest("-s", "--neon-operation-duration=0").stdout.str()
    assert "OPTIONS [('operation_duration', 0.0)]" in out

    pytester.makeini("[pytest]\nneon_postgres = true\nneon_operation_duration = 0.5\n")
    out = pytester.runpytest("-s").stdout.str()
    assert "OPTIONS [('operation_duration', 0.5), ('postgres', True)]" in out
    # the command line wins over the ini file
    out = pytester.runpytest("-s", "--neon-operation-duration=0").stdout.str()
    assert "OPTIONS [('operation_duration', 0.0), ('postgres', True)]" in out

    pytester.makeini("[pytest]\nneon_operation_duration = soon\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    assert "neon_operation_duration: expected a number of seconds, got 'soon'" in result.stdout.str()


def _have_postgres():
    from neonkit.testing import Emulator

    import neonkit

    try:
        Emulator(postgres=True).stop()
    except neonkit.NeonRuntimeError as e:
        if "apt-get install postgresql" in str(e) and not os.environ.get("CI"):
            return False
        raise
    return True


def test_neon_postgres_gives_connection_uris_that_connect(pytester):
    pytest.importorskip("psycopg")
    if not _have_postgres():
        pytest.skip("PostgreSQL's binaries are not installed; set CI to make this a failure")
    pytester.makepyfile(
        """
        import psycopg

        def test_a_row_on_main(neon_client):
            made = neon_client.projects.create(body={"project": {"name": "pg"}})
            uri = made.connection_uris[0].connection_uri
            with psycopg.connect(uri, autocommit=True) as conn:
                conn.execute("CREATE TABLE notes (body text)")
                conn.execute("INSERT INTO notes VALUES ('hi')")
                assert conn.execute("SELECT body FROM notes").fetchall() == [("hi",)]

        def test_the_next_test_has_no_project(neon_emulator, neon_client):
            assert neon_client.projects.list().projects == []
            made = neon_client.projects.create(body={"project": {"name": "pg"}})
            with psycopg.connect(made.connection_uris[0].connection_uri) as conn:
                assert conn.execute("SELECT count(*) FROM pg_tables WHERE tablename = 'notes'").fetchone() == (0,)
        """
    )
    result = pytester.runpytest_subprocess("--neon-postgres", "--neon-operation-duration=0", timeout=300)
    result.assert_outcomes(passed=2)


def test_the_plugin_is_typed_strictly():
    import subprocess
    from pathlib import Path

    plugin = Path(__file__).resolve().parent.parent / "neonkit" / "pytest_plugin.py"
    mypy = Path(sys.executable).parent / "mypy"
    if not mypy.exists():
        pytest.skip("mypy is not installed (python/test.sh installs it)")
    r = subprocess.run(
        [str(mypy), "--strict", "--no-error-summary", str(plugin)],
        cwd=plugin.parent.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_readme_examples_run(pytester):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("### pytest fixtures", 1)[1].split("\n## ", 1)[0]
    tests, conftest = re.findall(r"```python\n(.*?)```", section, re.S)
    pytester.makeconftest("import pytest\n\n" + conftest)
    pytester.makepyfile(test_readme=tests)
    pytester.runpytest().assert_outcomes(passed=3)
