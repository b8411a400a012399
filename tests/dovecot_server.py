"""A real Dovecot IMAP server for the test suite, started from a generated config.

Usage in a test (the ``dovecot`` fixture is session-scoped; ``dovecot_user`` gives each test
its own fresh user and mailbox, so tests never see each other's mail)::

    @pytest.mark.servers
    def test_something(dovecot, dovecot_user):
        user, password = dovecot_user
        dovecot.append(user, b"Subject: hi\\r\\n\\r\\nbody\\r\\n")
        url = dovecot.url(user)                      # "imap://u-3@127.0.0.1:PORT/INBOX"
        inbox = open_inbox(url, password)

``Dovecot`` can also be used on its own (``with Dovecot() as d: ...``). Everything lives in a
temporary directory under /tmp (the ``dovecot`` user must be able to reach it, so never under
/root): config, passwd file, Maildirs, logs, pid file. Dovecot listens on 127.0.0.1 only, on free
ports: ``port`` (plain IMAP, STARTTLS offered when ``tls=True``) and ``ssl_port`` (IMAPS, only
when ``tls=True``; the self-signed certificate is ``cert_path``, valid for 127.0.0.1/localhost).

Methods: ``start()``, ``stop(kill=False)`` (SIGTERM like a service manager, ~1.1 s, then every
leftover process of its group is ended, so clients see their connections close; ``kill=True``
is a crash, ~10 ms), ``restart(kill=False)``, ``add_user(name=None, password=None)``,
``append(user, raw, folder="INBOX")`` (-> UID), ``messages(user, folder)`` (-> {uid: (flags,
raw)}), ``client(user)`` (a logged-in IMAPClient), ``url(user, folder, scheme)``,
``reset_uidvalidity(user, folder)`` (restarts; the folder gets a new UIDVALIDITY), ``logs()``
(Dovecot's log, with ``imap_id_log = *``), ``maildir(user, folder)`` (the directory).

Measured: start ~50 ms, stop ~1.1 s (SIGTERM), so share one server and use unique users.
Gotchas handled here: Dovecot keeps the caller's stdio open (it gets files), its master leaves
imap processes serving old connections after it exits (the whole process group is ended), a
passwd-file is re-read only when its mtime changes (one file per user), mail files must not
be owned by root (they belong to "nobody" when the suite runs as root).
Tests using it are skipped only when /usr/sbin/dovecot is missing (apt-get install dovecot-imapd).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

DOVECOT_BIN = os.environ.get("MAILFLOW_DOVECOT_BIN", "/usr/sbin/dovecot")
SKIP_REASON = f"{DOVECOT_BIN} not found: install it with `apt-get install dovecot-imapd`"


def dovecot_available() -> bool:
    return os.access(DOVECOT_BIN, os.X_OK)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _set_pdeathsig() -> None:  # pragma: no cover - runs in the child
    """Ask Linux to SIGTERM Dovecot if the test process dies without stopping it."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _adopt_orphans() -> None:
    """Make this process the reaper of its orphaned descendants (PR_SET_CHILD_SUBREAPER).

    When Dovecot's master is killed its children (imap, auth, log ...) are reparented; under a pid 1
    that never calls wait() (this machine's, and many containers') they stay zombies, and a zombie
    still answers kill(pid, 0). Dovecot's dotlocks trust that answer: a killed imap process that held
    dovecot-uidlist.lock looks alive, so the restarted server waits out the 2-minute stale timeout
    before it sees new mail (measured: SELECT took 124 s). Adopted here, they are reaped in stop()."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except Exception:
        pass


def _reap_group(pgid: int) -> None:
    """Collect the exit status of every dead process of group ``pgid`` that is our child."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-pgid, os.WNOHANG)[0]:
            pass


