"""What a service refuses, in the domain's words; the web turns them into 404 and 403 pages."""
from __future__ import annotations


class NotFound(LookupError):
    """The thing asked for does not exist, or the asker may not know that it does."""


class Forbidden(PermissionError):
    """The asker may see the thing but not change it."""
