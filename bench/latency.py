"""Latency: a reply APPENDed to a real Dovecot -> the task updated in SQLite, with the real daemon
(`python -m mailflow run`, IDLE) in a subprocess. Baseline in the same run: a bare imapclient
IDLE wake-up after an APPEND from another connection (Dovecot's notify delay, the physical floor).

    python bench/latency.py [--n 200] [--runs 3] [--baseline 30]

Target: p99 < 1 s. The n replies are split over `runs` rounds (daemon restarted each round);
p50/p99 are printed per round, as the median of the rounds and over all samples pooled.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, SHARED, make_app, median, reply, seed, tmpdir, verdict  # noqa: E402


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))]


def bare_idle(dovecot, samples: int) -> list[float]:
    """One client in IDLE, another APPENDs: time until IDLE reports EXISTS."""
    user, _pw = dovecot.add_user()
    idler, writer = dovecot.client(user), dovecot.client(user)
    idler.select_folder("INBOX")
    out = []
    for i in range(samples):
        idler.idle()
        time.sleep(0.05 + random.random() * 0.05)
        t0 = time.perf_counter()
        writer.append("INBOX", f"Subject: ping {i}\r\nMessage-ID: <p{i}@x>\r\n\r\nping\r\n".encode())
        while True:
            resp = idler.idle_check(timeout=5)
            if any(isinstance(r, tuple) and len(r) > 1 and r[1] == b"EXISTS" for r in resp):
                break
        out.append(time.perf_counter() - t0)
        idler.idle_done()
    idler.logout()
    writer.logout()
    return out


TOML = """[mailbox]
url = "{url}"
processed = "flag"
[smtp]
url = "maildir:./mail/sent"
[store]
path = "./mailflow.db"
[org]
address = "{shared}"
name = "会议跟进助手"
people = "./people.yaml"
[schedule]
tick_seconds = 60
"""


def daemon_round(dovecot, n: int, seed_: int) -> tuple[list[float], float]:
    user, password = dovecot.add_user()
    d = tmpdir("mfbench-latency-")
    app, _svc, _clock = make_app(d)
    tasks = seed(app.store, max(1, n // 20 + 1), 20)
    app.close()
    (d / "mailflow.toml").write_text(TOML.format(url=dovecot.url(user), shared=SHARED), encoding="utf-8")
    env = {**os.environ, "MAILFLOW_IMAP_PASSWORD": password, "PYTHONPATH": str(ROOT)}
    log = open(d / "daemon.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "mailflow", "--config", str(d / "mailflow.toml"), "run"],
                            cwd=d, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    db = sqlite3.connect(d / "mailflow.db", timeout=30)
    try:
        t_end = time.monotonic() + 30
        while time.monotonic() < t_end:    # ready: it polled once and is now in IDLE
            row = db.execute("SELECT value FROM meta WHERE key = 'last_poll'").fetchone()
            if row:
                break
            time.sleep(0.05)
        time.sleep(0.5)
        rng = random.Random(seed_)
        writer = dovecot.client(user)
        lat = []
        for i in range(n):
            raw = reply(i, tasks[i % len(tasks)], ["confirm", "progress", "done", "delay"][i % 4], rng)
            mid = raw.split(b"Message-ID: ", 1)[1].split(b"\r\n", 1)[0].decode()
            time.sleep(0.05 + rng.random() * 0.1)        # replies arrive one by one
            t0 = time.perf_counter()
            writer.append("INBOX", raw)
            while True:
                if db.execute("SELECT 1 FROM task_events WHERE message_id = ?", (mid,)).fetchone():
                    break
                if time.perf_counter() - t0 > 30:
                    raise SystemExit(f"reply {mid} not applied within 30 s; see {d / 'daemon.log'}")
                time.sleep(0.002)
            lat.append(time.perf_counter() - t0)
        writer.logout()
        from common import rss_mb
        rss = rss_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        db.close()
        log.close()
    shutil.rmtree(d, ignore_errors=True)
    return lat, rss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200, help="replies in all (default 200)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline", type=int, default=30, help="bare IDLE wake-ups measured")
    args = ap.parse_args()
    from dovecot_server import Dovecot, dovecot_available
    if not dovecot_available():
        print("SKIP: /usr/sbin/dovecot not installed (apt-get install dovecot-imapd)")
        return
    per = [args.n // args.runs + (1 if i < args.n % args.runs else 0) for i in range(args.runs)]
    with Dovecot() as dovecot:
        base = bare_idle(dovecot, args.baseline)
        rounds, pooled = [], []
        for r, n in enumerate(per):
            lat, rss = daemon_round(dovecot, n, r)
            rounds.append((pct(lat, 50), pct(lat, 99)))
            pooled += lat
            print(f"round {r + 1}: {n} replies  p50 {pct(lat, 50) * 1000:.0f} ms  p99 {pct(lat, 99) * 1000:.0f} ms  "
                  f"max {max(lat) * 1000:.0f} ms  (daemon RSS {rss:.0f} MB)")
    b50, b99 = pct(base, 50), pct(base, 99)
    p50, p99 = median([x[0] for x in rounds]), median([x[1] for x in rounds])
    print(f"\nbaseline: bare imapclient IDLE wake-up after APPEND ({len(base)}): p50 {b50 * 1000:.0f} ms, "
          f"p99 {b99 * 1000:.0f} ms")
    print(f"mailflow run (IDLE): APPEND -> task_events row, median of {args.runs} rounds: p50 {p50 * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms; pooled over {len(pooled)}: p50 {pct(pooled, 50) * 1000:.0f} ms, "
          f"p99 {pct(pooled, 99) * 1000:.0f} ms")
    print(f"ratio p50 mailflow/baseline: {p50 / b50:.2f}; p99 target < 1000 ms  {verdict(pct(pooled, 99) < 1.0)}")


if __name__ == "__main__":
    main()
