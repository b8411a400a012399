"""Shared fixtures. Real-server fixtures live in their own modules and are imported here.

Nothing here touches sys.path: pytest puts this folder (tests/) on it, so the helpers beside this
file (apphelp, faulthelp, smtp_server ...) import as siblings, and `mailflow` itself comes from
wherever pip installed it — never from the checkout (tests/test_installed.py checks).
"""

from smtp_server import smtp_sink, smtp_sink_factory  # noqa: F401
from dovecot_server import dovecot, dovecot_server, dovecot_user  # noqa: F401
