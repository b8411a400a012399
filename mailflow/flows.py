"""Imports every flow module so that their handlers, rule conditions and actions register.

Each flow registers with core (inbound handlers) and rules (conditions, actions) at import time.
"""

from . import basics  # noqa: F401
from . import meetings  # noqa: F401
from . import minutes_flow  # noqa: F401
from . import tasks  # noqa: F401
from . import timeline  # noqa: F401
