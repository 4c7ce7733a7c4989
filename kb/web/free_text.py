"""The residual check on free text that trainers and the bureau write themselves (selection titles,
descriptions, notes and questions, report summaries, theme labels): a warning before saving, as the
intake gives, with the text kept in the form for a correction. The text is checked, never logged.
"""
from __future__ import annotations

from flask import render_template, request

ACCEPT = "accept_residuals"


def warn_before_saving(fields: dict[str, str], labels: dict[str, str]):
    """None when the text may be saved (nothing flagged, or the writer confirmed); otherwise the page
    that lists what looks identifying, the fields to correct and the other values posted, to send again."""
    from anonymizer import residual_check

    if request.form.get(ACCEPT):
        return None
    found = {name: residual_check(text or "") for name, text in fields.items()}
    found = {name: residuals for name, residuals in found.items() if residuals}
    if not found:
        return None
    others = [(key, value) for key, value in request.form.items(multi=True) if key not in fields and key != ACCEPT]
    return render_template("free_text_check.html", fields=fields, labels=labels, residuals=found, others=others,
                           action=request.path), 409

