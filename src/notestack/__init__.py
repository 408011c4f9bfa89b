"""NoteStack: a notes-and-tasks service."""

__version__ = "1.0.0"
