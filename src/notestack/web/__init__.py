"""Serving the built web client (frontend/dist) from the Python app."""
