"""Shared fixtures. Real-server fixtures live in their own modules and are imported here."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from smtp_server import smtp_sink, smtp_sink_factory  # noqa: E402,F401
from dovecot_server import dovecot, dovecot_server, dovecot_user  # noqa: E402,F401