def _live_group_members(pgid: int) -> list[int]:
    """Pids in process group ``pgid`` that are not zombies (Linux /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state ppid pgrp ...
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            out.append(int(entry))
    return out


class Dovecot:
    """One Dovecot instance with its own config, users and Maildirs in a temporary directory."""

    def __init__(self, *, tls: bool = False, idle_notify_interval: str = "2 mins") -> None:
        self.tls = tls
        self.idle_notify_interval = idle_notify_interval
        self.dir = Path(tempfile.mkdtemp(prefix="mailflow-dovecot-", dir="/tmp"))
        os.chmod(self.dir, 0o755)
        self.host = "127.0.0.1"
        self.port = free_port()
        self.ssl_port = free_port() if tls else None
        self.users: dict[str, str] = {}
        self.proc: subprocess.Popen | None = None
        self._counter = itertools.count(1)
        if os.geteuid() == 0:
            # Dovecot refuses mail access as uid 0: the mail files belong to "nobody".
            nobody = pwd.getpwnam("nobody")
            self.uid, self.gid = nobody.pw_uid, nobody.pw_gid
            self.internal_user, self.login_user = "dovecot", "dovenull"
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
            me = pwd.getpwuid(self.uid).pw_name
            self.internal_user = self.login_user = me
        self.home_root = self.dir / "home"
        self.home_root.mkdir()
        os.chown(self.home_root, self.uid, self.gid)
        for sub in ("run", "state"):
            (self.dir / sub).mkdir()
        # One passwd-file per user: Dovecot re-reads a changed passwd-file only when its mtime
        # changes, which a user added within the same second would not be seen.
        self.passwd_dir = self.dir / "passwd.d"
        self.passwd_dir.mkdir()
        self.log_path = self.dir / "dovecot.log"
        self.config_path = self.dir / "dovecot.conf"
        self.cert_path = self.dir / "cert.pem"
        self.key_path = self.dir / "key.pem"
        if tls:
            self._make_cert()
        self._write_config()

    # ------------------------------------------------------------------ config
    def _make_cert(self) -> None:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", str(self.key_path), "-out", str(self.cert_path), "-days", "2",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            timeout=30,
        )
        os.chmod(self.key_path, 0o600)

    def _write_config(self) -> None:
        d = self.dir
        if self.tls:
            ssl = (f"ssl = yes\nssl_cert = <{self.cert_path}\nssl_key = <{self.key_path}\n"
                   "ssl_min_protocol = TLSv1.2\n")
            imaps = f"  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {self.ssl_port}\n  }}\n"
        else:
            ssl = "ssl = no\n"
            imaps = "  inet_listener imaps {\n    port = 0\n  }\n"
        self.config_path.write_text(f"""\
