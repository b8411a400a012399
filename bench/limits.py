"""What one mail can cost: peak RSS and time of `Ingest.process_raw` for a 1 MB reply, mails at
the 25 MB limit (one 25 MB line of text; a 25 MB attachment), a mail over the limit, and a host's
invitation with 10,000 attendees. Each input runs in a fresh child process, whose peak RSS
(ru_maxrss) is compared with a baseline child that builds the same App and holds the same bytes
without processing them: the difference is what processing the mail costs.

    python bench/limits.py [--only NAME] [--mem-limit-mb 2000] [--timeout 240]

Children run with an address-space limit (--mem-limit-mb) and a time limit, so a regression shows
as "MemoryError" or "timeout" rather than taking the machine down. Target: peak ≤ 300 MB each.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HOST, NOW, SHARED, make_app, seed, tmpdir, verdict  # noqa: E402

TARGET_MB = 300
MB = 1024 * 1024


def _head(subject: str, mid: str, ctype: str, extra: str = "") -> bytes:
    return (f"From: 张伟 <zhangwei@corp.example>\r\nTo: {SHARED}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{mid}@client.example>\r\nDate: Fri, 20 Nov 2026 10:00:00 +0800\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: {ctype}\r\n{extra}\r\n").encode()


def reply_lines(size: int) -> bytes:
    """A reply whose quoted original runs to `size` bytes, in ordinary lines."""
    head = _head("回复：[MF-T1] 任务确认", "lines", "text/plain; charset=utf-8",
                 "Content-Transfer-Encoding: 8bit\r\n")
    quote = "> 请各位负责人于本周五下班前回复任务进度，写明确认、已完成或进行中。\r\n".encode()
    return head + "进行中 30%\r\n\r\n".encode() + quote * (size // len(quote))


def one_line(size: int) -> bytes:
    """The attacker's shape: one line of `size` bytes of Chinese text, no line breaks."""
    head = _head("回复：[MF-T1] 任务确认", "oneline", "text/plain; charset=utf-8",
                 "Content-Transfer-Encoding: 8bit\r\n")
    unit = "进行中 30% ".encode()
    return head + unit * ((size - len(head)) // len(unit))


def attachment(size: int) -> bytes:
    boundary = "b0undary"
    head = _head("回复：[MF-T1] 任务确认", "attach", f'multipart/mixed; boundary="{boundary}"')
    part = (f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n进行中 30%\r\n"
            f"--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
            f'Content-Disposition: attachment; filename="report.bin"\r\n\r\n').encode()
    line = b"QUJD" * 19 + b"\r\n"
    body = line * ((size - len(head) - len(part) - 20) // len(line))
    return head + part + body + f"--{boundary}--\r\n".encode()


def invitation(attendees: int) -> bytes:
    """The host's own calendar invitation to the shared mailbox, with `attendees` ATTENDEE lines."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//limits//EN", "METHOD:REQUEST", "BEGIN:VEVENT",
             "UID:limits-invite@corp.example", "SEQUENCE:0", "DTSTAMP:20261120T010000Z",
             "DTSTART;TZID=Asia/Shanghai:20261130T140000", "DTEND;TZID=Asia/Shanghai:20261130T150000",
             "SUMMARY:全员大会", f"ORGANIZER;CN=王磊:mailto:{HOST}",
             "ATTENDEE;ROLE=REQ-PARTICIPANT;CN=张伟:mailto:zhangwei@corp.example",
             "ATTENDEE;ROLE=REQ-PARTICIPANT;CN=李娜:mailto:lina@corp.example"]
    lines += [f"ATTENDEE;ROLE=REQ-PARTICIPANT;CN=User {i}:mailto:user{i}@corp.example" for i in range(attendees)]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    ics = ("\r\n".join(lines) + "\r\n").encode()
    return (f"From: 王磊 <{HOST}>\r\nTo: {SHARED}\r\nSubject: 邀请：全员大会\r\n"
            f"Message-ID: <invite-{attendees}@client.example>\r\nDate: Fri, 20 Nov 2026 10:00:00 +0800\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n").encode() + ics


INPUTS = {
    "reply 1 MB (quoted lines)": lambda: reply_lines(1 * MB),
    "25 MB of quoted lines": lambda: reply_lines(25 * MB - 4096),
    "one 25 MB line": lambda: one_line(25 * MB - 4096),
    "25 MB attachment": lambda: attachment(25 * MB - 4096),
    "27 MB (over the limit)": lambda: one_line(27 * MB),
    "invitation, 10,000 attendees": lambda: invitation(10_000),
}


def child(name: str, baseline: bool) -> None:
    raw = INPUTS[name]()
    d = tmpdir("mfbench-limits-")
    app, svc, _clock = make_app(d)
    seed(app.store, 1, 1)
    import gc
    gc.collect()
    t = time.perf_counter()
    status = "-" if baseline else svc.ingest.process_raw(raw, "bench", NOW)
    took = time.perf_counter() - t
    outbox = app.store.outbox_counts()
    print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "seconds": took, "status": status, "bytes": len(raw), "queued": sum(outbox.values())}))


def run_child(name: str, baseline: bool, mem_mb: int, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--child", name, "--mem-limit-mb", str(mem_mb)] + (["--baseline"] * baseline)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f}s"}
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": last[:120]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child")
    ap.add_argument("--baseline", action="store_true")
    ap.add_argument("--only")
    ap.add_argument("--mem-limit-mb", type=int, default=2000)
    ap.add_argument("--timeout", type=float, default=240)
    args = ap.parse_args()
    if args.child:
        resource.setrlimit(resource.RLIMIT_AS, (args.mem_limit_mb * MB, args.mem_limit_mb * MB))
        child(args.child, args.baseline)
        return
    print(f"{'input':<32} {'size':>8} {'baseline':>9} {'peak':>9} {'cost':>9} {'time':>8}  status")
    for name in INPUTS:
        if args.only and args.only not in name:
            continue
        base = run_child(name, True, args.mem_limit_mb, args.timeout)
        got = run_child(name, False, args.mem_limit_mb, args.timeout)
        if "error" in got or "error" in base:
            print(f"{name:<32} {'':>8} {base.get('peak_mb', 0):>7.0f}MB {'':>9} {'':>9} {'':>8}  "
                  f"{got.get('error') or base.get('error')}  MISS")
            continue
        cost = got["peak_mb"] - base["peak_mb"]
        print(f"{name:<32} {got['bytes'] / MB:>6.1f}MB {base['peak_mb']:>7.0f}MB {got['peak_mb']:>7.0f}MB "
              f"{cost:>+7.0f}MB {got['seconds']:>7.2f}s  {got['status']} ({got['queued']} queued)  "
              f"{verdict(got['peak_mb'] <= TARGET_MB)}")


if __name__ == "__main__":
    main()
