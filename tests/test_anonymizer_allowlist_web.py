"""The bureau extends the allow-list from the web; the anonymiser keeps those words from then on."""
from __future__ import annotations


def test_bureau_adds_a_term_that_is_then_kept(client, client_as) -> None:
    text = "La mère a été orientée vers Synapsis pour un accompagnement."
    before = client.post("/intake/", data={"title": "Orientation", "situation": text, "themes": ["divers"],
                                           "channel": "mail", "year": "2024"}).get_data(as_text=True)
    assert "Synapsis" not in before  # an unknown capitalised name is masked by default
    assert client_as("volunteer").get("/bureau/allowlist").status_code == 403
    client.post("/bureau/allowlist", data={"entries": "Synapsis\n"})
    assert "Synapsis" in client.get("/bureau/allowlist").get_data(as_text=True)
    after = client.post("/intake/", data={"title": "Orientation", "situation": text, "themes": ["divers"],
                                          "channel": "mail", "year": "2024"}).get_data(as_text=True)
    assert "vers Synapsis pour" in after
