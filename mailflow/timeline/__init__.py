"""Timelines as data: rules/*.yaml become validated Rule objects (rules), with the conditions
(conditions) and the actions (actions) they name: due reminders, the weekly progress request,
overdue notices, escalation and digests. Pure: a rule step is (ctx, step) -> Outcome, its moment
computed from working days.

Rule of the house: read/, flows/, timeline/, write/ never import edges/ (tests/test_layout.py).
"""
