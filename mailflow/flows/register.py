"""Imports every flow module so that their handlers, rule conditions and actions register.

Each flow registers with core (inbound handlers) and rules (conditions, actions) at import time.
"""

from ..timeline import conditions as basics  # noqa: F401
from . import meeting_changes, meeting_from_mail, meeting_reminders, meeting_rsvps  # noqa: F401
from . import minutes as minutes_flow  # noqa: F401
from . import task_decisions, task_receipts, task_status, task_stray, task_verification  # noqa: F401
from ..timeline import actions as timeline  # noqa: F401
