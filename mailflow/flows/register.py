"""Builds the inbound chain (dispatch.Handlers) from the handlers the flow modules mark, by an
explicit call the App makes once — importing this module registers nothing.

It lives in flows/ because it only knows flows: every module of this package is imported and each
function marked with dispatch.on_reply / on_object / on_stray / on_new is added where its module
defines it (a handler imported into another module is not counted twice). A name registered twice
— two handlers for one reply kind, two new-thread handlers of one name — raises ValueError.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from . import dispatch

# Timeline modules that define rule conditions and actions (timeline.rules.collect gathers them from
# flow_modules(); importing them registers nothing).
TIMELINE_MODULES = ("mailflow.timeline.conditions", "mailflow.timeline.actions")


def flow_modules() -> list[ModuleType]:
    """Every module of flows/ (and the timeline's basic conditions and actions), imported, in name order."""
    package = importlib.import_module(__package__)
    names = sorted(f"{__package__}.{m.name}" for m in pkgutil.iter_modules(package.__path__))
    return [importlib.import_module(n) for n in [*TIMELINE_MODULES, *names]]


def build_handlers(modules: list[ModuleType] | None = None) -> dispatch.Handlers:
    """The inbound handlers of `modules` (default: every flow module) as one Handlers object."""
    handlers = dispatch.Handlers()
    for module in (flow_modules() if modules is None else modules):
        for fn in list(vars(module).values()):
            if callable(fn) and getattr(fn, "inbound", None) and getattr(fn, "__module__", None) == module.__name__:
                handlers.add(fn)
    return handlers
