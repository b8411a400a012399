"""The authority gate: who the sender of one inbound mail is, decided once, before dispatch.

As in Mailman's chain, the questions every handler used to ask for itself are answered once per
mail by one pure function, `standing(directory, org, msg, route, task, meeting)`, and the answer (a
`Standing`) travels to the handlers in the Context:

- authenticated: with [org] trusted_authserv_id set, whether our own server's topmost
  Authentication-Results vouches for the From (read/authresults.py); without it every mail passes;
- the reply tokens in To/Cc (plus-addressing), checked once; `token_problem(task)` says whether one
  is forged or names another task or meeting;
- colleague: whether the sender is in people.yaml;
- roles: the capacities in which the sender acts for the task or meeting the mail was routed to —
  owner, owner's delegate, host, host's delegate, recorder, recorder's delegate, and the owner's
  manager answering the escalation mail about that task.

A handler that reaches another object than the routed one (the tasks a numbered answer lists, a
status matched outside its thread, the meeting a minutes draft names) asks `roles_for_task` /
`roles_for_meeting`, computed by the same rules. What each handler permits stays in the handler
(`may_change_task`, `decides`, … below name the usual combinations); what it answers a refused
sender stays there too (task_refusals.py and the meeting and minutes flows).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from .. import tokens
from ..model import Meeting, Task
from ..read import authresults
from ..read.people import Directory

if TYPE_CHECKING:
    from .dispatch import Context, Org, Route


class Role(str, Enum):
    """A capacity in which a sender acts for one task or meeting."""

    OWNER = "owner"
    OWNER_DELEGATE = "owner_delegate"
    HOST = "host"
    HOST_DELEGATE = "host_delegate"
    RECORDER = "recorder"
    RECORDER_DELEGATE = "recorder_delegate"
    MANAGER_ON_ESCALATION = "manager_on_escalation"


# Who may change a task: the owner's side, the host's side and the recorder (not the recorder's
# delegates, and not the manager outside the escalation's thread).
TASK_CHANGERS = frozenset({Role.OWNER, Role.OWNER_DELEGATE, Role.HOST, Role.HOST_DELEGATE, Role.RECORDER})
# Who verifies (验收) a task and moves or cancels a meeting: the host and the host's delegates.
HOST_SIDE = frozenset({Role.HOST, Role.HOST_DELEGATE})
OWNER_SIDE = frozenset({Role.OWNER, Role.OWNER_DELEGATE})
# Who decides for a task rather than asks: the host's side, the manager answering an escalation.
DECIDERS = HOST_SIDE | {Role.MANAGER_ON_ESCALATION}
# Who sends a meeting's minutes draft: the recorder or the host, or a delegate of either.
MINUTES_WRITERS = HOST_SIDE | {Role.RECORDER, Role.RECORDER_DELEGATE}


def _address(text: str | None) -> str:
    return (text or "").strip().lower()


def _delegate_of(directory: Directory, sender: str, principal: str) -> bool:
    return bool(principal) and principal in directory.delegators_of(sender)


def meeting_roles(directory: Directory, sender: str, meeting: Meeting | None) -> frozenset[Role]:
    """The sender's capacities for `meeting`: host, recorder, or a delegate of either."""
    sender = _address(sender)
    if not sender or meeting is None:
        return frozenset()
    host, recorder = _address(meeting.host), _address(meeting.recorder)
    roles = set()
    if host and sender == host:
        roles.add(Role.HOST)
    if _delegate_of(directory, sender, host):
        roles.add(Role.HOST_DELEGATE)
    if recorder and sender == recorder:
        roles.add(Role.RECORDER)
    if _delegate_of(directory, sender, recorder):
        roles.add(Role.RECORDER_DELEGATE)
    return frozenset(roles)


def owner_side(directory: Directory, task: Task, address: str | None) -> bool:
    """Whether `address` is the task's owner or one of the owner's delegates (by task_roles' rules)."""
    return bool(task_roles(directory, address or "", task, None) & OWNER_SIDE)


def manager_on_escalation(directory: Directory, task: Task, sender: str, answered: dict | None) -> bool:
    """The owner's manager answering the escalation mail about this task decides for it (a new date
    with a reason, a handover, "已完成，我确认"): the escalation asked her to. Only in that thread,
    and only the manager people.yaml names (or whoever the escalation went to when there is none)."""
    sender = _address(sender)
    if not sender or not answered or answered.get("kind") != "escalation" or answered.get("task_id") != task.id:
        return False
    manager = directory.manager_of(task.owner)
    if manager:
        return sender == manager.lower()
    try:
        sent_to = json.loads(answered.get("recipients") or "[]")
    except (TypeError, ValueError):
        sent_to = []
    return sender in [str(a).lower() for a in sent_to]


def task_roles(directory: Directory, sender: str, task: Task | None, meeting: Meeting | None,
               answered: dict | None = None) -> frozenset[Role]:
    """The sender's capacities for `task` (of `meeting`), in the thread of `answered`."""
    sender = _address(sender)
    if not sender or task is None:
        return frozenset()
    roles = set(meeting_roles(directory, sender, meeting))
    if sender == _address(task.owner):
        roles.add(Role.OWNER)
    if _delegate_of(directory, sender, _address(task.owner)):
        roles.add(Role.OWNER_DELEGATE)
    if manager_on_escalation(directory, task, sender, answered):
        roles.add(Role.MANAGER_ON_ESCALATION)
    return frozenset(roles)


