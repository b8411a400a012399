"""mailflow: runs the follow-up of cross-department meetings over plain email."""

__version__ = "0.1.0"
