"""The stubs as the type checkers read them: `mypy --strict` and pyright (strict) accept the typed example and
report exactly the marked mistakes of tests/typing/bad.py (a typo on a model, a wrong enum string, a wrong type,
both body forms at once); and the example runs against the emulator."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent
EXAMPLE = PACKAGE / "examples" / "typed_example.py"
BAD = HERE / "typing" / "bad.py"
BIN = Path(sys.executable).parent


def _tool(name):
    path = BIN / name
    if not path.exists():
        found = shutil.which(name)
        if found is None:
            pytest.fail(f"{name} is not installed (python/test.sh installs it)")
        path = Path(found)
    return str(path)


def _run(args):
    # From the package's directory, as python/test.sh runs them: `neonkit` is the source tree (its stubs).
    return subprocess.run(args, cwd=PACKAGE, capture_output=True, text=True, timeout=600)


def _mypy(path):
    r = _run([_tool("mypy"), "--strict", "--no-error-summary", "--show-error-codes", str(path)])
    errors = {}
    for line in r.stdout.splitlines():
        m = re.match(r".*?:(\d+): error: .*\[([a-z-]+)\]$", line)
        if m:
            errors.setdefault(int(m.group(1)), set()).add(m.group(2))
    return r, errors


def _pyright(path):
    r = _run([_tool("pyright"), "--outputjson", str(path)])
    report = json.loads(r.stdout)
    errors = {}
    for d in report["generalDiagnostics"]:
        if d["severity"] == "error":
            errors.setdefault(d["range"]["start"]["line"] + 1, set()).add(d.get("rule", ""))
    return r, errors


def _expected(checker):
    want = {}
    for n, line in enumerate(BAD.read_text().splitlines(), 1):
        m = re.search(r"# error on the next line: (.*)$", line)
        if m:
            codes = dict(part.split("=") for part in m.group(1).split())
            want[n + 1] = {codes[checker]}
    assert len(want) >= 10
    return want


def test_mypy_strict_accepts_the_typed_example():
    r, errors = _mypy(EXAMPLE)
    assert r.returncode == 0 and not errors, r.stdout + r.stderr


def test_pyright_strict_accepts_the_typed_example():
    r, errors = _pyright(EXAMPLE)
    assert r.returncode == 0 and not errors, r.stdout[-3000:]


def test_mypy_reports_each_mistake():
    r, errors = _mypy(BAD)
    assert r.returncode == 1
    assert errors == _expected("mypy"), r.stdout


def test_pyright_reports_each_mistake():
    r, errors = _pyright(BAD)
    assert r.returncode == 1
    assert errors == _expected("pyright"), r.stdout[-3000:]


def test_the_typed_example_runs_against_the_emulator():
    r = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert r.returncode == 0, r.stderr[-3000:]
    first = r.stdout.splitlines()[0]
    # sync_flow's names: the branches, then what the workflows and the typed fields gave.
    assert "'dev'" in first and "True True True" in first and "True 0 True" in first, r.stdout