def authenticated(msg: Any, org: "Org") -> bool:
    """With [org] trusted_authserv_id set, only mail whose From our own server vouches for
    (read/authresults.py: the topmost Authentication-Results of that server, parsed; dmarc=pass for
    the From domain or an aligned dkim=pass) may change anything. Without it every mail passes."""
    if not org.trusted_authserv_id:
        return True
    return authresults.from_domain_passes(getattr(msg, "authentication_results", []) or [],
                                          getattr(msg, "sender", "") or "", org.trusted_authserv_id)


def reply_tokens(msg: Any, org: "Org") -> tuple[tuple[str, tuple[str, int] | None], ...]:
    """Every reply token in To/Cc with what it checks out as (None: forged), when tokens are on
    (dispatch.route follows the first genuine one; the gate keeps them all for token_problem)."""
    if not (org.plus_addressing and org.secret):
        return ()
    found = []
    for addr in [*(msg.to or []), *(msg.cc or [])]:
        tok = tokens.token_in(addr, org.address)
        if tok:
            found.append((addr, tokens.check_token(org.secret, tok)))
    return tuple(found)


@dataclass(frozen=True)
class Standing:
    """What the gate decided about one inbound mail's sender (see the module's docstring)."""

    sender: str
    authenticated: bool
    colleague: bool
    roles: frozenset[Role] = frozenset()          # for the routed task, else the routed meeting
    task_id: int | None = None                    # the routed task the roles are about
    meeting_id: int | None = None                 # the routed meeting (or the routed task's meeting)
    meeting_roles: frozenset[Role] = frozenset()  # for that meeting
    tokens: tuple = ()                            # (address, (kind, id) or None when forged)
    answered: dict | None = field(default=None, repr=False)
    directory: Directory | None = field(default=None, repr=False, compare=False)

    def roles_for_task(self, task: Task, meeting: Meeting | None) -> frozenset[Role]:
        """The sender's capacities for `task`: decided before dispatch for the routed task, by the
        same rules for any other task a handler reaches."""
        if task.id is not None and task.id == self.task_id:
            return self.roles
        return task_roles(self.directory, self.sender, task, meeting, self.answered)

    def roles_for_meeting(self, meeting: Meeting | None) -> frozenset[Role]:
        if meeting is not None and meeting.id is not None and meeting.id == self.meeting_id:
            return self.meeting_roles
        return meeting_roles(self.directory, self.sender, meeting)

    # --- the usual questions ---------------------------------------------------------------
    def may_change_task(self, task: Task, meeting: Meeting | None) -> bool:
        """The owner, the owner's delegates, the host (and delegates) and the recorder."""
        return bool(self.roles_for_task(task, meeting) & TASK_CHANGERS)

    def owner_side(self, task: Task) -> bool:
        """The task's owner or one of the owner's delegates."""
        return bool(self.roles_for_task(task, None) & OWNER_SIDE)

    def host_side(self, meeting: Meeting | None) -> bool:
        """The host verifies (验收) tasks and moves or cancels the meeting; so may the host's
        delegates, who act for the host. The recorder writes the minutes but does not decide."""
        return bool(self.roles_for_meeting(meeting) & HOST_SIDE)

    def writes_minutes(self, meeting: Meeting | None) -> bool:
        """The recorder writes the minutes, or the host; so may a delegate of either."""
        return bool(self.roles_for_meeting(meeting) & MINUTES_WRITERS)

    def decides(self, task: Task, meeting: Meeting | None) -> bool:
        """Who decides for a task rather than asks: the host (and delegates), the owner's manager
        answering an escalation."""
        return bool(self.roles_for_task(task, meeting) & DECIDERS)

    def token_problem(self, task: Task) -> str | None:
        """A plus-address token on a mail routed to `task` must be genuine and name it (or its meeting)."""
        for addr, checked in self.tokens:
            if checked is None:
                return f"forged reply token in {addr}"
            kind, num = checked
            if not ((kind == "t" and num == task.id) or (kind == "m" and num == task.meeting_id)):
                return f"reply token {kind}{num} used on task {task.id}"
        return None


def standing(directory: Directory, org: "Org", msg: Any, route: "Route", task: Task | None,
             meeting: Meeting | None) -> Standing:
    """The gate, pure: one mail's sender for the task or meeting it was routed to (loaded by the
    caller; `meeting` is the routed meeting, or the routed task's)."""
    sender = _address(getattr(msg, "sender", ""))
    in_meeting = meeting_roles(directory, sender, meeting)
    return Standing(
        sender=sender, authenticated=authenticated(msg, org), colleague=directory.get(sender) is not None,
        roles=task_roles(directory, sender, task, meeting, route.answered) if task is not None else in_meeting,
        task_id=task.id if task is not None else None, meeting_id=meeting.id if meeting is not None else None,
        meeting_roles=in_meeting, tokens=reply_tokens(msg, org), answered=route.answered, directory=directory)


def routed(lookup: Any, route: "Route") -> tuple[Task | None, Meeting | None]:
    """The task a route names and its meeting (or, without a task, the routed meeting), loaded:
    what the gate decides about, read the same way by the task handlers (task_reading)."""
    task = lookup.get_task(route.task_id) if route.task_id is not None else None
    meeting_id = task.meeting_id if task is not None else route.meeting_id
    meeting = lookup.get_meeting(meeting_id) if meeting_id is not None else None
    return task, meeting


def decide(ctx: "Context", msg: Any, route: "Route") -> Standing:
    """Load what the route names from the context's lookup and pass the gate (dispatch calls this
    once per inbound mail, before any handler)."""
    task, meeting = routed(ctx.lookup, route)
    return standing(ctx.directory, ctx.org, msg, route, task, meeting)
