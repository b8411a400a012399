"""The edges: everything that touches disk, network or locks. store/ is the SQLite ledger (sqlite-
utils; one repository per table group behind one Store; one transaction per event), mailbox/ reads
IMAP or a Maildir, mailer/ sends over SMTP or into a Maildir (each a package: one interface, one
module per backend), urls reads what their URLs share, runlock keeps one daemon per store.

Rule of the house: read/, flows/, timeline/, write/ never import edges/ (tests/test_layout.py).
"""
