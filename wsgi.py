"""WSGI entry point: `gunicorn wsgi:app`, or `flask --app wsgi run`."""

from coopol import create_app

app = create_app()
