"""Store calls on the ingest hot path: the plain SQL statement the store runs against the
sqlite-utils call that would replace it, on a seeded store file, inside one transaction (as a
mail's unit of work is). This is the measurement behind the plain SQL left in edges/store/.

    python bench/store_ops.py [--n 2000]

Each line: microseconds per call, median of 5 rounds, and the factor.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import NOW, seed, tmpdir  # noqa: E402


def per_call(store, fn, n: int) -> float:
    """Microseconds per call of fn(i), median of 5 rounds of n calls, each round rolled back."""
    rounds = []
    for _ in range(5):
        store.conn.execute("BEGIN IMMEDIATE")
        t = time.perf_counter()
        for i in range(n):
            fn(i)
        rounds.append((time.perf_counter() - t) / n * 1e6)
        store.conn.execute("ROLLBACK")
    return statistics.median(rounds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000, help="calls per round (default 2000)")
    args = ap.parse_args()
    from mailflow.edges.store import Store
    from mailflow.edges.store.tasks import task_from_row
    d = tmpdir("mfbench-store-")
    s = Store(d / "mf.db")
    seed(s, 100, 20)
    tasks, outbox, events = s.table("tasks"), s.table("outbox"), s.table("task_events")
    row = dict(next(tasks.rows_where("id = 7")))
    event = {"task_id": 7, "at": NOW.isoformat(), "actor": "lina@corp.example", "kind": "progress",
             "text": "进行中 60%", "flags": "[]"}
    mail = {"message_id": "", "dedupe_key": "", "sender": "mailflow@corp.example",
            "recipients": '["lina@corp.example"]', "subject": "s", "raw": b"x" * 4000, "status": "queued",
            "created_at": NOW.isoformat()}
    pairs = [
        ("get_task: SELECT by id  vs  get()",
         lambda i: s.get_task(1 + i % 2000), lambda i: task_from_row(tasks.get(1 + i % 2000))),
        ("save_task: INSERT .. ON CONFLICT  vs  upsert()",
         lambda i: s.conn.execute(
             "INSERT INTO tasks (id, title, owner, status) VALUES (?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
             "title=excluded.title, owner=excluded.owner, status=excluded.status",
             (7, row["title"], row["owner"], "in_progress")),
         lambda i: tasks.upsert({"id": 7, "title": row["title"], "owner": row["owner"], "status": "in_progress"},
                                pk="id")),
        ("add_task_event: INSERT  vs  insert()",
         lambda i: s.conn.execute("INSERT INTO task_events (task_id, at, actor, kind, text, flags) "
                                  "VALUES (?,?,?,?,?,?)", tuple(event.values())),
         lambda i: events.insert(event)),
        ("queue_mail: INSERT OR IGNORE  vs  insert(ignore=True)",
         lambda i: s.conn.execute(
             "INSERT OR IGNORE INTO outbox (message_id, dedupe_key, sender, recipients, subject, raw, status, "
             "created_at) VALUES (?,?,?,?,?,?,?,?)", (f"<a{i}@x>", f"a{i}", *list(mail.values())[2:])),
         lambda i: outbox.insert({**mail, "message_id": f"<b{i}@x>", "dedupe_key": f"b{i}"}, ignore=True)),
        ("inbound_status: SELECT  vs  rows_where()",
         lambda i: s.inbound_status(f"<m{i}@x>"),
         lambda i: next(s.table("inbound").rows_where("message_id = ?", [f"<m{i}@x>"], select="status"), None)),
    ]
    print(f"{args.n} calls per round, a store seeded with 100 meetings x 20 tasks; microseconds per call")
    for name, plain, lib in pairs:
        a, b = per_call(s, plain, args.n), per_call(s, lib, args.n)
        print(f"{name:55s} {a:7.1f}  {b:7.1f}  x{b / a:4.1f}")
    s.close()
    shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
