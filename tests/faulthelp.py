"""Helpers for the fault tests: a daemon process we can kill, a store we can read behind its back,
and replies to seeded tasks.

    cfg = server_config(tmp_path, dovecot.url(user), sink.url)
    tasks = seed_tasks(cfg, now, 40)                   # meetings + tasks through the Store API
    d = Daemon(cfg, password); d.start(); ...; d.kill()  # SIGKILL, no goodbye
    counts(cfg)                                        # read the SQLite file like any other tool
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from apphelp import write_site
from mailflow.testing import make_mail

OWNERS = ["zhangwei@corp.example", "lina@corp.example", "liuyang@corp.example", "zhouqiang@corp.example",
          "chenjing@corp.example", "tom@corp.example", "wangfang@corp.example", "sunli@corp.example"]
HOST = "wanglei@corp.example"
# What owners write back, in their own words; each is one task event.
ANSWERS = ["进行中 30%", "已完成", "确认", "进行中，完成了60%", "收到，确认负责", "进度 80%"]


def server_config(tmp_path: Path, imap_url: str, smtp_url: str, *, poll: int = 60, tick: int = 3600,
                  hourly_cap: int | None = 1000000, org: dict | None = None, **sections: dict) -> Path:
    """The tests' site (apphelp.SITE) with its mailbox and SMTP at these URLs and the store in mf.db,
    for a daemon run as its own process; a None drops a key (hourly_cap=None: the default cap)."""
    return write_site(tmp_path, mailbox={"url": imap_url, "poll_interval": poll},
                      smtp={"url": smtp_url, "hourly_cap": hourly_cap}, store={"path": "mf.db"},
                      org=org, schedule={"tick_seconds": tick}, **sections)


def db_path(cfg: Path) -> Path:
    return cfg.parent / "mf.db"


def seed_tasks(cfg: Path, now: datetime, n_tasks: int, per_meeting: int = 4) -> list[tuple[int, str]]:
    """Meetings and tasks stored through the Store API; returns [(task_id, owner)]."""
    from mailflow.model import Attendee, Meeting, Role, Task
    from mailflow.edges.store import Store
    store = Store(db_path(cfg))
    out: list[tuple[int, str]] = []
    try:
        with store.transaction():
            for m_no in range(0, n_tasks, per_meeting):
                start = now + timedelta(days=60, hours=m_no % 5)
                owners = [OWNERS[(m_no + k) % len(OWNERS)] for k in range(per_meeting)]
                m = store.save_meeting(Meeting(
                    id=None, uid=f"fault-{m_no}@corp.example", title=f"项目周会 {m_no}", start=start,
                    end=start + timedelta(hours=1), host=HOST, recorder="sunli@corp.example",
                    attendees=[Attendee(HOST, Role.HOST), Attendee("sunli@corp.example", Role.RECORDER)]
                    + [Attendee(o, Role.REQUIRED) for o in dict.fromkeys(owners) if o != "sunli@corp.example"],
                    created_at=now - timedelta(days=1)), now)
                for k, owner in enumerate(owners):
                    if len(out) == n_tasks:
                        break
                    t = store.save_task(Task(id=None, title=f"行动项 {m_no}-{k}：整理方案", owner=owner,
                                             due=(now + timedelta(days=70)).date(), meeting_id=m.id,
                                             item_no=k + 1, created_at=now - timedelta(days=1)), now)
                    out.append((t.id, owner))
    finally:
        store.close()
    return out


def question(mid: str, body: str = "请问会议室在哪里？", sender: str = "zhangwei@corp.example") -> bytes:
    """A question (no task, no thread), Message-ID <mid@client.example>: the daemon answers it with help."""
    return make_mail(f"张伟 <{sender}>", f"{body}\n", subject=f"问题 {mid}", message_id=f"<{mid}@client.example>")


def reply_eml(n: int, task_id: int, owner: str, text: str, *, subject: str = "整理方案",
              tag: str = "fault") -> bytes:
    """Reply number `n` of a run (Message-ID <tag-n@client.example>), signed from a phone."""
    return make_mail(owner, f"{text}\n\n-- \n发自我的手机\n", to="会议跟进助手 <mailflow@corp.example>",
                     subject=f"回复：[MF-T{task_id}] {subject}", message_id=f"<{tag}-{n}@client.example>")


def deliver_many(dovecot, user: str, raws: list[bytes]) -> None:
    """Deliver into the user's Maildir as an MDA does (write in tmp/, rename into new/); Dovecot
    sees them at its next sync. APPEND costs ~4-12 ms a message here (Dovecot fsyncs), this ~0.1 ms."""
    if not dovecot.maildir(user).joinpath("new").is_dir():
        dovecot.append(user, raws[0])          # lets Dovecot create the Maildir, owned right
        raws = raws[1:]
    md = dovecot.maildir(user)
    host = socket.gethostname().replace("/", "_").replace(":", "_")
    stamp = int(time.time())
    for n, raw in enumerate(raws):
        data = raw.replace(b"\r\n", b"\n")
        name = f"{stamp}.M{n}P{os.getpid()}.{host},S={len(data)}"
        tmp = md / "tmp" / name
        tmp.write_bytes(data)
        os.chown(tmp, dovecot.uid, dovecot.gid)
        os.rename(tmp, md / "new" / name)


class Daemon:
    """`python -m mailflow run` as an operator starts it; log appended to daemon.log."""

    def __init__(self, cfg: Path, password: str, *args: str, env: dict | None = None):
        self.cfg, self.password, self.args = cfg, password, args
        self.env = env or {}
        self.proc: subprocess.Popen | None = None
        self.log_path = cfg.parent / "daemon.log"

    def start(self) -> "Daemon":
        env = {**os.environ, "MAILFLOW_IMAP_PASSWORD": self.password, "PYTHONFAULTHANDLER": "1", **self.env}
        log = open(self.log_path, "ab")
        # A pipe, copied to the file here: the daemon's own file-size limit (the disk-full test)
        # must not silence its log.
        self._log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.proc = subprocess.Popen([sys.executable, "-P", "-m", "mailflow", "--config", str(self.cfg), "run",
                                      *self.args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        proc = self.proc

        def copy() -> None:
            with log:
                for line in proc.stdout:
                    log.write(line)
                    log.flush()
        self._copier = threading.Thread(target=copy, daemon=True)
        self._copier.start()
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._drain()

    def _drain(self) -> None:
        if getattr(self, "_copier", None) is not None:
            self._copier.join(timeout=5)

    def stop(self, timeout: float = 10) -> int:
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        finally:
            self._drain()

    def wait_ready(self, timeout: float = 20) -> None:
        """Until its inbox worker connected (signal handlers are in place by then: a SIGTERM before
        that ends the process the default way, with -15)."""
        def ready() -> bool:
            with open(self.log_path, "rb") as f:
                f.seek(self._log_start)
                return b"IMAP connected" in f.read()
        wait_until(ready, timeout, what="daemon ready")

    def dump(self) -> str:
        """SIGABRT: faulthandler writes every thread's stack to the log, then the process dies."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGABRT)
            self.proc.wait(timeout=10)
            self._drain()
        return self.log()[-6000:]

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def mailbox_story(d: "Daemon", dovecot, user: str) -> str:
    """What a failed fault test needs to tell a flake from a bug: the daemon's log, Dovecot's log,
    the Maildir as files and the folder as IMAP shows it (read last: it makes Dovecot sync)."""
    md = dovecot.maildir(user)
    files = {sub: sorted(p.name for p in (md / sub).iterdir()) for sub in ("new", "cur", "tmp")
             if (md / sub).is_dir()}
    try:
        seen = {uid: flags for uid, (flags, _raw) in dovecot.messages(user).items()}
    except Exception as e:                     # the server may be the thing that is down
        seen = f"{type(e).__name__}: {e}"
    return (f"--- daemon log (tail)\n{d.log()[-5000:]}\n--- dovecot log (tail)\n{dovecot.logs()[-3000:]}"
            f"\n--- Maildir files\n{files}\n--- IMAP view now {{uid: flags}}\n{seen}")


