"""Timelines as data: rules/*.yaml become strictly validated Rule objects (rules), their moments
fall on working hours of working days (moments), tick planning says which rows may hold a due step
(plan), and due says which steps are due; the conditions and actions rules name decide over a
loaded snapshot: due reminders, the weekly progress request, overdue notices, escalation, digests.
Pure: a rule step is (ctx, step) -> Outcome; the tick at the edge (mailflow/tick.py) reads and writes.

Rule of the house: read/, flows/, timeline/, write/ never import edges/ (tests/test_layout.py).
"""
