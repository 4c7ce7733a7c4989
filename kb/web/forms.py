"""Forms (WTForms through Flask-WTF, which also gives CSRF protection), with French messages."""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (BooleanField, HiddenField, IntegerField, PasswordField, SelectField, SelectMultipleField,
                     StringField, SubmitField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from ..records import MAX_ITEM_LENGTH, MAX_LENGTH

REQUIRED = "Ce champ est obligatoire."
CHANNEL_CHOICES = [SelectChoice("permanence", "Permanence téléphonique"), SelectChoice("mail", "Courrier / courriel"),
                   SelectChoice("bureau", "Réunion du bureau")]
ROLE_CHOICES = [SelectChoice("volunteer", "Bénévole"), SelectChoice("trainer", "Formateur"),
                SelectChoice("bureau", "Bureau"), SelectChoice("admin", "Administrateur")]


def too_long(limit: int) -> str:
    return f"Ce texte dépasse {limit} caractères."


def at_least_one_theme(_form, field) -> None:
    """Checked on the server only: an HTML `required` on each checkbox would demand every one of them."""
    if not field.data:
        raise StopValidation("Choisissez au moins un thème.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CaseFields(FlaskForm):
    """Everything a case has, whether the text is raw (first step) or anonymised (review step)."""
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=MAX_LENGTH["title"], message=too_long(MAX_LENGTH["title"]))])
    situation = TextAreaField("Situation", validators=[DataRequired(REQUIRED), Length(max=MAX_LENGTH["situation"], message=too_long(MAX_LENGTH["situation"]))])
    opinion = TextAreaField("Avis du bureau", validators=[Optional(), Length(max=MAX_LENGTH["opinion"], message=too_long(MAX_LENGTH["opinion"]))])
    themes = MultiCheckboxField("Thèmes", validators=[at_least_one_theme])
    sectors = StringField("Secteurs (séparés par des virgules)", validators=[Optional(), Length(max=1000, message=too_long(1000))])
    year = IntegerField("Année", validators=[Optional(), NumberRange(1900, 2100, "Une année entre 1900 et 2100.")],
                        default=lambda: date.today().year)
    channel = SelectField("Canal", choices=CHANNEL_CHOICES, default="permanence")
    legal_refs = TextAreaField("Références légales (une par ligne)", validators=[Optional(), Length(max=3000, message=too_long(3000))])

    def sector_list(self) -> list[str]:
        return list(dict.fromkeys(s.strip().lower()[:MAX_ITEM_LENGTH] for s in (self.sectors.data or "").split(",") if s.strip()))

    def legal_ref_list(self) -> list[str]:
        return list(dict.fromkeys(s.strip()[:MAX_ITEM_LENGTH] for s in (self.legal_refs.data or "").splitlines() if s.strip()))


class RawCaseForm(CaseFields):
    """Step one: the raw text, which lives only in this request and in the user's browser."""


class ReviewForm(CaseFields):
    """Step two: the anonymised text as the reviewer corrected it; only this is stored."""
    accept_residuals = BooleanField("J'ai vérifié : les éléments signalés ne permettent pas d'identifier quelqu'un.")
    reviewed = HiddenField(default="1")
    once = HiddenField()  # the intake's one-time token (kb/web/intake.py); empty on the other review pages


class LoginForm(FlaskForm):
    username = StringField("Identifiant", validators=[DataRequired(REQUIRED), Length(max=80, message=too_long(80))])
    password = PasswordField("Mot de passe", validators=[DataRequired(REQUIRED), Length(max=200, message=too_long(200))])


class PasswordForm(FlaskForm):
    current = PasswordField("Mot de passe actuel", validators=[DataRequired(REQUIRED), Length(max=200)])
    new = PasswordField("Nouveau mot de passe", validators=[DataRequired(REQUIRED), Length(max=200, message=too_long(200))])
    confirm = PasswordField("Confirmez le nouveau mot de passe",
                            validators=[DataRequired(REQUIRED), EqualTo("new", "Les deux mots de passe diffèrent.")])


class UserCreateForm(FlaskForm):
    username = StringField("Identifiant", validators=[DataRequired(REQUIRED), Length(max=80, message=too_long(80))])
    role = SelectField("Rôle", choices=ROLE_CHOICES, default="volunteer")


class UserUpdateForm(FlaskForm):
    role = SelectField("Rôle", choices=ROLE_CHOICES)
    active = BooleanField("Compte actif")


class SelectionForm(FlaskForm):
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200, message=too_long(200))])
    description = TextAreaField("Description (public, équipe, objectifs)", validators=[Optional(), Length(max=2000, message=too_long(2000))])
    shared = BooleanField("Partager avec les autres formateurs (lecture seule)")


class SelectionItemForm(FlaskForm):
    note = TextAreaField("Note du formateur", validators=[Optional(), Length(max=4000, message=too_long(4000))])
    questions = TextAreaField("Questions pour la discussion (une par ligne)", validators=[Optional(), Length(max=4000, message=too_long(4000))])


class ReportUploadForm(FlaskForm):
    """An activity report to turn into drafts; held in memory only (see KnowledgeBaseRequest)."""
    report = FileField("Rapport d'activités (PDF, TXT ou MD)", validators=[
        FileRequired("Choisissez un fichier."),
        FileAllowed(["pdf", "txt", "md"], "Seuls les fichiers PDF, TXT et MD sont acceptés.")])
    include_miscellaneous = BooleanField("Reprendre aussi les points de la rubrique « Divers »")
    preview = SubmitField("Aperçu (rien n'est enregistré)")
    submit = SubmitField("Importer dans la file de relecture")
