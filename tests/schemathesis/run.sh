#!/usr/bin/env bash
# Spec conformance of the emulator: schemathesis (PyPI) with the vendored spec and its overlay (spec/generated/neon-openapi.yaml)
# against the running emulator binary. Checks status codes, content types and
# response schemas (plus "no 5xx") across all operations; exits non-zero on any
# violation. Bounded: a few examples per operation and a time budget.
#
#   bash tests/schemathesis/run.sh            # from the repository root
#   ST_MAX_EXAMPLES=20 bash tests/schemathesis/run.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SCHEMATHESIS_VERSION="4.32.5"
VENV="${ST_VENV:-$ROOT/target/schemathesis-venv}"
MAX_EXAMPLES="${ST_MAX_EXAMPLES:-8}"
MAX_TIME="${ST_MAX_TIME:-150}"
KEY="schemathesis-key"

if [ ! -x "$VENV/bin/schemathesis" ] || ! "$VENV/bin/python" -c "import importlib.metadata as m,sys; sys.exit(m.version('schemathesis')!='$SCHEMATHESIS_VERSION')" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --quiet -p neonkit-emulator --bin neonkit-emulator
BIN="$( (ls -t target/*/debug/neonkit-emulator target/debug/neonkit-emulator 2>/dev/null || true) | head -1)"

OUT="$(mktemp)"
# Operations finish at once and locking is off: schemathesis sends unrelated
# requests back to back, and 423 (which the spec allows) would only hide coverage.
"$BIN" --port 0 --api-key "$KEY" --operation-duration-ms 0 --no-locking --seed 42 >"$OUT" 2>/dev/null &
EMU_PID=$!
trap 'kill "$EMU_PID" 2>/dev/null || true; rm -f "$OUT"' EXIT
for _ in $(seq 1 100); do
  [ -s "$OUT" ] && break
  sleep 0.05
done
BASE_URL="$(head -1 "$OUT")"
[ -n "$BASE_URL" ] || { echo "emulator did not start" >&2; exit 1; }
echo "emulator at $BASE_URL"

# Seed some state so that generated requests also reach existing resources.
curl -fsS -X POST "$BASE_URL/projects" -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' -d '{"project":{"name":"schemathesis"}}' >/dev/null

export SCHEMATHESIS_HOOKS=""
"$VENV/bin/schemathesis" run spec/generated/neon-openapi.yaml \
  --url "$BASE_URL" \
  -H "Authorization: Bearer $KEY" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --mode "${ST_MODE:-positive}" \
  --phases "${ST_PHASES:-examples,coverage,fuzzing}" \
  --max-examples "$MAX_EXAMPLES" \
  --max-time "$MAX_TIME" \
  --workers 2 \
  --seed "${ST_SEED:-1}" \
  --no-shrink \
  --suppress-health-check all \
  --request-timeout 10 \
  --warnings off
