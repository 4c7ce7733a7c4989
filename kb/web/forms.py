"""Forms (WTForms through Flask-WTF, which also gives CSRF protection), with French messages.

Messages name the field, never the value it holds (a value may be identifying); WTForms' own messages
come from its French catalogue, and its one message that quotes a value (an unknown choice) is replaced.
"""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (BooleanField, HiddenField, IntegerField, PasswordField, SelectField, SelectMultipleField,
                     StringField, SubmitField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from ..anonymization import lower_outside_placeholders
from ..models import ROLE_LABELS
from ..records import MAX_ITEM_LENGTH, MAX_LENGTH

REQUIRED = "Ce champ est obligatoire."
INVALID_CHOICE = "Ce choix n'est pas proposé : rechargez la page et choisissez à nouveau."
NUL_CHARACTER = ("Ce champ contient un caractère nul (\\0), qui ne peut pas être enregistré : "
                 "retirez-le (il vient souvent d'un copier-coller depuis un fichier binaire).")
CHANNEL_CHOICES = [SelectChoice("permanence", "Permanence téléphonique"), SelectChoice("mail", "Courrier / courriel"),
                   SelectChoice("bureau", "Réunion du bureau")]
ROLE_CHOICES = [SelectChoice(role, label) for role, label in ROLE_LABELS.items()]


class YearField(IntegerField):
    """A year typed in a box: a clear French message when it is not a number."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("Indiquez l'année en chiffres, par exemple 2021.") from exc

    def pre_validate(self, form) -> None:
        if self.process_errors:  # not a number: say so once, not also "between 1900 and 2100"
            raise StopValidation()


def too_long(limit: int) -> str:
    return f"Ce texte dépasse {limit} caractères."


def at_least_one_theme(_form, field) -> None:
    """Checked on the server only: an HTML `required` on each checkbox would demand every one of them."""
    if not field.data:
        raise StopValidation("Choisissez au moins un thème.")


def holds_nul(data) -> bool:
    """Whether a field's data (a text, or a list of texts) holds a NUL character."""
    items = data if isinstance(data, (list, tuple)) else [data]
    return any(isinstance(item, str) and "\x00" in item for item in items)


class Form(FlaskForm):
    """Every form of the app: WTForms' messages in French, and no field may hold a NUL character
    (PostgreSQL refuses it in text; nothing else could use it)."""

    class Meta:
        locales = ("fr_FR", "fr")

        def get_translations(self, form):
            # Flask-WTF looks for Flask-Babel, which the app does not use; WTForms ships French itself.
            return DefaultMeta.get_translations(self, form)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if holds_nul(field.data) or any(holds_nul(value) for value in getattr(field, "raw_data", None) or []):
                field.errors = [NUL_CHARACTER]
                valid = False
        return valid


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICE)  # WTForms' own quotes the values
        super().__init__(*args, **kwargs)


class CaseFields(Form):
    """Everything a case has, whether the text is raw (first step) or anonymised (review step)."""
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=MAX_LENGTH["title"], message=too_long(MAX_LENGTH["title"]))])
    situation = TextAreaField("Situation", validators=[DataRequired(REQUIRED), Length(max=MAX_LENGTH["situation"], message=too_long(MAX_LENGTH["situation"]))])
    opinion = TextAreaField("Avis du bureau", validators=[Optional(), Length(max=MAX_LENGTH["opinion"], message=too_long(MAX_LENGTH["opinion"]))])
    themes = MultiCheckboxField("Thèmes", validators=[at_least_one_theme])
    sectors = StringField("Secteurs (séparés par des virgules)", validators=[Optional(), Length(max=1000, message=too_long(1000))])
    year = YearField("Année", validators=[Optional(), NumberRange(1900, 2100, "Une année entre 1900 et 2100.")],
                        default=lambda: date.today().year)
    channel = SelectField("Canal", choices=CHANNEL_CHOICES, default="permanence", invalid_choice_message=INVALID_CHOICE)
    legal_refs = TextAreaField("Références légales (une par ligne)", validators=[Optional(), Length(max=3000, message=too_long(3000))])

    def typed_sectors(self) -> list[str]:
        """As typed (capitals help the anonymiser tell a name from a word)."""
        return list(dict.fromkeys(s.strip()[:MAX_ITEM_LENGTH] for s in (self.sectors.data or "").split(",") if s.strip()))

    def sector_list(self) -> list[str]:
        return list(dict.fromkeys(lower_outside_placeholders(s) for s in self.typed_sectors()))

    def legal_ref_list(self) -> list[str]:
        return list(dict.fromkeys(s.strip()[:MAX_ITEM_LENGTH] for s in (self.legal_refs.data or "").splitlines() if s.strip()))


