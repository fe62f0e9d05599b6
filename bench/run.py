#!/usr/bin/env python3
"""Runs every benchmark figure side by side and writes bench/RESULTS.md.

Started by bench/run.sh, which installs the peers and builds the binaries. The
emulator is pinned to core 0 and every client to core 1; clients run in
alternation, each figure ROUNDS times (median and spread reported).

Environment: BENCH_ROUNDS (default 5), BENCH_SECONDS per figure (default 1.5),
BENCH_PYTHON (the venv's python), BENCH_ONLY (comma-separated client names),
BENCH_BODIES (comma-separated body sets: emulator, real; both by default).

Two body sets are served, each by its own static server: the emulator's own
getProject and listProjects bodies, and the same bodies real-API-shaped (every
optional field of the spec's schemas filled, as the real API sends them; see
bench/real_shape.py). Every figure is measured on both.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, "target", "x86_64-unknown-linux-gnu", "release")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "1.5"))
PYTHON = os.path.abspath(os.environ.get("BENCH_PYTHON", sys.executable))
ONLY = [x for x in os.environ.get("BENCH_ONLY", "").split(",") if x]
KEY = "bench-key"
SERVER_CPU, CLIENT_CPU = "0", "1"
CONCURRENCY = [1, 16, 64]
OPS = ["get", "list"]
# body set tag -> the heading it is reported under
BODY_SETS = {"emulator": "the emulator's bodies", "real": "real-API-shaped bodies"}
BODIES = [b for b in (os.environ.get("BENCH_BODIES") or ",".join(BODY_SETS)).split(",") if b]
for _b in BODIES:
    if _b not in BODY_SETS:
        raise SystemExit(f"BENCH_BODIES: unknown body set {_b!r} (known: {', '.join(BODY_SETS)})")


def pinned(cmd):
    return ["taskset", "-c", CLIENT_CPU] + cmd


# (language, client name, command prefix; the driver appends the figure's arguments)
def clients():
    bench = os.path.join(RELEASE, "neonkit-bench")
    py = [PYTHON, os.path.join(ROOT, "bench", "python", "bench_client.py")]
    node = ["node", os.path.join(ROOT, "bench", "node", "bench_client.mjs")]
    out = [
        ("rust", "neonkit async", ("rust", bench, "async")),
        ("rust", "neonkit blocking", ("rust", bench, "blocking")),
        ("rust", "bare reqwest loop", ("rust", bench, "bare")),
        ("python", "neonkit NeonClient", ("py", py, "neonkit-sync")),
        ("python", "neonkit AsyncNeonClient", ("py", py, "neonkit-async")),
        ("python", "neon-api", ("py", py, "neon-api")),
        ("python", "requests", ("py", py, "requests")),
        ("python", "httpx", ("py", py, "httpx")),
        ("node", "neonkit", ("node", node, "neonkit")),
        ("node", "@neondatabase/api-client", ("node", node, "api-client")),
        ("node", "@neon/sdk", ("node", node, "neon-sdk")),
        ("node", "fetch", ("node", node, "fetch")),
    ]
    return [c for c in out if not ONLY or c[1] in ONLY]


def figure_cmd(spec, op, conc, base, project, calls=None):
    kind, prog, name = spec
    amount = ["--calls", str(calls)] if calls else None
    if kind == "rust":
        cmd = [prog, "--client", name, "--op", op, "--concurrency", str(conc), "--base-url", base, "--api-key", KEY, "--project-id", project]
        cmd += ["--calls", str(calls)] if calls else ["--seconds", str(SECONDS)]
        return cmd
    args = [name, op, str(conc)] + (amount or [str(SECONDS)]) + [base, KEY, project]
    return prog + args


def run_json(cmd, cwd=None):
    p = subprocess.run(pinned(cmd), capture_output=True, text=True, cwd=cwd, timeout=120)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def wrk(url, conc):
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed")
    cmd = ["wrk", "-t1", f"-c{conc}", f"-d{max(1, int(SECONDS))}s", "-H", f"Authorization: Bearer {KEY}", url]
    p = subprocess.run(pinned(cmd), capture_output=True, text=True, timeout=60)
    for line in p.stdout.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError("wrk printed no Requests/sec")


def start_emulator():
    exe = os.path.join(RELEASE, "neonkit-emulator")
    proc = subprocess.Popen(
        ["taskset", "-c", SERVER_CPU, exe, "--port", "0", "--api-key", KEY, "--operation-duration-ms", "0", "--no-locking"],
        stdout=subprocess.PIPE,
        text=True,
    )
    base = proc.stdout.readline().strip()
    if not base.startswith("http"):
        raise SystemExit("the emulator did not print its base URL")
    return proc, base


def start_static_server(get_body, list_body):
    """The emulator's real bodies served from memory (see `neonkit-bench serve`)."""
    exe = os.path.join(RELEASE, "neonkit-bench")
    proc = subprocess.Popen(["taskset", "-c", SERVER_CPU, exe, "serve", get_body, list_body], stdout=subprocess.PIPE, text=True)
    base = proc.stdout.readline().strip()
    if not base.startswith("http"):
        raise SystemExit("the static server did not print its base URL")
    return proc, base


