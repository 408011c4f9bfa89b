"""`make bench`: NoteStack's load, growth and front-end measurements (see bench/README.md)."""
