"""Recording a new opinion: raw text in, anonymised proposal, human review, then only the result is stored.

The raw text exists only in this request's memory and in the reviewer's browser form: it is never
written to the database, the index, a log or a session cookie.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from ..anonymization import TEXT_FIELDS, anonymize_cases
from ..records import CaseRecord
from .forms import RawCaseForm, ReviewForm

bp = Blueprint("intake", __name__, url_prefix="/intake")
LABELS = {"PERSON": "Personne", "LOCATION": "Lieu", "ORG": "Organisation", "EMAIL": "Courriel",
          "PHONE": "Téléphone", "NATIONAL_ID": "Numéro national", "IBAN": "IBAN", "DATE": "Date",
          "FILE_NUMBER": "Numéro de dossier", "PLATE": "Plaque", "HANDLE": "Pseudo", "URL": "Adresse web",
          "OTHER_ID": "Identifiant", "MANUAL": "Masqué à la main"}
FIELD_LABELS = {"title": "Titre", "situation": "Situation", "opinion": "Avis"}


def _theme_choices() -> list[tuple[str, str]]:
    kb = current_app.extensions["kb"]
    with kb.db.session() as session:
        return list(kb.theme_labels(session, include_retired=False).items())


@bp.route("/", methods=["GET", "POST"])
def new():
    """Step one: paste the raw text and classify it; submitting asks the anonymiser for a proposal."""
    form = RawCaseForm()
    form.themes.choices = _theme_choices()
    if not form.validate_on_submit():
        return render_template("intake.html", form=form)
    proposal = anonymize_cases([{name: getattr(form, name).data or "" for name in TEXT_FIELDS}])[0]
    review = ReviewForm(formdata=None, data={
        **{name: proposal.fields[name] for name in TEXT_FIELDS},
        "themes": form.themes.data, "sectors": form.sectors.data, "year": form.year.data,
        "channel": form.channel.data, "legal_refs": form.legal_refs.data,
    })
    review.themes.choices = form.themes.choices
    return render_template("review.html", form=review, replacements=proposal.replacements,
                           residuals={}, labels=LABELS, field_labels=FIELD_LABELS)


@bp.post("/save")
def save():
    """Step two: store the reviewed text, unless the residual check still finds something unresolved."""
    from anonymizer import residual_check

    kb = current_app.extensions["kb"]
    form = ReviewForm()
    form.themes.choices = _theme_choices()
    if not form.validate_on_submit():
        return render_template("review.html", form=form, replacements=[], residuals={},
                               labels=LABELS, field_labels=FIELD_LABELS), 400
    residuals = {name: residual_check(getattr(form, name).data or "") for name in TEXT_FIELDS}
    residuals = {name: found for name, found in residuals.items() if found}
    count = sum(len(found) for found in residuals.values())
    if count and not form.accept_residuals.data:
        return render_template("review.html", form=form, replacements=[], residuals=residuals,
                               labels=LABELS, field_labels=FIELD_LABELS), 409
    record = CaseRecord(
        ref="new", title=form.title.data.strip(), situation=form.situation.data.strip(),
        opinion=(form.opinion.data or "").strip(), themes=form.themes.data, sectors=form.sector_list(),
        year=form.year.data, channel=form.channel.data, legal_refs=form.legal_ref_list(),
    )
    ref = kb.create_case(record, actor=current_user.username)
    if count:
        kb.audit(current_user.username, "accept-residuals", case_ref=ref, detail=f"{count} warning(s) accepted")
    flash(f"Le cas {ref} a été enregistré.")
    return redirect(url_for("cases.show", ref=ref))
