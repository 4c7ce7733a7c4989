"""The residual check, one family of signals at a time: what it must flag in an anonymised text, and
what it must leave alone. No test here loads the spaCy pipeline: the model's entities are written by
hand where a test needs them. Every name, number and place is invented for the tests."""
from __future__ import annotations

import logging

import pytest

from anonymizer import residual_check


def flagged(text: str, entities=None) -> list[str]:
    return [r.text for r in residual_check(text, entities)]


def kinds(text: str, entities=None) -> set[str]:
    return {r.kind for r in residual_check(text, entities)}


def ent(text: str, words: str, label: str) -> tuple[int, int, str]:
    start = text.index(words)
    return (start, start + len(words), label)


def assert_flags(text: str, expected: str, entities=None) -> None:
    found = residual_check(text, entities)
    assert any(r.start <= text.index(expected) < r.end for r in found), (expected, found)


def assert_quiet(text: str, entities=None) -> None:
    assert residual_check(text, entities) == [], residual_check(text, entities)


# ---------------------------------------------------------------- placeholders
def test_placeholders_of_the_anonymiser_and_of_writers_are_not_residuals():
    assert_quiet("[Personne A] a vu [Participant 2] et [Élève B] ; [Date Heure] [COMMUNE] ; Nom : [Nom], [âge] ans.")
    assert_quiet("[[Personne A] A] a appelé le CPAS.")  # a placeholder typed around one


def test_a_name_in_brackets_is_no_placeholder():
    assert_flags("Le père [Tshimanga] a appelé.", "Tshimanga")


# ---------------------------------------------------------------- shapes: numbers
@pytest.mark.parametrize("text,expected", [
    ("Il a laissé le 0478 92 11 03 au secrétariat.", "0478 92 11 03"),
    ("Tél. mère : 0498.l4.76.2l", "0498.l4.76.2l"),  # OCR reads 1 as l
    ("Nom relevé : DEBR0UX", "DEBR0UX"),
    ("tél zéro quatre sept huit douze trente-quatre", "zéro"),
    ("elle habite au numéro trente-quatre", "numéro trente-quatre"),
    ("rendez-vous le dix-huit juin", "dix-huit juin"),
    ("né le l2 février", "l2 février"),
])
def test_numbers_of_any_shape_are_flagged(text, expected):
    assert_flags(text, expected)


@pytest.mark.parametrize("text", [
    "Arriérés : 2 340,00 € ; RIS au taux isolé (1 263,17 € par mois) ; 1.263,17 ; 4.000 dollars.",
    "Score MMSE 17/30, une commune d'environ 1.400 habitants, un jeune de 22-23 ans.",
    "La loi de 1888 et l'art. 1675/2 du Code judiciaire ; voir aussi 2023 1.",
    "on parle du quatre cent cinquante-huit ter ou de l'état de nécessité",
    "Date : Tue, 10:31:07 +0100",
    "AR du l2 décembre l996 ; montant : l.6O3,l8 € / mois",
    "NOTIFICATI0N DE DÉCISI0N ; F1CHE DE LIAISON ; Éco1e",
])
def test_amounts_scores_years_counts_and_misread_words_are_not(text):
    assert_quiet(text)


# ---------------------------------------------------------------- shapes: user names and e-mail addresses
@pytest.mark.parametrize("text,expected", [
    ("son compte insta c'est dyl4n.b", "dyl4n"),
    ("elle poste sous ily_1080", "ily_1080"),
    ("écrire à jean point dupont arobase gmail point com", "dupont arobase gmail point com"),
    ("Il a changé de pseudo : @[Pseudo] puis k3vin_b", "k3vin_b"),
    ("« Sa voisine a les clés. » – posté par aidant_liegeois", "aidant_liegeois"),
])
def test_user_names_and_spelled_e_mails_are_flagged(text, expected):
    assert_flags(text, expected)


def test_a_masked_handle_and_a_column_name_are_not():
    assert_quiet("[Personne A] : @[Pseudo] ils peuvent pas nous dire ; colonnes : nom;derniere_adresse;remarque")


