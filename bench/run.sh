#!/usr/bin/env bash
# The one benchmark command: installs the peers, builds neonkit in release mode,
# runs every figure (bench/run.py) and writes bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

cargo build --release -p neonkit-emulator -p neonkit-bench

venv="$root/target/bench-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip >/dev/null
"$venv/bin/pip" install -q "neon-api==0.3.0" "requests==2.32.3" "httpx==0.28.1" "maturin>=1.7,<2" "PyYAML>=6,<7"
# neonkit for Python, built in release mode from this checkout.
if [ -f python/pyproject.toml ]; then
  "$venv/bin/pip" install -q ./python
fi

# The Node peers, and neonkit for Node from this checkout.
(cd bench/node && npm install --no-audit --no-fund --silent)
if [ -f node/package.json ]; then
  (cd node && npm install --no-audit --no-fund --silent)
  (cd bench/node && npm install --no-audit --no-fund --silent --no-save ../../node)
fi

BENCH_PYTHON="$venv/bin/python" python3 bench/run.py