def query(cfg: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Read the store from outside, as `sqlite3 mf.db` would (the daemon may be writing).

    Read-only on purpose, so plain sqlite3 with a URI (sqlite_utils.Database opens a path read-write):
    once the daemon is killed or stopped it is the file's only connection, and a read-write one
    would checkpoint the WAL as it closes, changing the very state the fault tests look at."""
    path = db_path(cfg)
    if not path.exists():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return []
        raise
    finally:
        conn.close()


def scalar(cfg: Path, sql: str, params: tuple = ()):
    rows = query(cfg, sql, params)
    return rows[0][0] if rows else None


def wait_until(predicate, timeout: float, step: float = 0.05, what: str = "") -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(step)
    raise AssertionError(f"not within {timeout}s{': ' + what if what else ''}")



def disk_full(daemon: Daemon, full: bool) -> None:
    """Make every file write of the running daemon fail as on a full disk, or stop doing so.

    RLIMIT_FSIZE (set from outside, like `prlimit --pid PID --fsize=1`): the kernel refuses any
    write at or past that offset with EFBIG, so SQLite's WAL appends fail exactly where ENOSPC
    would make them fail (SQLite reports "disk I/O error" instead of "database or disk is full").
    Python ignores SIGXFSZ, so the process is not killed by it. Only the soft limit changes, so no
    privilege is needed to lift it again."""
    import resource
    _soft, hard = resource.prlimit(daemon.proc.pid, resource.RLIMIT_FSIZE)
    resource.prlimit(daemon.proc.pid, resource.RLIMIT_FSIZE, (1 if full else hard, hard))


def mailflow_cli(cfg: Path, *args: str, password: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "MAILFLOW_IMAP_PASSWORD": password}
    return subprocess.run([sys.executable, "-P", "-m", "mailflow", "--config", str(cfg), *args], env=env,
                          capture_output=True, text=True, timeout=60)
