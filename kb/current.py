"""The knowledge base of the running Flask app: the one way blueprints and commands reach it."""
from __future__ import annotations

from flask import current_app

from .services import KnowledgeBase


def knowledge_base() -> KnowledgeBase:
    return current_app.extensions["kb"]