class RawCaseForm(CaseFields):
    """Step one: the raw text, which lives only in this request and in the user's browser."""


class ReviewForm(CaseFields):
    """Step two: the anonymised text as the reviewer corrected it; only this is stored."""
    accept_residuals = BooleanField("J'ai vérifié : les éléments signalés ne permettent pas d'identifier quelqu'un.")
    reviewed = HiddenField(default="1")
    once = HiddenField()  # the intake's one-time token (kb/web/intake.py); empty on the other review pages
    # Drafts only: approving a draft needs the bureau's opinion, or this box ticked (kept with the case).
    no_opinion = BooleanField("Sans avis : le bureau n'a pas rendu d'avis sur cette situation")


class LoginForm(Form):
    username = StringField("Identifiant", validators=[DataRequired(REQUIRED), Length(max=80, message=too_long(80))])
    password = PasswordField("Mot de passe", validators=[DataRequired(REQUIRED), Length(max=200, message=too_long(200))])


class PasswordForm(Form):
    current = PasswordField("Mot de passe actuel", validators=[DataRequired(REQUIRED), Length(max=200)])
    new = PasswordField("Nouveau mot de passe", validators=[DataRequired(REQUIRED), Length(max=200, message=too_long(200))])
    confirm = PasswordField("Confirmez le nouveau mot de passe",
                            validators=[DataRequired(REQUIRED), EqualTo("new", "Les deux mots de passe diffèrent.")])


class UserCreateForm(Form):
    username = StringField("Identifiant", validators=[DataRequired(REQUIRED), Length(max=80, message=too_long(80))])
    role = SelectField("Rôle", choices=ROLE_CHOICES, default="volunteer", invalid_choice_message=INVALID_CHOICE)


class UserUpdateForm(Form):
    role = SelectField("Rôle", choices=ROLE_CHOICES, invalid_choice_message=INVALID_CHOICE)
    active = BooleanField("Compte actif")


class SelectionForm(Form):
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200, message=too_long(200))])
    description = TextAreaField("Description (public, équipe, objectifs)", validators=[Optional(), Length(max=2000, message=too_long(2000))])
    shared = BooleanField("Partager avec les autres formateurs (lecture seule)")


class SelectionItemForm(Form):
    note = TextAreaField("Note du formateur", validators=[Optional(), Length(max=4000, message=too_long(4000))])
    questions = TextAreaField("Questions pour la discussion (une par ligne)", validators=[Optional(), Length(max=4000, message=too_long(4000))])


class ReportUploadForm(Form):
    """An activity report to turn into drafts; held in memory only (see KnowledgeBaseRequest)."""
    report = FileField("Rapport d'activités (PDF, TXT ou MD)", validators=[
        FileRequired("Choisissez un fichier."),
        FileAllowed(["pdf", "txt", "md"], "Seuls les fichiers PDF, TXT et MD sont acceptés.")])
    include_miscellaneous = BooleanField("Reprendre aussi les points de la rubrique « Divers »")
    preview = SubmitField("Aperçu (rien n'est enregistré)")
    submit = SubmitField("Importer dans la file de relecture")