# ---------------------------------------------------------------- words: initials
@pytest.mark.parametrize("text,expected", [
    ("Point 2 : M.K. signale un souci.", "M.K."),
    ("JD propose de revoir la mère.", "JD"),
    ("Présents : CL, JM, la coordinatrice.", "CL"),  # "cl" is a word, but listed beside other initials
    ("Présents : la directrice, M.K., A-S.B., T.V. ; excusé : F.H.", "T.V."),  # TV, but listed
    ("avec l'école sans trahir la famille ?\nMdB, service d'aide à la jeunesse", "MdB"),
])
def test_initials_are_flagged(text, expected):
    assert_flags(text, expected)


@pytest.mark.parametrize("text", [
    "Je suis travailleuse médico-sociale (TMS) à l'ONE ; la TMS rappelle le cadre.",
    "Numéro SP : [Numéro de dossier] ; ITT : 5 jours ; R.Q. n° [Numéro de dossier].",
    "Objet : TR: question secret partagé ; voir le CSV en pièce jointe (PDF aussi).",
    "le SSM propose un suivi ; l'AS du CPAS et l'AMO ; Mail FR/NL",
])
def test_acronyms_are_not_initials(text):
    assert_quiet(text)


# ---------------------------------------------------------------- words: signatures and closings
@pytest.mark.parametrize("text,expected", [
    ("Merci de votre aide.\n— fz", "fz"),
    ("Je n'ai rien dit au téléphone.\nt.d.", "t.d."),
    ("sa démarche sera connue. » — cd", "cd"),
    ("Mag ik het dossier doorsturen? Met vriendelijke groeten, Lien\n---\nRéponse : non.", "Lien"),
    ("On se voit jeudi. Bises, véro", "véro"),
])
def test_signatures_are_flagged(text, expected):
    assert_flags(text, expected)


def test_a_closing_formula_alone_is_not_a_signature():
    assert_quiet("vous pouvez me rappeler au service merci bonne soirée")


# ---------------------------------------------------------------- words: names, communes, foreign letters
@pytest.mark.parametrize("text,expected", [
    ("Mme [Personne A] et son voisin Vanderstraeten sont passés.", "Vanderstraeten"),
    ("[Personne A] a vu kevin hier.", "kevin"),
    ("La famille renard-lefevre accueille [Personne A].", "renard-lefevre"),
    ("rendez-vous à montignies", "montignies"),
    ("voir si le cpas de liege peut ouvrir une adresse", "liege"),
    ("abri de nuit [Organisation A], Jambes", "Jambes"),
    ("Il a invoqué une saisie sur salaire de M. DUBOIS.", "DUBOIS"),
    ("Le dossier de Łukasz est suivi ; Yılmaz aussi.", "Łukasz"),
    ("[Numéro de dossier];[Personne D];Pascal;[Date]", "Pascal"),  # a frequent first name in a cell
    ("Son domicile est à Sankt Vith depuis mars.", "Sankt Vith"),
    ("Les deux, [Personne H] et Merveille, doivent signer.", "Merveille"),  # a word-name, no article before it
])
def test_names_and_communes_are_flagged(text, expected):
    assert_flags(text, expected)


@pytest.mark.parametrize("text", [
    "Elle a peur pour sa famille restée en Afghanistan ; son oncle vit en Turquie, sa sœur en Wallonie.",
    "Sent: Monday, 07:32 To: Service insertion ; Gesendet: Freitag ; Onderwerp: verhuis",
    "Réf. : [Numéro de dossier] ; Ch. 214 – bagarre ; Sit. : à revoir.",
    "Elle dort dans sa voiture, une Opel grise immatriculée [Plaque] ; lui passe en Audi grise immatriculée [Plaque].",
    "Il ne veut pas qu'il lise ce qu'il a raconté.",
    "La Ville nous demande une liste ; la psychologue de l'Autorité de protection des données répond.",
])
def test_countries_weekdays_abbreviations_makes_and_verbs_are_not(text):
    assert_quiet(text)


