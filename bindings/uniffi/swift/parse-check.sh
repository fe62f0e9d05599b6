#!/usr/bin/env bash
# Installs tree-sitter and its Swift grammar (PyPI) into target/swift-venv and parses
# every Swift file here (see parse_check.py). Swift is not compiled on these machines.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
venv="${CARGO_TARGET_DIR:-$root/target}/swift-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "tree-sitter==0.26.1" "tree-sitter-swift==0.7.4"
"$venv/bin/python" "$here/parse_check.py" "$here"
