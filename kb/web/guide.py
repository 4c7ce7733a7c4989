"""The user guide (/aide): what each page does for volunteers, trainers and the bureau, in French."""
from __future__ import annotations

from flask import Blueprint, render_template

from .security import ACCESS

bp = Blueprint("guide", __name__)
# Every logged-in user may read the guide. Registered here, with the page it guards, so that
# security.py keeps its list of the other pages untouched; the access-matrix test checks it too.
ACCESS.setdefault("guide.index", "volunteer")


@bp.get("/aide")
def index():
    return render_template("guide.html")
