"""How mailflow logs: one line per event on stderr, plain or one JSON object per line (--log-json).

Set up once by the command line; the daemon and the flows only call logging.getLogger("mailflow").
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"ts": datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="seconds"),
                "level": record.levelname.lower(), "msg": record.getMessage()}
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


# What -vv adds: the IMAP conversation (imapclient logs imaplib's lines, LOGIN and AUTHENTICATE
# redacted by its IMAPlibLoggerAdapter), and aiosmtplib's lines should a version log any (5.x logs
# none: the SMTP edge's own lines come with -v). Mail content shows up there.
PROTOCOL_LOGGERS = ("imapclient", "aiosmtplib")


def setup_logging(json_lines: bool, verbose: int) -> None:
    """0: what happened (INFO); -v: why, step by step (mailflow's DEBUG); -vv: also the protocol."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"
                                           if verbose > 1 else "%(asctime)s %(levelname)s %(message)s",
                                           "%Y-%m-%dT%H:%M:%S"))
    for name in ("mailflow", *PROTOCOL_LOGGERS):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
    logging.getLogger("mailflow").setLevel(logging.DEBUG if verbose >= 1 else logging.INFO)
    for name in PROTOCOL_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose >= 2 else logging.WARNING)
