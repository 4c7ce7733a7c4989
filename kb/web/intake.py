"""Recording a new opinion: raw text in, anonymised proposal, human review, then only the result is stored.

The raw text exists only in this request's memory and in the reviewer's browser form: it is never
written to the database, the index, a log or a session cookie. The review step here is shared by
every path that stores reviewed text (new case, case edit, archive drafts).
"""
from __future__ import annotations

import re
import secrets
from typing import Callable

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from frenchtext.placeholders import LABEL_NAMES

from ..current import knowledge_base
from ..anonymization import LIST_FIELDS, TEXT_FIELDS, anonymize_cases
from ..records import CaseRecord
from . import warmup
from .forms import RawCaseForm, ReviewForm

bp = Blueprint("intake", __name__, url_prefix="/intake")
FIELD_LABELS = {"title": "Titre", "situation": "Situation", "opinion": "Avis", "sectors": "Secteurs",
                "legal_refs": "Références légales"}
REVIEWED_FIELDS = (*TEXT_FIELDS, *LIST_FIELDS)  # every field typed by a person, checked before saving


def theme_choices() -> list[SelectChoice]:
    return [SelectChoice(slug, label) for slug, label in knowledge_base().theme_choices().items()]


def review_page(form: ReviewForm, action: str, status: int = 200, replacements=(), residuals=None, heading=None,
                draft=None):
    return render_template("review.html", form=form, action=action, replacements=list(replacements),
                           residuals=residuals or {}, labels=LABEL_NAMES, field_labels=FIELD_LABELS,
                           heading=heading or "Relire l'anonymisation", draft=draft), status


def proposal_form(fields: dict[str, str], classification: dict) -> ReviewForm:
    form = ReviewForm(formdata=None, data={**fields, **classification})
    form.themes.choices = theme_choices()
    return form


def record_from(form: ReviewForm, ref: str = "new") -> CaseRecord:
    return CaseRecord(
        ref=ref, title=form.title.data.strip(), situation=form.situation.data.strip(),
        opinion=(form.opinion.data or "").strip(), themes=form.themes.data, sectors=form.sector_list(),
        year=form.year.data, channel=form.channel.data, legal_refs=form.legal_ref_list(),
    )


NO_OPINION_NEEDED = "Saisissez l'avis du bureau, ou cochez « Sans avis » si le bureau n'en a pas rendu."
NO_OPINION_CONFLICT = "Un avis est saisi : décochez « Sans avis », ou videz le champ Avis."


def save_reviewed(store: Callable[[CaseRecord, int], str], heading: str | None = None, draft=None):
    """Validate the posted review form, run the residual check, and store through `store(record,
    accepted warnings)` (which returns the case ref). Saving is blocked while a residual warning is
    neither resolved nor accepted; the service audits an acceptance as a count, never with the text. Approving a `draft` needs an opinion or
    the "sans avis" box (so an empty opinion reaching `store` means "sans avis")."""
    from anonymizer import get_anonymizer, residual_check

    form = ReviewForm()
    form.themes.choices = theme_choices()
    valid = form.validate_on_submit()
    if draft is not None and valid:
        opinion = (form.opinion.data or "").strip()
        if not opinion and not form.no_opinion.data:
            form.opinion.errors = [*form.opinion.errors, NO_OPINION_NEEDED]
            valid = False
        elif opinion and form.no_opinion.data:
            form.opinion.errors = [*form.opinion.errors, NO_OPINION_CONFLICT]
            valid = False
    if not valid:
        return review_page(form, request.path, 400, heading=heading, draft=draft)
    texts = [getattr(form, name).data or "" for name in REVIEWED_FIELDS]
    entities = get_anonymizer().model_entities(texts)  # the model's own reading: a second opinion
    residuals = {name: residual_check(text, found) for name, text, found in zip(REVIEWED_FIELDS, texts, entities)}
    residuals = {name: found for name, found in residuals.items() if found}
    count = sum(len(found) for found in residuals.values())
    if count and not form.accept_residuals.data:
        return review_page(form, request.path, 409, residuals=residuals, heading=heading, draft=draft)
    ref = store(record_from(form), count)
    return redirect(url_for("cases.show", ref=ref))


@bp.route("/", methods=["GET", "POST"])
def new():
    """Step one: paste the raw text and classify it; submitting asks the anonymiser for a proposal."""
    form = RawCaseForm()
    form.themes.choices = theme_choices()
    if not form.validate_on_submit():
        warmup.start_loading()  # the model loads while the text is pasted (once per worker)
        return render_template("intake.html", form=form, model_ready=warmup.is_ready())
    raw = {name: getattr(form, name).data or "" for name in TEXT_FIELDS}
    proposal = anonymize_cases([{**raw, "sectors": form.typed_sectors(), "legal_refs": form.legal_ref_list()}])[0]
    review = proposal_form(proposal.fields, {
        "themes": form.themes.data, "sectors": ", ".join(proposal.lists["sectors"]), "year": form.year.data,
        "channel": form.channel.data, "legal_refs": "\n".join(proposal.lists["legal_refs"])})
    review.once.data = secrets.token_urlsafe(24)  # one case per review form, however often it is sent
    return review_page(review, url_for("intake.save"), replacements=proposal.replacements)


@bp.get("/model-status")
def model_status():
    """{"ready": bool}: whether this worker's anonymiser model is loaded (polled by static/model-status.js).
    Asking starts the load too, in the worker that answers."""
    warmup.start_loading()
    response = jsonify({"ready": warmup.is_ready()})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/save")
def save():
    """Step two: store the reviewed text as a new case. A form sent a second time (its token is
    recorded with the case, in the same transaction) shows the case it created instead."""
    kb = knowledge_base()
    token = request.form.get("once", "")
    token = token if re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token) else None
    done = kb.case_of_form(token) if token else None
    if done:
        flash(f"Ce formulaire a déjà été enregistré : voici le cas {done}.")
        return redirect(url_for("cases.show", ref=done))

    def store(record: CaseRecord, accepted_warnings: int) -> str:
        ref = kb.create_case(record, actor=current_user.username, form_token=token, accepted_warnings=accepted_warnings)
        flash(f"Le cas {ref} a été enregistré.")
        return ref

    return save_reviewed(store)