# ---------------------------------------------------------------- cues
@pytest.mark.parametrize("text,expected", [
    ("rappeler mr kabila demain", "kabila"),
    ("Ses parents, M. et Mme BONNET, exigent le dossier.", "BONNET"),
    ("la mère, Mme D., a appelé à 17 h", "D"),
    ("madame = esperance, 3 enfants : gloire 11a, prince 7a, merveille 2a.", "esperance"),
    ("madame = esperance, 3 enfants : gloire 11a, prince 7a, merveille 2a.", "prince"),
    ("Étaient aussi présents : [Personne D] gul, la grand-mère.", "gul"),
    ("Il se fait appeler dit « Greg » au foyer.", "Greg"),
    ("Nom : [Personne A]   Prénom : Précieuse", "Précieuse"),
    ("Étaient là [Personne A], gloire et [Personne C].", "gloire"),
    ("sa fille [Personne A] vit loin.\nVictoire nous supplie de ne rien dire.", "Victoire"),
    ("Il vit chez son père ; sa mère habite Sedan.", "Sedan"),
    ("Ze heeft een zoontje, Milan, 2 jaar.", "Milan"),
])
def test_words_that_a_cue_names_are_flagged(text, expected):
    assert_flags(text, expected)


@pytest.mark.parametrize("text", [
    "M. [Personne D] demande que le dossier soit revu ; Mme [Personne B] affirme le contraire.",
    "madame explique qu'elle a peur ; monsieur euh [Personne A] rappellera.",
    "la mère (38 ans), le père, les enfants (16 ans, 12 ans et 4 ans) ; gd mere mardi matin.",
    "Élève : [Personne E]    Classe : 2C ; Nom : [Nom]   Prénom : [Prénom]",
    "La famille hébergeuse rend un service précieux.",
    "Monsieur le Procureur, Madame la Présidente, je vous écris.",
])
def test_cues_followed_by_ordinary_words_are_not(text):
    assert_quiet(text)


# ---------------------------------------------------------------- nicknames and chat authors
@pytest.mark.parametrize("text,expected", [
    ("le père ([Personne C], « moustache » pour toute la famille)", "moustache"),
    ("Inconnu | « le Grand Polonais » | refuse hébergement", "Grand Polonais"),
    ("un autre locataire, « Coco », qui hébergerait [Personne D]", "Coco"),
    ("[Personne B] (le « Colonel ») se dispute avec [Personne A].", "Colonel"),
    ("Tshibanda 08:12 : bonjour madame", "Tshibanda"),
    ("[09:05] karim : on se voit demain ?", "karim"),
    ("« Mar 09:10 Zé : bom dia, le huissier a écrit »", "Zé"),
])
def test_nicknames_and_chat_authors_are_flagged(text, expected):
    assert_flags(text, expected)


@pytest.mark.parametrize("text", [
    "pour savoir si [Personne D] « est suivi » et s'il « devient fou »",
    "« Mar 09:25 [Organisation A] : N'envoyez rien. »\n[22:43] Éducatrice : Je suis là.",
    "La mère le demande et dit « délier » la travailleuse du secret.",
])
def test_quoted_words_and_roles_are_not(text):
    assert_quiet(text)


# ---------------------------------------------------------------- bodies and streets
@pytest.mark.parametrize("text,expected", [
    ("coordinateur, abri de nuit Le Phare", "Phare"),
    ("projet de l'asbl Un Toit Pour Toi depuis mars", "Toit Pour Toi"),
    ("jeugdhulpverlener bij CAW Oost-Brabant, afdeling JAC", "Oost-Brabant"),
    ("pour la réunion – SRG Les Hirondelles ([Lieu A])", "Les Hirondelles"),
    ("enfin [Lieu B], rue des, Marronniers, numéro trente-quatre.", "Marronniers"),
    ("die sinds kort in de Kerkstraat 27 wonen", "Kerkstraat 27"),
    ("chez sa grand mere a [Lieu B], rue des hayettes 112.", "rue des hayettes 112"),
    ("sous le pont du quai de la boverie, tres alcoolises", "quai de la boverie"),
])
def test_bodies_and_streets_are_flagged(text, expected):
    assert_flags(text, expected)


