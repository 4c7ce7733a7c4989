"""The bureau extends the allow-list from the web; the anonymiser keeps those words from then on."""
from __future__ import annotations

from tests.test_web import review_fields

FORM = {"title": "Orientation", "situation": "La mère a été orientée vers Synapsis pour un accompagnement.",
        "themes": ["divers"], "channel": "mail", "year": "2024"}


def proposed_situation(client) -> str:
    return review_fields(client.post("/intake/", data=FORM).get_data(as_text=True))["situation"]


def test_bureau_adds_a_term_that_is_then_kept(client, client_as) -> None:
    assert "Synapsis" not in proposed_situation(client)  # an unknown capitalised name is masked by default
    assert client_as("volunteer").get("/bureau/allowlist").status_code == 403
    client.post("/bureau/allowlist", data={"entries": "Synapsis\n"})
    assert "Synapsis" in client.get("/bureau/allowlist").get_data(as_text=True)
    assert "vers Synapsis pour" in proposed_situation(client)
