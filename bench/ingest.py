"""Ingest: replies preloaded into a real Dovecot mailbox -> fetched, parsed, classified, applied,
committed, receipts queued (Ingest.ingest_once with an IMAP inbox), against the floor measured in
the same run: imapclient FETCH of the same messages + email parsing (policy=default) + body.

    python bench/ingest.py [--n 5000] [--runs 3] [--no-fsync-count]

Target: mailflow >= 0.5 x the floor, and no per-message fsync storm (counted with strace on an
extra, untimed pass).
"""

from __future__ import annotations

import argparse
import collections
import email
import email.policy
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import NOW, make_app, median, replies_for, seed, tmpdir, verdict  # noqa: E402


class ScaledClock:
    """Real time, sped up: one real second is `factor` seconds of mailflow time (so the per-recipient
    hourly cap sees replies spread over days, as they would be, not 5,000 in one instant)."""

    def __init__(self, start, factor: float):
        self.start, self.factor, self.t0 = start, factor, time.monotonic()

    def now(self, tz=None):
        t = self.start + timedelta(seconds=(time.monotonic() - self.t0) * self.factor)
        return t.astimezone(tz) if tz else t


def preload(dovecot, raws: list[bytes]) -> tuple[str, str]:
    user, password = dovecot.add_user()
    c = dovecot.client(user)
    for i in range(0, len(raws), 100):
        c.multiappend("INBOX", raws[i:i + 100])
    c.logout()
    return user, password


def floor(dovecot, user: str) -> tuple[float, int]:
    """imapclient FETCH (batches of 100) + message_from_bytes(policy=default) + headers + body."""
    from imapclient import IMAPClient
    t = time.perf_counter()
    c = IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=30)
    c.login(user, dovecot.users[user])
    c.select_folder("INBOX", readonly=True)
    uids = sorted(c.search("ALL"))
    n = 0
    for i in range(0, len(uids), 100):
        data = c.fetch(uids[i:i + 100], ["BODY.PEEK[]"])
        for uid in uids[i:i + 100]:
            msg = email.message_from_bytes(data[uid][b"BODY[]"], policy=email.policy.default)
            _h = (str(msg["Subject"]), str(msg["From"]), msg["Message-ID"], msg["In-Reply-To"], msg["Date"])
            body = msg.get_body(preferencelist=("plain", "html"))
            text = body.get_content() if body is not None else ""
            n += bool(text)
    c.logout()
    return time.perf_counter() - t, n


def mailflow_run(dovecot, user: str, password: str, tasks_per_meeting: int, meetings: int,
                 batch: int, pid_hook=None) -> tuple[float, dict, int, Path]:
    from mailflow.edges.mailbox import open_inbox
    d = tmpdir("mfbench-ingest-")
    app, svc, _clock = make_app(d)
    seed(app.store, meetings, tasks_per_meeting)
    app.clock = ScaledClock(NOW, 3 * 3600)
    app._inbox = open_inbox(dovecot.url(user), password, checkpoint=app.store.checkpoint(), processed="flag")
    commits = collections.Counter()
    stop = pid_hook() if pid_hook else None
    with app.store.tracing(lambda s: commits.update([s.split()[0].upper()]) if s[:1] in "BCR" else None):
        t = time.perf_counter()
        taken = 0
        while True:
            k = svc.ingest.ingest_once(limit=batch)
            taken += k
            if not k:
                break
        dt = time.perf_counter() - t
        extra = stop() if stop else {}
    statuses = app.store.inbound_counts()
    statuses["commits"] = commits["COMMIT"]
    statuses["outbox"] = (sum(app.store.outbox_counts().values())
                          - sum(app.store.outbox_counts(kind="task_assigned").values()))
    statuses.update(extra)
    app.close()
    return dt, statuses, taken, d


