#!/usr/bin/env bash
# Builds the neonkit uniffi library, regenerates the Kotlin bindings if they
# are missing, and runs the Kotlin tests (JUnit 5 via Maven) against the
# in-process emulator. Needs: Rust, JDK 17+, Maven (Maven Central reachable).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"

triple=x86_64-unknown-linux-gnu
profile="${NEONKIT_PROFILE:-debug}"
if [ "$profile" = release ]; then
  cargo build -p neonkit-uniffi --target "$triple" --release
else
  cargo build -p neonkit-uniffi --target "$triple"
fi
libdir="${CARGO_TARGET_DIR:-$root/target}/$triple/$profile"
test -f "$libdir/libneonkit_uniffi.so"

if [ ! -f "$here/src/main/kotlin/dev/neonkit/neonkit.kt" ]; then
  cargo xtask bindgen
fi

cd "$here"
log="$(mktemp)"
set +e
mvn -q -B test -Dneonkit.library.path="$libdir" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# Surefire's reports give the count even in quiet mode.
python3 - "$here/target/surefire-reports" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
t = f = e = s = 0
for path in glob.glob(sys.argv[1] + "/TEST-*.xml"):
    r = ET.parse(path).getroot()
    t += int(r.get("tests", 0)); f += int(r.get("failures", 0)); e += int(r.get("errors", 0)); s += int(r.get("skipped", 0))
print(f"Tests run: {t}, Failures: {f}, Errors: {e}, Skipped: {s}")
print(f"kotlin: {t - f - e - s} passed, {f + e} failed, {s} skipped")
PY
rm -f "$log"
exit "$rc"
