"""Shared fixtures. They live in the helper modules beside this file and are imported here: the real
servers (smtp_server, dovecot_server) and the minutes flow's `world` (minuteshelp).

Nothing here touches sys.path: pytest puts this folder (tests/) on it, so the helpers beside this
file (apphelp, faulthelp, smtp_server ...) import as siblings, and `mailflow` itself comes from
wherever pip installed it — never from the checkout (tests/test_installed.py checks).
"""

from smtp_server import smtp_sink, smtp_sink_factory  # noqa: F401
from dovecot_server import dovecot, dovecot_server, dovecot_user  # noqa: F401
from minuteshelp import world  # noqa: F401  (the minutes flow: test_minutes_flow, test_days_off)
