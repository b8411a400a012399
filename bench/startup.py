"""Start-up and memory: `mailflow --help` wall time (import cost) against a bare interpreter start,
the idle RSS of `mailflow run` against a bare interpreter's, and RSS while processing 50,000 replies
(Ingest.process_raw, in this process) — no growth beyond 10 % after warm-up.

    python bench/startup.py [--n 50000] [--runs 5] [--skip-growth]
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, make_app, median, replies_for, rss_mb, seed, tmpdir, verdict  # noqa: E402

BIN = Path(sys.executable).parent


def wall(cmd: list[str], runs: int) -> float:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        out.append(time.perf_counter() - t)
    return median(out)


def import_offenders(k: int = 5) -> list[tuple[float, str]]:
    p = subprocess.run([sys.executable, "-X", "importtime", "-m", "mailflow", "--help"], capture_output=True,
                       text=True, cwd=ROOT)
    rows = []
    for line in p.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if m and len(m.group(2)) <= 3:          # top-level imports and their direct children
            rows.append((int(m.group(1)) / 1000, m.group(3)))
    return sorted(rows, reverse=True)[:k]


def idle_rss() -> tuple[float, float]:
    d = tmpdir("mfbench-idle-")
    app, _svc, _clock = make_app(d)
    app.close()
    (d / "mailflow.toml").write_text('[mailbox]\nurl = "maildir:./mail/inbox"\n[smtp]\nurl = "maildir:./mail/sent"\n'
                                     '[store]\npath = "./mailflow.db"\n[org]\naddress = "mailflow@corp.example"\n'
                                     'people = "./people.yaml"\n', encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "mailflow", "--config", str(d / "mailflow.toml"), "run"], cwd=d,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bare = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        db = sqlite3.connect(d / "mailflow.db", timeout=30)
        end = time.monotonic() + 30
        while time.monotonic() < end and not db.execute("SELECT 1 FROM meta WHERE key = 'last_poll'").fetchone():
            time.sleep(0.05)
        db.close()
        time.sleep(3)                                   # a tick and a flush have run; now idle
        return rss_mb(proc.pid), rss_mb(bare.pid)
    finally:
        for p in (proc, bare):
            p.terminate()
            p.wait(15)
        shutil.rmtree(d, ignore_errors=True)


def growth(n: int) -> tuple[list[tuple[int, float]], float]:
    logging.disable(logging.WARNING)
    d = tmpdir("mfbench-growth-")
    app, svc, clock = make_app(d)
    tasks = seed(app.store, 100, 20)
    samples = []
    t = time.perf_counter()
    chunk = 1000
    for start in range(0, n, chunk):
        for i, raw in enumerate(replies_for(tasks, min(chunk, n - start), seed_=start)):
            # unique Message-IDs across chunks; one reply every 30 s of mailflow time
            raw = raw.replace(b"Message-ID: <bench-", f"Message-ID: <c{start}-bench-".encode(), 1)
            clock.advance(seconds=30)
            svc.ingest.process_raw(raw, f"k{start + i}", clock.now())
        if (start + chunk) % 5000 == 0 or start + chunk >= n:
            gc.collect()
            samples.append((start + chunk, rss_mb()))
    dt = time.perf_counter() - t
    app.close()
    shutil.rmtree(d, ignore_errors=True)
    return samples, n / dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=50000, help="replies processed for the growth check")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-growth", action="store_true")
    args = ap.parse_args()
    mf = str(BIN / "mailflow") if (BIN / "mailflow").exists() else None
    cmd = [mf, "--help"] if mf else [sys.executable, "-m", "mailflow", "--help"]
    h = wall(cmd, args.runs)
    bare = wall([sys.executable, "-c", "pass"], args.runs)
    click_only = wall([sys.executable, "-c", "import click"], args.runs)
    print(f"`mailflow --help`: {h * 1000:.0f} ms (median of {args.runs}); bare `python -c pass` {bare * 1000:.0f} ms, "
          f"`python -c 'import click'` {click_only * 1000:.0f} ms; ratio to bare python {h / bare:.1f}x")
    print("  top imports (cumulative ms): " + ", ".join(f"{name} {ms:.0f}" for ms, name in import_offenders()))
    print(f"  target: --help well under 1 s  {verdict(h < 1.0)}")
    rss, bare_rss = idle_rss()
    print(f"idle RSS of `mailflow run` (Maildir inbox, after its first poll, tick and flush): {rss:.0f} MB "
          f"(bare python {bare_rss:.0f} MB)")
    if args.skip_growth:
        return
    samples, rate = growth(args.n)
    warm = samples[0][1]
    last = samples[-1][1]
    peak = max(r for _n, r in samples)
    g = (peak - warm) / warm
    print(f"RSS while processing {args.n:,} replies ({rate:,.0f}/s): " +
          ", ".join(f"{k // 1000}k {r:.0f} MB" for k, r in samples))
    print(f"growth after warm-up ({samples[0][0]:,}): {g * 100:+.1f} % (peak {peak:.0f} MB, end {last:.0f} MB)  "
          f"target <= 10 %  {verdict(g <= 0.10)}")


if __name__ == "__main__":
    main()