# Generated by tests/dovecot_server.py: a self-contained test server, ignores /etc/dovecot.
instance_name = {d.name}
base_dir = {d}/run
state_dir = {d}/state
log_path = {self.log_path}
info_log_path = {self.log_path}
protocols = imap
listen = 127.0.0.1
{ssl}disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {self.internal_user}
default_login_user = {self.login_user}
first_valid_uid = {min(self.uid, 500)}
first_valid_gid = {min(self.gid, 500)}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.passwd_dir}/%u
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={self.home_root}/%u
}}
mail_location = maildir:~/Maildir
imap_id_log = *
imap_idle_notify_interval = {self.idle_notify_interval}
mail_max_userip_connections = 50
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
{imaps}}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
""")

    # --------------------------------------------------------------- lifecycle
    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 10.0) -> None:
        if self.running:
            return
        _adopt_orphans()
        # Dovecot keeps the caller's stdio open: never hand it ours.
        with open(self.dir / "stderr.log", "ab") as err:
            self.proc = subprocess.Popen(
                [DOVECOT_BIN, "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL, stdout=err, stderr=err, preexec_fn=_set_pdeathsig,
                start_new_session=True,  # its own process group: stop() ends every process
            )
        deadline = time.monotonic() + timeout
        ports = [self.port] + ([self.ssl_port] if self.ssl_port else [])
        for port in ports:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"dovecot exited with {self.proc.returncode}:\n{self.logs()}")
                try:
                    with socket.create_connection((self.host, port), timeout=1):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        self.stop()
                        raise RuntimeError(f"dovecot did not listen on {port}:\n{self.logs()}")
                    time.sleep(0.02)

    def stop(self, timeout: float = 10.0, *, kill: bool = False) -> None:
        """Stop like a service manager does: SIGTERM to the master (~1.1 s), then end every
        process left in its process group. Dovecot's master leaves imap processes (and log,
        stats) running after it exits, so without this a "restarted" server would keep serving
        old connections. ``kill=True``: SIGKILL everything at once (a crash; ~10 ms)."""
        if self.proc is None:
            return
        pgid = self.proc.pid
        if self.proc.poll() is None and not kill:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        # Wait until the group is gone, so the port and the Maildir are free for a restart, and reap
        # it: a zombie would keep its dotlocks "alive" (_adopt_orphans). Zombies that are not ours to
        # reap (no subreaper support) do not count.
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            _reap_group(pgid)
            if not _live_group_members(pgid):
                break
            time.sleep(0.01)
        _reap_group(pgid)
        self.proc = None

    def restart(self, *, kill: bool = False) -> None:
        self.stop(kill=kill)
        self.start()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Dovecot":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()

    def logs(self) -> str:
        out = []
        for name in ("dovecot.log", "stderr.log"):
            p = self.dir / name
            if p.exists():
                out.append(p.read_text(errors="replace"))
        return "\n".join(out)

    # ------------------------------------------------------------------- users
    def add_user(self, name: str | None = None, password: str | None = None) -> tuple[str, str]:
        """Add a passwd-file user (no restart needed); returns (name, password)."""
        n = next(self._counter)
        name = name or f"u{n}-{os.getpid()}"
        password = password or f"pw-{n}-{os.urandom(4).hex()}"
        if not re.fullmatch(r"[A-Za-z0-9._@+-]+", name) or ":" in password or "\n" in password:
            raise ValueError(f"unsupported test user name or password: {name!r}")
        self.users[name] = password
        (self.passwd_dir / name).write_text(f"{name}:{{PLAIN}}{password}::::::\n")
        return name, password

    def maildir(self, user: str, folder: str = "INBOX") -> Path:
        root = self.home_root / user / "Maildir"
        return root if folder.upper() == "INBOX" else root / f".{self.imap_name(folder)}"

    @staticmethod
    def imap_name(folder: str) -> str:
        """This server's name for ``folder`` written with "/" (Maildir++ uses ".")."""
        return folder.replace("/", ".")

    def url(self, user: str, folder: str = "INBOX", scheme: str = "imap") -> str:
        from urllib.parse import quote

        port = self.ssl_port if scheme == "imaps" else self.port
        return f"{scheme}://{quote(user, safe='')}@{self.host}:{port}/{quote(folder)}"

    def client(self, user: str):
        """A logged-in imapclient connection (plain listener) for setting up or inspecting mail."""
        from imapclient import IMAPClient

        c = IMAPClient(self.host, self.port, ssl=False, timeout=10)
        c.login(user, self.users[user])
        return c

    def append(self, user: str, raw: bytes, folder: str = "INBOX", flags=()) -> int | None:
        """APPEND a message as another client would; returns its UID (from APPENDUID)."""
        folder = self.imap_name(folder)
        c = self.client(user)
        try:
            if folder.upper() != "INBOX" and not c.folder_exists(folder):
                c.create_folder(folder)
            resp = c.append(folder, raw, flags=flags)
        finally:
            with contextlib.suppress(Exception):
                c.logout()
        m = re.search(rb"APPENDUID \d+ (\d+)", resp if isinstance(resp, bytes) else str(resp).encode())
        return int(m.group(1)) if m else None

    def messages(self, user: str, folder: str = "INBOX") -> dict[int, tuple[tuple[bytes, ...], bytes]]:
        """{uid: (flags, raw)} of a folder, read over IMAP without changing anything."""
        folder = self.imap_name(folder)
        c = self.client(user)
        try:
            if not c.folder_exists(folder):
                return {}
            c.select_folder(folder, readonly=True)
            uids = c.search("ALL")
            data = c.fetch(uids, ["FLAGS", "BODY.PEEK[]"]) if uids else {}
            return {uid: (tuple(v[b"FLAGS"]), v[b"BODY[]"]) for uid, v in data.items()}
        finally:
            with contextlib.suppress(Exception):
                c.logout()

    def reset_uidvalidity(self, user: str, folder: str = "INBOX") -> None:
        """Make Dovecot give ``folder`` a new UIDVALIDITY, as after restoring it from a backup.

        Stops the server if running (connections drop), keeps only the message files (moved back
        to new/, flags and keywords dropped), deletes Dovecot's uid list and indexes, and starts
        it again if it was running. Every message then gets a new UID under a new UIDVALIDITY.
        """
        was_running = self.running
        self.stop()
        md = self.maildir(user, folder)
        for sub in ("cur", "new"):
            for f in list((md / sub).iterdir()) if (md / sub).is_dir() else []:
                os.rename(f, md / "new" / f.name.split(":", 1)[0])
        for f in md.iterdir():
            if f.is_file() and f.name.startswith("dovecot") and not f.name.startswith("dovecot-uidvalidity"):
                f.unlink()
        root = self.maildir(user)
        for f in root.iterdir():
            if f.is_file() and f.name.startswith("dovecot.list.index"):
                f.unlink()
        if was_running:
            self.start()


# --------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def dovecot():
    """A running Dovecot (plain IMAP on ``.port``, STARTTLS and IMAPS on ``.ssl_port``)."""
    if not dovecot_available():
        pytest.skip(SKIP_REASON)
    server = Dovecot(tls=shutil.which("openssl") is not None)
    try:
        server.start()
    except Exception:
        server.cleanup()
        raise
    yield server
    server.cleanup()


@pytest.fixture
def dovecot_server(dovecot):
    """The session server, guaranteed running at the start of the test (a previous test may
    have stopped it and failed before starting it again)."""
    if not dovecot.running:
        dovecot.start()
    return dovecot


@pytest.fixture
def dovecot_user(dovecot_server):
    """A fresh (user, password) with an empty mailbox on the running session server."""
    return dovecot_server.add_user()
