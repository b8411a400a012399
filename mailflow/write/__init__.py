"""Pure writers: facts in, bytes out. render fills the jinja2 templates into complete RFC 5322
messages with deterministic Message-IDs, ical_out builds invites and due entries (reading the
calendar parts that arrive is read/ical_in.py), xlsx writes tables that can never run a formula,
minutes_template is the fill-in template sent to the recorder.

Rule of the house: read/, flows/, timeline/, write/ never import edges/ (tests/test_layout.py).
"""
