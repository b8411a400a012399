"""Pure readers: bytes and text in, facts out. A mail's bytes become an Inbound (charsets, HTML,
quotes, signatures, auto-replies), a reply's new words become an intent, a deadline as people
write it becomes a due date on China's working-day calendar, a minutes draft (pasted, HTML, .docx
or .xlsx) becomes decisions and action items, a calendar part becomes attendees' answers or an
outside invitation (ical_in), and a name becomes a person of the directory. No disk, no network,
no clock: `now` is a parameter.

Rule of the house: read/, flows/, timeline/, write/ never import edges/ (tests/test_layout.py).
"""
