"""Rule tick: Ticker.tick_once over 10k / 50k / 100k open tasks (20 per meeting) with the SAME
number of steps due, so the cost should follow what is due, not what exists.

    python bench/tick.py [--sizes 10000,50000,100000] [--due 200] [--runs 3]

Two ticks per size, each from the previous tick one minute earlier (the daemon's steady state):
- quiet: Monday 10:17, nothing due (most ticks of a day);
- 09:00: Monday work_start, `--due` tasks get a due reminder (half due tomorrow, half in 3 working
  days); every other task is due weeks later.
Baseline in the same run: a bare indexed SELECT of the due rows (the least any tick can do).
Targets: a tick < 200 ms and process RSS < 200 MB at 100k tasks.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlite_utils

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SH, make_app, median, rss_mb, seed, tmpdir, verdict  # noqa: E402

MONDAY_0900 = datetime(2026, 11, 23, 9, 0, 30, tzinfo=SH)
MONDAY_1017 = datetime(2026, 11, 23, 10, 17, 30, tzinfo=SH)
WEDNESDAY_1400 = datetime(2026, 10, 28, 14, 0, tzinfo=SH)
TOMORROW, IN_3_WD = date(2026, 11, 24), date(2026, 11, 26)


def due_of_factory(n: int, due: int):
    step = max(1, n // due)

    def due_of(tid: int) -> date:
        k = tid - 1
        if k % step == 0 and k // step < due:
            return TOMORROW if (k // step) % 2 == 0 else IN_3_WD
        return date(2026, 12, 7) + timedelta(days=k % 110)      # weeks away: no rule fires today
    return due_of


def build(n: int, due: int) -> Path:
    d = tmpdir(f"mfbench-tick-{n}-")
    app, _svc, _clock = make_app(d)
    seed(app.store, n // 20, 20, due_of=due_of_factory(n, due), assigned_mails=False)
    # meetings ended on Wednesdays weeks ago: their weekly follow-up table is not due on a Monday
    with app.store.transaction():
        for m in app.store.meetings():
            app.store.save_meeting(replace(m, start=WEDNESDAY_1400, end=WEDNESDAY_1400 + timedelta(hours=1)),
                                   m.created_at)
    app.close()
    return d


def one(src: Path, now: datetime) -> tuple[float, int, float, float]:
    d = tmpdir("mfbench-tickrun-")
    shutil.copy(src / "mailflow.db", d / "mailflow.db")
    app, svc, clock = make_app(d)
    clock.set(now)
    prev = (now - timedelta(minutes=1)).isoformat()
    app.store.set_meta("rule_ticks", {r.name: prev for r in app.rules})
    # baseline: the indexed read of what is due (no rules, no objects), SQL on the file as any SQLite
    # tool would run it, the floor under the store; the schema is read before the clock starts
    floor = sqlite_utils.Database(d / "mailflow.db")
    floor.execute("SELECT 1 FROM tasks LIMIT 0").fetchall()
    t = time.perf_counter()
    floor.execute("SELECT * FROM tasks WHERE status IN ('not_started','in_progress','delayed') "
                  "AND due >= ? AND due <= ?", (TOMORROW.isoformat(), IN_3_WD.isoformat())).fetchall()
    base = time.perf_counter() - t
    floor.close()
    gc.collect()
    t = time.perf_counter()
    acted = svc.ticker.tick_once(now)
    dt = time.perf_counter() - t
    rss = rss_mb()
    app.close()
    shutil.rmtree(d, ignore_errors=True)
    return dt, acted, base, rss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,50000,100000")
    ap.add_argument("--due", type=int, default=200, help="tasks with a reminder at the 09:00 tick")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    print(f"open tasks: {sizes}, 20 per meeting; {args.due} due for a reminder at Mon 09:00; ticks one "
          f"minute after the previous one; median of {args.runs}")
    rows = []
    for n in sizes:
        t = time.perf_counter()
        src = build(n, args.due)
        built = time.perf_counter() - t
        quiet = [one(src, MONDAY_1017) for _ in range(args.runs)]
        due = [one(src, MONDAY_0900) for _ in range(args.runs)]
        q, dd = median([x[0] for x in quiet]), median([x[0] for x in due])
        acted = due[0][1]
        base = median([x[2] for x in due])
        rss = max(x[3] for x in quiet + due)
        rows.append((n, q, dd, acted, base, rss))
        print(f"{n:>7,} tasks (built in {built:.0f} s): quiet tick {q * 1000:6.1f} ms | 09:00 tick {dd * 1000:7.1f} ms "
              f"({acted} steps, {dd / max(1, acted) * 1000:.2f} ms/step) | bare SELECT of the due rows "
              f"{base * 1000:.1f} ms | RSS {rss:.0f} MB")
        shutil.rmtree(src, ignore_errors=True)
    n, q, dd, acted, base, rss = rows[-1]
    first = rows[0]
    print(f"\ngrowth {first[0]:,} -> {n:,} tasks ({n / first[0]:.0f}x): quiet tick x{q / first[1]:.2f}, "
          f"09:00 tick x{dd / first[2]:.2f} (same {acted} steps due)")
    print(f"quiet tick at {n:,}: {q * 1000:.1f} ms  target < 200 ms  {verdict(q < 0.2)}")
    print(f"09:00 tick at {n:,} with {acted} steps: {dd * 1000:.0f} ms  target < 200 ms  {verdict(dd < 0.2)}  "
          f"(ratio to the bare SELECT of the due rows: {dd / max(base, 1e-6):.0f}x)")
    print(f"RSS at {n:,}: {rss:.0f} MB  target < 200 MB  {verdict(rss < 200)}")


if __name__ == "__main__":
    main()
