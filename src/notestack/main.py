"""ASGI entry point: ``notestack.main:app``."""

from notestack.app import create_app

app = create_app()
