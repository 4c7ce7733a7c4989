"""The placeholders the anonymiser writes ("[Personne A]", "[Numéro national]") and the French name of
each entity label, which the review pages show as the kind of a replacement."""
from __future__ import annotations

import re

#: Labels of entities that are numbered within a text: each person, place, organisation its own letter.
NUMBERED = {"PERSON": "Personne", "LOCATION": "Lieu", "ORG": "Organisation"}
#: Labels replaced by one fixed word: no identifier of these kinds is worth telling apart in a case.
FIXED = {"EMAIL": "Courriel", "PHONE": "Téléphone", "NATIONAL_ID": "Numéro national", "IBAN": "IBAN",
         "DATE": "Date", "FILE_NUMBER": "Numéro de dossier", "PLATE": "Plaque", "HANDLE": "Pseudo", "URL": "URL",
         "OTHER_ID": "Identifiant"}
#: Label -> its French name, as the placeholder writes it.
LABEL_NAMES = {**NUMBERED, **FIXED}
#: A placeholder's French name -> its label ("Personne" -> "PERSON").
LABEL_OF_NAME = {name: label for label, name in LABEL_NAMES.items()}

#: A placeholder: its kind, then its letter if numbered.
PLACEHOLDER_RE = re.compile(r"\[(?P<kind>[A-ZÀ-Ýa-zà-ÿ' ]+?)(?: (?P<letter>[A-Z]{1,3}))?\]")