@pytest.mark.parametrize("text", [
    "Il est à la rue depuis 2016 ; l'équipe de rue d'hier soir.",
    "Elle cite Erving Goffman ; le formateur a cité Michel Foucault.",
    "leur passage par la route des Balkans ; une station de lavage ; le juge place Mme [Personne C].",
    "via la Banque-Carrefour de la Sécurité Sociale ; le SPF Économie ; un travail de rue, CPAS, relais santé.",
])
def test_verbs_and_common_phrases_are_not_streets(text):
    assert_quiet(text)


# ---------------------------------------------------------------- German and Dutch
@pytest.mark.parametrize("text,expected", [
    ("Herr [Personne G] hat geantwortet: « Ich kann ohne Laras Einverständnis nichts sagen ».", "Laras"),
    ("Frau Schröder möchte wissen, ob das Kind dem Schulsozialarbeiter etwas erzählt hat.", "Schröder"),
    ("De moeder en de kinderen verhuizen naar Anderlecht.", "Anderlecht"),
])
def test_names_in_german_and_dutch_sentences_are_flagged(text, expected):
    assert_flags(text, expected)


@pytest.mark.parametrize("text", [
    "Die Mutter ruft regelmäßig an, und der Vater weiß nichts von dem Bericht.",
    "Er lebt seit dem Tod seiner Frau allein. Mit freundlichen Grüßen",
    "De maatschappelijk werker van het OCMW vraagt of het CAW de moeder mag inlichten.",
    "Sehr geehrte Damen und Herren, ich bin Sozialarbeiterin.",
])
def test_german_and_dutch_nouns_are_not(text):
    assert_quiet(text)


# ---------------------------------------------------------------- the model's entities (written by hand)
def test_a_model_person_on_a_capitalised_name_mid_sentence_is_flagged():
    text = "Le rapport mentionne que Gloire ne mange plus à la cantine."
    assert_flags(text, "Gloire", [ent(text, "Gloire", "PER")])


def test_a_model_entity_is_cut_around_placeholders():
    text = "Vu avec [Personne A] Tshimbombo hier."
    found = residual_check(text, [ent(text, "[Personne A] Tshimbombo", "PER")])
    assert [r.text for r in found] == ["Tshimbombo"]


@pytest.mark.parametrize("text,words,label", [
    ("Le père veut savoir pourquoi\nUn jeune de 17 ans, en conflit avec ses parents, a fugué.", "Un jeune de 17 ans", "ORG"),
    ("Monsieur le Procureur, je vous écris.", "Monsieur le Procureur", "PER"),
    ("« 16:02 [Personne A] : slt jsuis passée jeudi »", "slt jsuis passée jeudi", "ORG"),
    ("Kind en Gezin volgt het gezin ook.", "Gezin volgt het gezin ook", "MISC"),
    ("Le formateur a cité le livre Surveiller et punir, puis Stigmate.", "Stigmate", "PER"),
])
def test_the_models_noise_is_not(text, words, label):
    assert_quiet(text, [ent(text, words, label)])


# ---------------------------------------------------------------- what a warning is
def test_overlapping_findings_are_one_warning_named_by_the_most_specific_kind():
    text = "Vu Mme Vandenbosch ce matin."
    found = residual_check(text, [ent(text, "Mme Vandenbosch", "PER")])
    assert len(found) == 1 and found[0].kind == "name-after-cue"


def test_a_warning_carries_only_its_own_words_and_nothing_is_logged(caplog):
    text = "Mme [Personne A] et son voisin Vanderstraeten (0471 22 33 44)."
    with caplog.at_level(logging.DEBUG):
        found = residual_check(text)
    assert found and all(r.text == text[r.start:r.end] for r in found)
    assert caplog.records == []
