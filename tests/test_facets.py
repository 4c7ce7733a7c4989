"""Facets are small classes (indexes/facets.py) that the page, /api/search and `kb search` all read:
the same filters, the same counts and one JSON shape in the three."""
from __future__ import annotations

import json

import pytest

from indexes.facets import FACETS, FILTER_PARAMS, YEAR, filters_from
from tests.conftest import case_row, write_jsonl

ROWS = [
    case_row("AV-2019-001", channel="permanence", legal_refs=["art. 458 Code pénal"], year=2019),
    case_row("AV-2021-001", channel="mail", legal_refs=["RGPD"], sectors=["cpas"], year=2021),
    case_row("AV-2023-001", channel="bureau", legal_refs=["art. 458 Code pénal"], sectors=["ssm"], year=2023,
             themes=["secret-professionnel"]),
]
HIT_KEYS = {"ref", "title", "score", "themes", "sectors", "year", "channel"}


@pytest.fixture
def loaded(runner, tmp_path):
    assert runner.invoke(args=["kb", "import", str(write_jsonl(tmp_path / "cases.jsonl", ROWS))]).exit_code == 0
    return runner


def cli_refs(runner, *args: str) -> list[str]:
    result = runner.invoke(args=["kb", "search", "--json", "adresse police", *args])
    assert result.exit_code == 0, result.output
    return sorted(r["ref"] for r in json.loads(result.output)["results"])


def web_refs(client, query: str) -> list[str]:
    return sorted(r["ref"] for r in client.get("/api/search?q=adresse+police&" + query).get_json()["results"])


@pytest.mark.parametrize(("cli_args", "query", "expected"), [
    (("--channel", "mail"), "channel=mail", ["AV-2021-001"]),
    (("--legal-ref", "RGPD"), "legal_ref=RGPD", ["AV-2021-001"]),
    (("--sector", "ssm"), "sector=ssm", ["AV-2023-001"]),
    (("--theme", "justice-police", "--year-from", "2020"), "theme=justice-police&year_from=2020", ["AV-2021-001"]),
    (("--year-from", "2023", "--year-to", "2019"), "year_from=2023&year_to=2019", ["AV-2019-001", "AV-2021-001", "AV-2023-001"]),
])
def test_the_page_the_api_and_the_cli_filter_alike(loaded, client, cli_args, query, expected) -> None:
    assert cli_refs(loaded, *cli_args) == expected
    assert web_refs(client, query) == expected


def test_one_json_shape_for_a_search_everywhere(loaded, client) -> None:
    api = client.get("/api/search?q=adresse+police&channel=mail").get_json()
    cli = json.loads(loaded.invoke(args=["kb", "search", "--json", "--channel", "mail", "adresse police"]).output)
    assert set(cli) == set(api) and cli["filters"] == api["filters"] == {
        "theme": [], "sector": [], "channel": ["mail"], "legal_ref": [], "year_from": None, "year_to": None}
    assert set(api["results"][0]) == HIT_KEYS | {"url"} and set(cli["results"][0]) == HIT_KEYS
    similar = client.get("/cases/AV-2019-001.json").get_json()["similar"]
    assert similar and all(set(s) == HIT_KEYS | {"url"} for s in similar)


def test_every_facet_is_counted_and_shown(loaded, client) -> None:
    facets = client.get("/api/search?q=adresse+police").get_json()["facets"]
    assert set(facets) == {f.field for f in FACETS}
    assert {v["value"]: v["count"] for v in facets["channel"]} == {"permanence": 1, "mail": 1, "bureau": 1}
    assert [v["value"] for v in facets["year"]] == ["2023", "2021", "2019"]  # the newest first
    page = client.get("/?q=adresse+police").get_data(as_text=True)
    for facet in FACETS:
        assert f"<h2>{facet.label}</h2>" in page


def test_filters_are_read_from_any_source_of_parameter_values() -> None:
    given = {"theme": ["a", "b"], "channel": ["mail", "bureau"], "legal_ref": [""]}
    kwargs, swapped = filters_from(lambda p: given.get(p, []), "2024", "2020")
    assert kwargs == {"themes": ("a", "b"), "sectors": (), "channel": "mail", "legal_ref": None,
                      "year_from": 2020, "year_to": 2024} and swapped
    assert set(FILTER_PARAMS) == {f.param for f in FACETS if f is not YEAR} | {"year_from", "year_to"}
