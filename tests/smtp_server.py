"""A real SMTP server for the tests: aiosmtpd in a thread on 127.0.0.1, a free port, scriptable answers.

Use the ``smtp_sink`` fixture (plain SMTP, no AUTH) or ``smtp_sink_factory(**options)`` for AUTH or TLS::

    def test_x(smtp_sink):
        smtp_sink.script(["421 Service not available", "451 Try again later"])   # next two DATA answers
        ...                                   # send three times: 421, 451, then accepted
        assert smtp_sink.received_ids() == ["<a@corp.example>"]
        assert smtp_sink.connections == 2     # 421 closes the connection, as real servers do

    def test_auth(smtp_sink_factory):
        sink = smtp_sink_factory(users={"alice@corp.example": "s3cret"}, mechanisms=["LOGIN"])

Scripting (thread-safe, consumed in order, then the server answers normally):
  * ``script(replies, at="DATA")``: the next answers to DATA (or "MAIL", "RCPT") are these lines.
    A reply starting with 421 also closes the connection afterwards, like a real server.
  * ``stall(seconds, at="DATA")``: the next answer at that stage comes only after ``seconds``.
  * ``refuse(address, reply="550 5.1.1 No such user")``: RCPT for this address is always refused.
Server control: ``stop()``, ``start()`` (same port), ``restart()``; ``stop()`` closes open client
connections first, as a real server going down does.
Observations: ``messages`` (list of ``Received``), ``received_ids()``, ``duplicate_ids()``,
``connections`` (client connections accepted), ``logins`` ((mechanism, user, ok) tuples),
``wait_for(n, timeout)``.
"""

from __future__ import annotations

import asyncio
import collections
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

HOST = "127.0.0.1"
STAGES = ("MAIL", "RCPT", "DATA")


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    message_id: str | None
    login: str | None = None
    connection: int = 0  # which accepted connection (1-based) carried it
    received_at: float = field(default_factory=time.monotonic)


class _CountingSMTP(SMTP):
    """aiosmtpd's SMTP protocol, plus connection bookkeeping and 421-closes-the-connection."""

    def __init__(self, sink: "SmtpSink", *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sink = sink
        self.connection_number = 0

    def connection_made(self, transport):
        upgrade = self._original_transport is not None  # the same connection after STARTTLS
        super().connection_made(transport)
        if not upgrade:
            self.connection_number = self._sink._connection_made(self, transport)

    def connection_lost(self, error):
        self._sink._connection_lost(self)
        super().connection_lost(error)

    async def push(self, status):
        await super().push(status)
        text = status.decode("ascii", "replace") if isinstance(status, bytes) else status
        if text.startswith("421") and self.transport is not None:
            self.transport.close()


class _Handler:
    def __init__(self, sink: "SmtpSink"):
        self.sink = sink

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.sink.users and not session.authenticated:
            # aiosmtpd's own auth_required warns when TLS is not required too; the plain lab
            # listener offers AUTH without TLS on purpose, so the check is done here
            return "530 5.7.0 Authentication required"
        reply = await self.sink._scripted("MAIL")
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = await self.sink._scripted("RCPT") or self.sink._refused.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = await self.sink._scripted("DATA")
        if reply:
            return reply
        data = envelope.original_content or b""
        headers = BytesHeaderParser(policy=compat32).parsebytes(data)
        mid = headers.get("Message-ID")
        login = None
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            login = session.auth_data.login.decode("utf-8", "replace")
        self.sink._record(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                data=data,
                message_id=mid.strip() if mid else None,
                login=login,
                connection=getattr(server, "connection_number", 0),
            )
        )
        return f"250 2.0.0 OK queued as {len(self.sink.messages)}"


class _SinkController(Controller):
    def __init__(self, sink: "SmtpSink", **kwargs):
        self._sink = sink
        super().__init__(_Handler(sink), hostname=HOST, **kwargs)

    def factory(self):
        return _CountingSMTP(self._sink, self.handler, **self.SMTP_kwargs)

    def _trigger_server(self):
        # Learn the real port when started with port 0, and poke the server so aiosmtpd knows it works;
        # the poke is not counted as a client connection.
        if self.port == 0 and self.server is not None:
            self.port = self.server.sockets[0].getsockname()[1]
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as raw:
            raw.settimeout(2.0)
            raw.bind((HOST, 0))
            self._sink._ignored_peers.add(raw.getsockname())
            raw.connect((HOST, self.port))
            if self.ssl_context is not None:
                ctx = ssl.create_default_context()
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
                with ctx.wrap_socket(raw) as s:
                    s.recv(1024)
            else:
                raw.recv(1024)


_TLS_DIR: Path | None = None


