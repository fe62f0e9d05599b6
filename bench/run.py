#!/usr/bin/env python3
"""Runs every benchmark figure side by side and writes bench/RESULTS.md.

Started by bench/run.sh, which installs the peers and builds the binaries. The
emulator is pinned to core 0 and every client to core 1; clients run in
alternation, each figure ROUNDS times (median and spread reported).

Environment: BENCH_ROUNDS (default 5), BENCH_SECONDS per figure (default 1.5),
BENCH_PYTHON (the venv's python), BENCH_ONLY (comma-separated client names).
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


def main():
    emu, emu_base = start_emulator()
    server = None
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
                    results.setdefault(("wire", "wrk → emulator", op, conc), []).append(wrk(url, conc))
                except Exception as e:
                    errors[("wire", "wrk → emulator", op, conc)] = str(e)[:200]
        bodies = os.path.join(ROOT, "target", "bench-bodies")
        os.makedirs(bodies, exist_ok=True)
        get_body, list_body = os.path.join(bodies, "get.json"), os.path.join(bodies, "list.json")
        with open(get_body, "wb") as f:
            f.write(raw_get(emu_base, f"/projects/{project}"))
        with open(list_body, "wb") as f:
            f.write(raw_get(emu_base, "/projects?limit=400"))
        server, base = start_static_server(get_body, list_body)
        specs = clients()
        for rnd in range(ROUNDS):
            print(f"round {rnd + 1}/{ROUNDS}", flush=True)
            for op in OPS:
                for conc in CONCURRENCY:
                    for lang, name, spec in specs:
                        key = (lang, name, op, conc)
                        if key in errors:
                            continue
                        try:
                            r = run_json(figure_cmd(spec, op, conc, base, project), cwd=os.path.join(ROOT, "bench", "node"))
                            results.setdefault(key, []).append(r["calls"] / r["seconds"])
                        except Exception as e:  # a client that cannot run is reported, not fatal
                            errors[key] = str(e)[:200]
                    if not ONLY or "wrk" in ONLY:
                        url = f"{base}/projects/{project}" if op == "get" else f"{base}/projects?limit=400"
                        try:
                            results.setdefault(("wire", "wrk", op, conc), []).append(wrk(url, conc))
                        except Exception as e:
                            errors[("wire", "wrk", op, conc)] = str(e)[:200]
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
                errors[("startup", label, "", 0)] = str(e)[:200]
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
                errors[("rss", name, "", 0)] = str(e)[:200]
            finally:
                os.chdir(old)
    finally:
        for p in (server, emu):
            if p:
                p.terminate()
                p.wait()
    write_results(results, errors, startup, rss)


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


def write_results(results, errors, startup, rss):
    lines = ["# Benchmark results", ""]
    lines.append(f"Generated by `bash bench/run.sh` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
                 f"{ROUNDS} rounds of {SECONDS} s per figure, clients in alternation. The server, pinned to core {SERVER_CPU}, "
                 "serves the emulator's real getProject and listProjects?limit=400 bodies (400 projects, 315 KB) from memory: "
                 "the emulator renders that list in about 6 ms, so measuring against it would measure the emulator (its own "
                 f"figures are the last row of the Rust table). Each client is pinned to core {CLIENT_CPU}. Figures are calls per second "
                 "(median, ± half the min–max spread). `get` = getProject, `list` = listProjects?limit=400.")
    lines.append("")
    wire_get = med(results, ("rust", "bare reqwest loop", "get", 1))
    lines.append("The wire limit: the bare reqwest loop (keep-alive GET, body read, nothing decoded) and `wrk` with the same concurrency.")
    lines.append("")
    for lang in ["rust", "python", "node"]:
        lines.append(f"## {lang.capitalize()}")
        lines.append("")
        lines.append("| client | " + " | ".join(f"{op} ×{c}" for op in OPS for c in CONCURRENCY) + " |")
        lines.append("|---|" + "---|" * (len(OPS) * len(CONCURRENCY)))
        names = [n for (l, n, _o, _c) in results if l == lang]
        names = list(dict.fromkeys(names))
        for name in names:
            cells = []
            for op in OPS:
                for c in CONCURRENCY:
                    m = med(results, (lang, name, op, c))
                    cells.append("—" if m is None else f"{fmt(m)} {spread(results, (lang, name, op, c))}")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        if lang == "rust":
            for wire_name, label in [("wrk", "wrk (wire)"), ("wrk → emulator", "wrk → the emulator itself")]:
                cells = []
                for op in OPS:
                    for c in CONCURRENCY:
                        m = med(results, ("wire", wire_name, op, c))
                        cells.append("—" if m is None else f"{fmt(m)} {spread(results, ('wire', wire_name, op, c))}")
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
                        m = med(results, (lang, name, op, c))
                        best = max([med(results, (lang, p, op, c)) or 0 for p in peers] or [0])
                        if m and best:
                            parts.append(f"{op} ×{c}: {m / best:.2f}×")
                m1 = med(results, (lang, name, "get", 1))
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
    lines.append("## Peak RSS of a process making 1,000 getProject calls")
    lines.append("")
    lines.append("| client | peak RSS (MiB) |")
    lines.append("|---|---|")
    for (lang, name), kb in rss.items():
        lines.append(f"| {lang}: {name} | {kb / 1024:.1f} |")
    lines.append("")
    lines.append("## Targets")
    lines.append("")
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
    out = []

    def check(label, ok, detail):
        mark = "met" if ok else ("NOT MET" if ok is False else "not measured")
        out.append(f"- {label}: **{mark}** ({detail})")

    m = lambda *k: med(results, k)
    wire = m("rust", "bare reqwest loop", "get", 1)
    r = m("rust", "neonkit async", "get", 1)
    check("Rust Client within 1.2× of the bare loop's time per call on getProject", (wire / r <= 1.2) if (wire and r) else None,
          f"{wire / r:.2f}×" if (wire and r) else "missing figure")
    py = m("python", "neonkit NeonClient", "get", 1)
    na = m("python", "neon-api", "get", 1)
    check("Python NeonClient ≥ 3× neon-api calls/s sequentially", (py / na >= 3) if (py and na) else None, f"{py / na:.2f}×" if (py and na) else "missing figure")
    check("Python NeonClient within 1.5× of the bare Rust loop's time per call", (wire / py <= 1.5) if (wire and py) else None,
          f"{wire / py:.2f}×" if (wire and py) else "missing figure")
    for conc in [1, 64]:
        nk = m("node", "neonkit", "get", conc)
        best = max([m("node", p, "get", conc) or 0 for p in OFFICIAL["node"]])
        check(f"Node ≥ 1.5× the faster official TS client, getProject ×{conc}", (nk / best >= 1.5) if (nk and best) else None,
              f"{nk / best:.2f}×" if (nk and best) else "missing figure")
    for lang, ours in [("python", ["neonkit NeonClient", "neonkit AsyncNeonClient"]), ("node", ["neonkit"])]:
        for name in ours:
            mine = m(lang, name, "list", 1)
            peers = [m(lang, p, "list", 1) for p in PEERS[lang] if m(lang, p, "list", 1)]
            check(f"{lang} {name} decodes listProjects?limit=400 faster than every peer", (mine > max(peers)) if (mine and peers) else None,
                  f"{mine / max(peers):.2f}× the fastest peer" if (mine and peers) else "missing figure")
    a, b = rss.get(("python", "neonkit NeonClient")), rss.get(("python", "neon-api"))
    check("Peak RSS of the 1,000-call Python process below neon-api's", (a < b) if (a and b) else None,
          f"{a / 1024:.1f} MiB vs {b / 1024:.1f} MiB" if (a and b) else "missing figure")
    return out


if __name__ == "__main__":
    main()
