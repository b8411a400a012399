"""Pure flows: (state, event, now) -> Outcome. dispatch routes an inbound mail to its handler, gate
decides once who its sender is (authenticated? owner, delegate, host, recorder, manager?), and meetings, minutes and tasks decide
what a mail changes and which mails to send; answers and due_entries are what those mails offer
back. A flow reads state only from the Snapshot it is given, loaded before the call (a read nobody
loaded raises NotLoaded), and returns the objects to store and the mails to queue; the daemon
commits them in one transaction.

Rule of the house: read/, flows/, timeline/, write/ never import edges/ (tests/test_layout.py).
"""
