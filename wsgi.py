"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi run`."""

from complaints import create_app

app = create_app()
