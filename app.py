"""Flask entry point: `flask --app app run`, `flask --app app kb ...`."""
from kb.web import create_app

app = create_app()