def strace_start():
    """Attach strace to this process (all threads) counting fsync/fdatasync; returns a stopper."""
    out = Path(tmpdir("mfbench-strace-")) / "strace.txt"
    p = subprocess.Popen(["strace", "-f", "-c", "-e", "trace=fsync,fdatasync", "-o", str(out),
                          "-p", str(os.getpid())], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)

    def stop() -> dict:
        p.send_signal(signal.SIGINT)
        p.wait(10)
        counts = {}
        for line in out.read_text().splitlines():
            parts = line.split()
            if parts and parts[-1] in ("fsync", "fdatasync"):
                counts[parts[-1]] = int(parts[3])
        return counts
    return stop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="replies per run (default 5000)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=200, help="ingest_once(limit=...) as the daemon uses")
    ap.add_argument("--no-fsync-count", action="store_true")
    args = ap.parse_args()
    from dovecot_server import Dovecot, dovecot_available
    if not dovecot_available():
        print("SKIP: /usr/sbin/dovecot not installed (apt-get install dovecot-imapd)")
        return
    per_meeting = 20
    meetings = max(1, (args.n + per_meeting - 1) // per_meeting)
    from mailflow.edges.store import Store
    tasks = seed(Store(":memory:"), meetings, per_meeting)
    raws = replies_for(tasks, args.n)
    size = sum(map(len, raws)) / len(raws)
    print(f"{args.n} replies, {size / 1024:.1f} KB average, {meetings} meetings x {per_meeting} tasks; "
          f"multipart/alternative, UTF-8/GB18030/Big5, QQ/Outlook/Gmail quoting; "
          f"confirm/progress/done/delay 3:3:2:2; 3/4 routed by In-Reply-To, 1/4 by [MF-T] tag")
    floors, ours, last = [], [], {}
    with Dovecot() as dovecot:
        for r in range(args.runs):
            t = time.perf_counter()
            user, password = preload(dovecot, raws)
            load = time.perf_counter() - t
            fdt, fn = floor(dovecot, user)
            dt, st, taken, d = mailflow_run(dovecot, user, password, per_meeting, meetings, args.batch)
            floors.append(args.n / fdt)
            ours.append(taken / dt)
            last = st
            print(f"run {r + 1}: MULTIAPPEND {args.n / load:,.0f}/s | floor {args.n / fdt:,.0f}/s "
                  f"({fn} bodies) | mailflow {taken / dt:,.0f}/s ({taken} taken) {st}")
            shutil.rmtree(d, ignore_errors=True)
        fs = {}
        if not args.no_fsync_count:
            m = min(args.n, 1000)
            user, password = preload(dovecot, raws[:m])
            if shutil.which("strace"):
                dt, st, taken, d = mailflow_run(dovecot, user, password, per_meeting,
                                                (m + per_meeting - 1) // per_meeting, args.batch, strace_start)
                fs = {k: st.get(k, 0) for k in ("fsync", "fdatasync")}
                fs["messages"] = taken
                fs["commits"] = st["commits"]
                shutil.rmtree(d, ignore_errors=True)
    f, o = median(floors), median(ours)
    ratio = median([x / y for x, y in zip(ours, floors)])
    print(f"\nfloor (imapclient FETCH + email policy=default + body): {f:,.0f} msg/s (median of {args.runs})")
    print(f"mailflow Ingest.ingest_once over IMAP:                  {o:,.0f} replies/s (median of {args.runs})")
    print(f"ratio (median of the per-run ratios): {ratio:.2f}  target >= 0.5  {verdict(ratio >= 0.5)}")
    if fs:
        syncs = fs.get("fsync", 0) + fs.get("fdatasync", 0)
        print(f"durability: {fs['messages']} messages -> {fs['commits']} store COMMITs, {syncs} fsync/fdatasync "
              f"calls ({syncs / max(1, fs['messages']):.2f} per message; strace, untimed pass)")
    print(f"statuses of the last run: {last}")


if __name__ == "__main__":
    main()