def raw_get(base, path):
    req = urllib.request.Request(base + path)
    req.add_header("Authorization", f"Bearer {KEY}")
    with urllib.request.urlopen(req) as r:
        return r.read()


def api(base, method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Authorization", f"Bearer {KEY}")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def seed(base):
    first = None
    for i in range(400):
        p = api(base, "POST", "/projects", {"project": {"name": f"bench-{i:03d}"}})
        first = first or p["project"]["id"]
    assert len(api(base, "GET", "/projects?limit=400")["projects"]) == 400
    return first


def startup_ms(cmd, runs=10):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(pinned(cmd), check=True, capture_output=True)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def peak_rss_kb(cmd):
    p = subprocess.Popen(pinned(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        raise RuntimeError(p.stderr.read().decode().strip()[-300:])
    return usage.ru_maxrss


def fmt(x, digits=0):
    return f"{x:,.{digits}f}"


def real_shaped(operation_id, src, dst):
    """bench/real_shape.py, run by the venv's python (it has PyYAML)."""
    p = subprocess.run([PYTHON, os.path.join(ROOT, "bench", "real_shape.py"), operation_id, src, dst], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"real_shape.py {operation_id}: {p.stderr.strip()[-500:]}")


def main():
    emu, emu_base = start_emulator()
    servers = []
    try:
        project = seed(emu_base)
        results = {}  # (lang, client, op, conc) -> [calls/s]
        errors = {}
        # The emulator's own ceiling, for the record; the clients are measured
        # against its real bodies served from memory.
        for op in OPS:
            url = f"{emu_base}/projects/{project}" if op == "get" else f"{emu_base}/projects?limit=400"
            for conc in CONCURRENCY:
                try:
                    results.setdefault(("wire", "wrk → emulator", op, conc, "emulator"), []).append(wrk(url, conc))
                except Exception as e:
                    errors[("wire", "wrk → emulator", op, conc, "emulator")] = str(e)[:200]
        bodies = os.path.join(ROOT, "target", "bench-bodies")
        os.makedirs(bodies, exist_ok=True)
        get_body, list_body = os.path.join(bodies, "get.json"), os.path.join(bodies, "list.json")
        with open(get_body, "wb") as f:
            f.write(raw_get(emu_base, f"/projects/{project}"))
        with open(list_body, "wb") as f:
            f.write(raw_get(emu_base, "/projects?limit=400"))
        real_get, real_list = os.path.join(bodies, "get-real.json"), os.path.join(bodies, "list-real.json")
        real_shaped("getProject", get_body, real_get)
        real_shaped("listProjects", list_body, real_list)
        files = {"emulator": (get_body, list_body), "real": (real_get, real_list)}
        sizes = {b: (os.path.getsize(g), os.path.getsize(l)) for b, (g, l) in files.items()}
        bases = {}
        for b in BODIES:
            proc, bases[b] = start_static_server(*files[b])
            servers.append(proc)
        base = bases[BODIES[0]]
        specs = clients()
        for rnd in range(ROUNDS):
            print(f"round {rnd + 1}/{ROUNDS}", flush=True)
            for b in BODIES:
                for op in OPS:
                    for conc in CONCURRENCY:
                        for lang, name, spec in specs:
                            key = (lang, name, op, conc, b)
                            if key in errors:
                                continue
                            try:
                                r = run_json(figure_cmd(spec, op, conc, bases[b], project), cwd=os.path.join(ROOT, "bench", "node"))
                                results.setdefault(key, []).append(r["calls"] / r["seconds"])
                            except Exception as e:  # a client that cannot run is reported, not fatal
                                errors[key] = str(e)[:200]
                        if not ONLY or "wrk" in ONLY:
                            url = f"{bases[b]}/projects/{project}" if op == "get" else f"{bases[b]}/projects?limit=400"
                            try:
                                results.setdefault(("wire", "wrk", op, conc, b), []).append(wrk(url, conc))
                            except Exception as e:
                                errors[("wire", "wrk", op, conc, b)] = str(e)[:200]
        startup = {}
        for label, cmd in [
            ("python: import neonkit", [PYTHON, "-c", "import neonkit"]),
            ("python: import neon_api", [PYTHON, "-c", "import neon_api"]),
            ("python: (interpreter alone)", [PYTHON, "-c", "pass"]),
            ("node: import neonkit", ["node", "-e", "import('neonkit')"]),
            ("node: import @neondatabase/api-client", ["node", "-e", "import('@neondatabase/api-client')"]),
            ("node: import @neon/sdk", ["node", "-e", "import('@neon/sdk')"]),
            ("node: (runtime alone)", ["node", "-e", "0"]),
        ]:
            try:
                old = os.getcwd()
                os.chdir(os.path.join(ROOT, "bench", "node"))
                startup[label] = startup_ms(cmd)
            except Exception as e:
                startup[label] = None
                errors[("startup", label)] = str(e)[:200]
            finally:
                os.chdir(old)
        rss = {}
        for lang, name, spec in specs:
            try:
                cmd = figure_cmd(spec, "get", 1, base, project, calls=1000)
                old = os.getcwd()
                os.chdir(os.path.join(ROOT, "bench", "node"))
                rss[(lang, name)] = peak_rss_kb(cmd)
            except Exception as e:
                errors[("rss", name)] = str(e)[:200]
            finally:
                os.chdir(old)
    finally:
        for p in [*servers, emu]:
            p.terminate()
            p.wait()
    write_results(results, errors, startup, rss, sizes)


def med(results, key):
    v = results.get(key)
    return statistics.median(v) if v else None


def spread(results, key):
    v = results.get(key)
    if not v:
        return ""
    m = statistics.median(v)
    if m <= 0:
        return ""
    return f"±{(max(v) - min(v)) / 2 / m * 100:.0f}%"


PEERS = {
    "rust": [],
    "python": ["neon-api", "requests", "httpx"],
    "node": ["@neondatabase/api-client", "@neon/sdk", "fetch"],
}
OFFICIAL = {"python": ["neon-api"], "node": ["@neondatabase/api-client", "@neon/sdk"]}


def kb(n):
    return f"{n / 1000:,.0f} KB" if n >= 10_000 else f"{n / 1000:.1f} KB"


def write_results(results, errors, startup, rss, sizes):
    lines = ["# Benchmark results", ""]
    body_text = "; ".join(
        f"{BODY_SETS[b]}: getProject {kb(sizes[b][0])}, listProjects?limit=400 {kb(sizes[b][1])}" for b in BODIES
    )
    lines.append(f"Generated by `bash bench/run.sh` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
                 f"{ROUNDS} rounds of {SECONDS} s per figure, clients in alternation. The server, pinned to core {SERVER_CPU}, "
                 "serves getProject and listProjects?limit=400 bodies (400 projects) from memory: the emulator renders that "
                 "list per request (about half a millisecond), so measuring against it would partly measure the emulator (its own figures are the "
                 "last row of the Rust table). Two body sets are served, each by its own server: the emulator's own bodies, "
                 "and the same bodies real-API-shaped, with every optional field of the spec's schemas filled as the real API "
                 f"sends them (`bench/real_shape.py`). Sizes — {body_text}. Each client is pinned to core {CLIENT_CPU}. Figures "
                 "are calls per second (median, ± half the min–max spread). `get` = getProject, `list` = listProjects?limit=400.")
    lines.append("")
    lines.append("The wire limit: the bare reqwest loop (keep-alive GET, body read, nothing decoded) and `wrk` with the same concurrency.")
    lines.append("")
    for lang in ["rust", "python", "node"]:
        for b in BODIES:
            wire_get = med(results, ("rust", "bare reqwest loop", "get", 1, b))
            names = list(dict.fromkeys(n for (l, n, _o, _c, bb) in results if l == lang and bb == b))
            if not names:
                continue
            lines.append(f"## {lang.capitalize()}, {BODY_SETS[b]}")
            lines.append("")
            lines.append("| client | " + " | ".join(f"{op} ×{c}" for op in OPS for c in CONCURRENCY) + " |")
            lines.append("|---|" + "---|" * (len(OPS) * len(CONCURRENCY)))
            for name in names:
                cells = []
                for op in OPS:
                    for c in CONCURRENCY:
                        k = (lang, name, op, c, b)
                        m = med(results, k)
                        cells.append("—" if m is None else f"{fmt(m)} {spread(results, k)}")
                lines.append(f"| {name} | " + " | ".join(cells) + " |")
            if lang == "rust":
                wires = [("wrk", "wrk (wire)")] + ([("wrk → emulator", "wrk → the emulator itself")] if b == "emulator" else [])
                for wire_name, label in wires:
                    cells = []
                    for op in OPS:
                        for c in CONCURRENCY:
                            k = ("wire", wire_name, op, c, b)
                            m = med(results, k)
                            cells.append("—" if m is None else f"{fmt(m)} {spread(results, k)}")
                    lines.append(f"| {label} | " + " | ".join(cells) + " |")
            lines.append("")
            ours = [n for n in names if n.startswith("neonkit")]
            peers = [n for n in names if n in PEERS[lang]]
            if ours and (peers or wire_get):
                lines.append("Ratios (neonkit ÷ best peer in this language; time per call ÷ the bare Rust loop's, for `get ×1`):")
                lines.append("")
                for name in ours:
                    parts = []
                    for op in OPS:
                        for c in CONCURRENCY:
                            m = med(results, (lang, name, op, c, b))
                            best = max([med(results, (lang, p, op, c, b)) or 0 for p in peers] or [0])
                            if m and best:
                                parts.append(f"{op} ×{c}: {m / best:.2f}×")
                    m1 = med(results, (lang, name, "get", 1, b))
                    pieces = [", ".join(parts)] if parts else []
                    if m1 and wire_get:
                        pieces.append(f"{wire_get / m1:.2f}× the bare loop's time per call (get ×1)")
                    lines.append(f"- {name}: " + "; ".join(pieces))
                lines.append("")
    lines.append("## Start-up (median of 10 process starts, ms)")
    lines.append("")
    lines.append("| what | ms |")
    lines.append("|---|---|")
    for k, v in startup.items():
        lines.append(f"| {k} | {'—' if v is None else f'{v:.0f}'} |")
    lines.append("")
    lines.append(f"## Peak RSS of a process making 1,000 getProject calls ({BODY_SETS[BODIES[0]]})")
    lines.append("")
    lines.append("| client | peak RSS (MiB) |")
    lines.append("|---|---|")
    for (lang, name), kib in rss.items():
        lines.append(f"| {lang}: {name} | {kib / 1024:.1f} |")
    lines.append("")
    lines.append("## Targets")
    lines.append("")
    lines.append("Each target is a ratio of two figures of this run. The body set is named where a target is about one; "
                 "the others hold on every body set measured.")
    lines.append("")
    lines.append("| target | bodies | ratio | goal | status |")
    lines.append("|---|---|---|---|---|")
    lines.extend(targets(results, rss))
    lines.append("")
    if errors:
        lines.append("## Figures that could not be measured")
        lines.append("")
        for k, v in sorted(errors.items()):
            lines.append(f"- {' '.join(str(x) for x in k if x != '' and x != 0)}: {v}")
        lines.append("")
    notes = os.path.join(ROOT, "bench", "NOTES.md")
    if os.path.exists(notes):
        lines.append(open(notes).read())
    text = "\n".join(lines) + "\n"
    with open(os.path.join(ROOT, "bench", "RESULTS.md"), "w") as f:
        f.write(text)
    print(text)


def targets(results, rss):
    """The target table's rows: (ratio, goal) of figures of this run, per body set."""
    out = []

    def row(label, b, ratio, goal, at_least):
        """`at_least`: the ratio must be >= goal (else <= goal)."""
        if ratio is None:
            status, shown = "not measured", "—"
        else:
            ok = ratio >= goal if at_least else ratio <= goal
            status, shown = ("met" if ok else "**NOT MET**"), f"{ratio:.2f}×"
        out.append(f"| {label} | {BODY_SETS[b] if b else '—'} | {shown} | {'≥' if at_least else '≤'} {goal}× | {status} |")

    def ratio(a, b):
        return a / b if (a and b) else None

    for b in BODIES:
        m = lambda lang, name, op, conc: med(results, (lang, name, op, conc, b))  # noqa: E731
        wire = m("rust", "bare reqwest loop", "get", 1)
        rust_async = m("rust", "neonkit async", "get", 1)
        py, py_async = m("python", "neonkit NeonClient", "get", 1), m("python", "neonkit AsyncNeonClient", "get", 1)
        # time per call ÷ the bare loop's = the bare loop's rate ÷ ours
        row("Rust Client: time per call ÷ the bare loop's, getProject ×1", b, ratio(wire, rust_async), 1.2, False)
        row("Python NeonClient: calls/s ÷ neon-api's, getProject ×1", b, ratio(py, m("python", "neon-api", "get", 1)), 3, True)
        row("Python NeonClient: time per call ÷ the bare Rust loop's, getProject ×1 (issue 17: 1.3×)", b, ratio(wire, py), 1.3, False)
        row("Python AsyncNeonClient ÷ NeonClient, getProject ×1 (issue 17)", b, ratio(py_async, py), 0.8, True)
        for conc in [16, 64]:
            row(f"Python AsyncNeonClient (tasks) ÷ NeonClient (threads), getProject ×{conc} (issue 17)", b,
                ratio(m("python", "neonkit AsyncNeonClient", "get", conc), m("python", "neonkit NeonClient", "get", conc)), 1.0, True)
        for conc in [1, 64]:
            nk = m("node", "neonkit", "get", conc)
            best = max([m("node", p, "get", conc) or 0 for p in OFFICIAL["node"]])
            row(f"Node ÷ the faster official TS client, getProject ×{conc}", b, ratio(nk, best), 1.5, True)
        row("Node ÷ fetch + JSON.parse, listProjects ×1 (issue 17)", b, ratio(m("node", "neonkit", "list", 1), m("node", "fetch", "list", 1)), 1.3, True)
        row("Node ÷ the Rust async client, getProject ×64 (issue 17)", b,
            ratio(m("node", "neonkit", "get", 64), m("rust", "neonkit async", "get", 64)), 0.5, True)
        for lang, ours in [("python", ["neonkit NeonClient", "neonkit AsyncNeonClient"]), ("node", ["neonkit"])]:
            for name in ours:
                peers = [m(lang, p, "list", 1) for p in PEERS[lang] if m(lang, p, "list", 1)]
                row(f"{lang} {name} ÷ the fastest peer, listProjects ×1", b, ratio(m(lang, name, "list", 1), max(peers) if peers else None), 1.0, True)
    if "emulator" in BODIES:
        # the emulator itself, not a client: its 400-project list in well under a millisecond (issue 16)
        rate = med(results, ("wire", "wrk → emulator", "list", 1, "emulator"))
        row("The emulator's listProjects?limit=400 (wrk ×1) ÷ 1,000/s, i.e. under 1 ms each (issue 16)", "emulator",
            ratio(rate, 1000), 1.0, True)
    a, b = rss.get(("python", "neonkit NeonClient")), rss.get(("python", "neon-api"))
    row("Peak RSS of the 1,000-call Python process ÷ neon-api's", None, ratio(a, b), 1.0, False)
    return out


if __name__ == "__main__":
    main()
