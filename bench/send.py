"""Send: 10,000 queued mails -> an aiosmtpd sink on 127.0.0.1 via Outbox.flush_once, against a bare
aiosmtplib send loop over one reused connection (same bytes, same sink) measured in the same run.

    python bench/send.py [--n 10000] [--runs 3]

The sink (tests/smtp_server.py) runs in its own process, so client and server do not share a GIL.
Target: mailflow >= 0.7 x the bare loop.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HOST, NOW, OWNERS, ROOT, make_app, median, tmpdir, verdict  # noqa: E402

SINK = """
import sys
sys.path.insert(0, {tests!r})
from smtp_server import SmtpSink
sink = SmtpSink().start()
print(sink.port, flush=True)
for line in sys.stdin:
    cmd = line.strip()
    if cmd == "count":
        print(len(sink.messages), len(sink.duplicate_ids()), flush=True)
    elif cmd == "quit":
        break
sink.stop()
"""


class Sink:
    def __enter__(self):
        self.p = subprocess.Popen([sys.executable, "-c", SINK.format(tests=str(ROOT / "tests"))],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self.p.stdout.readline())
        return self

    def count(self) -> tuple[int, int]:
        self.p.stdin.write("count\n")
        self.p.stdin.flush()
        a, b = self.p.stdout.readline().split()
        return int(a), int(b)

    def __exit__(self, *exc):
        try:
            self.p.stdin.write("quit\n")
            self.p.stdin.close()
            self.p.wait(10)
        except Exception:
            self.p.kill()


def queue_mails(svc, n: int) -> None:
    from mailflow.model import Mail
    with svc.store.transaction():
        for i in range(n):
            who = OWNERS[i % len(OWNERS)]
            svc.outbox.queue(Mail(key=f"bench-send:{i}", template="help", to=[who[0]], cc=[HOST] if i % 3 == 0 else [],
                                  lang=who[2], kind="help", task_id=i + 1,
                                  context={"name": who[1], "subject": f"回复：任务确认 第{i}项 进行中 60%"}), NOW)


async def bare(port: int, rows: list[dict]) -> float:
    import aiosmtplib
    c = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, use_tls=False, local_hostname="bench")
    await c.connect()
    t = time.perf_counter()
    for r in rows:
        await c.sendmail(r["sender"], r["recipients"], r["raw"])
    dt = time.perf_counter() - t
    await c.quit()
    return dt


async def ours(svc) -> tuple[float, int]:
    t = time.perf_counter()
    sent = 0
    while True:
        k = await svc.outbox.flush_once(NOW)
        sent += k
        if not k:
            break
    dt = time.perf_counter() - t
    close = getattr(svc.app.mailer, "close", None)
    if close:
        res = close()
        if asyncio.iscoroutine(res):
            await res
    return dt, sent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    d = tmpdir("mfbench-send-")
    app, svc, _clock = make_app(d)
    app.settings.smtp.hourly_cap = 0
    queue_mails(svc, args.n)
    rows = app.store.outbox_due(NOW, args.n)
    app.close()
    shutil.copy(d / "mailflow.db", d / "queued.db")        # every flush_once run starts from this file
    size = sum(len(r["raw"]) for r in rows) / len(rows)
    print(f"{args.n} mails of {size / 1024:.1f} KB (1/3 with a Cc), sink in its own process; median of {args.runs}")
    b_rates, o_rates = [], []
    for r in range(args.runs):
        for which in (("bare", "ours") if r % 2 == 0 else ("ours", "bare")):   # alternate the order
            if which == "bare":
                with Sink() as sink:
                    dt = asyncio.run(bare(sink.port, rows))
                    got, _d = sink.count()
                b_rates.append(args.n / dt)
                continue
            shutil.copy(d / "queued.db", d / "mailflow.db")
            with Sink() as sink:
                app, svc, _clock = make_app(d, smtp={"url": f"smtp://127.0.0.1:{sink.port}"})
                odt, sent = asyncio.run(ours(svc))
                app.close()
                got2, dups = sink.count()
            o_rates.append(sent / odt)
        print(f"run {r + 1}: bare aiosmtplib {args.n / dt:,.0f}/s ({got} received) | flush_once {sent / odt:,.0f}/s "
              f"({got2} received, {dups} duplicate Message-IDs)")
    b, o = median(b_rates), median(o_rates)
    ratio = median([x / y for x, y in zip(o_rates, b_rates)])
    print(f"\nbare aiosmtplib loop, one connection: {b:,.0f} mails/s")
    print(f"mailflow Outbox.flush_once:          {o:,.0f} mails/s")
    print(f"ratio (median of the per-run ratios): {ratio:.2f}  target >= 0.7  {verdict(ratio >= 0.7)}")


if __name__ == "__main__":
    main()
