"""NoteStack deployment tooling: the production topology as code (importable as `stack`)."""
