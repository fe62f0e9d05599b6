#!/usr/bin/env bash
# Builds the Python package (debug profile, sharing target/ with cargo) into a
# venv under target/py-venv and runs its tests: pytest against the in-process
# emulator (tests/test_typing.py runs mypy --strict and pyright, which fetches its node package once),
# then mypy --strict on the typed example.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/target/py-venv"
PY=${PYTHON:-python3}
export PATH="$VENV/bin:$PATH"

if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "maturin==1.9.6" "pytest==8.3.5" "mypy==1.15.0" "typing_extensions>=4.6" "ruff==0.8.6" "pyright==1.1.390" "uvloop==0.21.0; sys_platform != 'win32'" \
    "psycopg[binary]==3.2.10"

# The dev profile shares its artifacts with `cargo test`; release builds are for benchmarks.
MATURIN_PEP517_ARGS="${MATURIN_PEP517_ARGS:---profile dev}" \
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-build-isolation --force-reinstall --no-deps ./python

cd "$ROOT/python"
# Style first: it is the cheapest failure (pyproject.toml's [tool.ruff]; generated code is excluded).
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
"$VENV/bin/pytest" -q tests "$@"
"$VENV/bin/mypy" --strict examples/typed_example.py