def tls_files() -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1/localhost (made once per run with openssl)."""
    global _TLS_DIR
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    if _TLS_DIR is None:
        d = Path(tempfile.mkdtemp(prefix="mailflow-tls-"))
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem"), "-subj", "/CN=localhost",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            timeout=60,
        )
        _TLS_DIR = d
    return _TLS_DIR / "cert.pem", _TLS_DIR / "key.pem"


class SmtpSink:
    """A real aiosmtpd server on 127.0.0.1 that records what it receives. See the module docstring."""

    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        mechanisms: list[str] | None = None,
        tls: str = "none",
        port: int = 0,
        timeout: float = 30,
    ):
        if tls not in ("none", "ssl", "starttls"):
            raise ValueError("tls must be none, ssl or starttls")
        self.host = HOST
        self.port = port
        self.users = dict(users or {})
        self.mechanisms = [m.upper() for m in mechanisms] if mechanisms else None
        self.tls = tls
        self.server_timeout = timeout
        self.messages: list[Received] = []
        self.logins: list[tuple[str, str, bool]] = []
        self.connections = 0
        self._ignored_peers: set = set()
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._scripts: dict[str, collections.deque] = {s: collections.deque() for s in STAGES}
        self._refused: dict[str, str] = {}
        self._open: set[_CountingSMTP] = set()
        self._controller: _SinkController | None = None
        self.cafile: Path | None = None

    # -- life cycle --------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._controller is not None

    @property
    def url(self) -> str:
        scheme = {"none": "smtp", "ssl": "smtps", "starttls": "smtp+starttls"}[self.tls]
        return f"{scheme}://{self.host}:{self.port}"

    def start(self) -> "SmtpSink":
        if self._controller is not None:
            return self
        kwargs: dict = {"timeout": self.server_timeout, "data_size_limit": 50 * 1024 * 1024}
        if self.users:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=False)
            if self.mechanisms:
                offered = {"LOGIN", "PLAIN"}
                kwargs["auth_exclude_mechanism"] = sorted(offered - set(self.mechanisms))
        if self.tls != "none":
            cert, key = tls_files()
            self.cafile = cert
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(cert, key)
            if self.tls == "ssl":
                kwargs["ssl_context"] = ctx
            else:
                kwargs.update(tls_context=ctx, require_starttls=True)
                if self.users:
                    kwargs["auth_require_tls"] = True
        controller = _SinkController(self, port=self.port, ready_timeout=10, **kwargs)
        controller.start()
        self.port = controller.port
        self._controller = controller
        return self

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is None:
            return

        def close_clients():
            for proto in list(self._open):
                if proto.transport is not None:
                    proto.transport.abort()

        controller.loop.call_soon_threadsafe(close_clients)
        controller.stop()

    def restart(self, pause: float = 0.0) -> None:
        """Stop, optionally stay down for ``pause`` seconds, start again on the same port."""
        self.stop()
        if pause:
            time.sleep(pause)
        self.start()

    def __enter__(self) -> "SmtpSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- scripting ---------------------------------------------------------------------------------

    def script(self, replies: list[str], at: str = "DATA") -> None:
        """The next answers at stage ``at`` ("MAIL", "RCPT" or "DATA") are ``replies``, in order."""
        at = at.upper()
        if at not in STAGES:
            raise ValueError(f"at must be one of {STAGES}")
        for reply in replies:
            code = reply[:3]
            if not (code.isdigit() and code[0] in "2345"):
                raise ValueError(f"not an SMTP reply: {reply!r}")
        with self._lock:
            self._scripts[at].extend((0.0, r) for r in replies)

    def stall(self, seconds: float, at: str = "DATA", reply: str | None = None) -> None:
        """The next answer at stage ``at`` comes after ``seconds`` (then ``reply``, or the normal one)."""
        with self._lock:
            self._scripts[at.upper()].append((float(seconds), reply))

    def refuse(self, address: str, reply: str = "550 5.1.1 No such user") -> None:
        """Always refuse RCPT TO this address with ``reply``."""
        with self._lock:
            self._refused[address.lower()] = reply

    def clear(self) -> None:
        """Forget scripts, refusals and everything received."""
        with self._lock:
            for q in self._scripts.values():
                q.clear()
            self._refused.clear()
            self.messages.clear()
            self.logins.clear()
            self.connections = 0

    async def _scripted(self, stage: str) -> str | None:
        with self._lock:
            q = self._scripts[stage]
            if not q:
                return None
            delay, reply = q.popleft()
        if delay:
            await asyncio.sleep(delay)
        return reply

    # -- observations ------------------------------------------------------------------------------

    def received_ids(self) -> list[str | None]:
        """Message-IDs of the accepted messages, in arrival order (duplicates kept)."""
        with self._lock:
            return [m.message_id for m in self.messages]

    def duplicate_ids(self) -> list[str]:
        counts = collections.Counter(i for i in self.received_ids() if i)
        return sorted(i for i, n in counts.items() if n > 1)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Block until at least ``count`` messages arrived; AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"SMTP sink got {len(self.messages)} messages, wanted {count}")
                self._cond.wait(left)
            return list(self.messages)

    # -- called from the server thread -------------------------------------------------------------

    def _record(self, received: Received) -> None:
        with self._cond:
            self.messages.append(received)
            self._cond.notify_all()

    def _connection_made(self, proto: _CountingSMTP, transport) -> int:
        peer = transport.get_extra_info("peername")
        with self._lock:
            if peer in self._ignored_peers:
                self._ignored_peers.discard(peer)
                return 0
            self._open.add(proto)
            self.connections += 1
            return self.connections

    def _connection_lost(self, proto: _CountingSMTP) -> None:
        with self._lock:
            self._open.discard(proto)

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode("utf-8", "replace")
        ok = self.users.get(user) == auth_data.password.decode("utf-8", "replace")
        with self._lock:
            self.logins.append((mechanism, user, ok))
        return AuthResult(success=ok, handled=False, auth_data=auth_data)


@pytest.fixture
def smtp_sink():
    """A started plain SMTP sink without AUTH on 127.0.0.1; stopped after the test."""
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def smtp_sink_factory():
    """Make started sinks with options: ``smtp_sink_factory(users={...}, mechanisms=[...], tls="ssl")``."""
    sinks: list[SmtpSink] = []

    def make(**options) -> SmtpSink:
        sink = SmtpSink(**options).start()
        sinks.append(sink)
        return sink

    try:
        yield make
    finally:
        for sink in sinks:
            sink.stop()
