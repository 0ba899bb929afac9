"""One glossary across the sites' and the hub's catalogues: the same English text says the same in both,
and the federation's own terms are worded one way everywhere.

| English          | German              | Hungarian                | not (seen before)                          |
|------------------|---------------------|--------------------------|--------------------------------------------|
| label            | Gütesiegel          | védjegy                  | Siegel, címke                              |
| the label's name | „sozial-ökologisch produziert“ | „társadalmilag és ökológiailag felelősen előállított” | „szociálisan és ökológiailag előállított” |
| label register   | Gütesiegel-Register | védjegy-nyilvántartás    | Siegelregister, Védjegyjegyzék, Címkenyilvántartás |
| cross-border     | grenzüberschreitend | határon átnyúló          | határokon átnyúló                          |
| consortium       | Konsortium          | konzorcium               |                                            |
| social enterprise| Sozialunternehmen   | szociális vállalkozás    |                                            |
| enquiry          | Anfrage             | megkeresés               |                                            |
| site             | Servicestelle       | szolgáltatópont          | Standort, telephely, szolgáltatási pont    |
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

SERVICES = Path(__file__).resolve().parents[2] / "services"
SOFT_HYPHEN = "\u00ad"  # a narrow column's hyphenation hint, not a different word
CATALOGUES = {"sites": SERVICES / "web" / "translations", "hub": SERVICES / "hub" / "translations"}

# English (a pattern in the msgid) -> the word (stem) its translation uses, in German and Hungarian. "label"
# and "site" are checked by the words they must not be (NOT): "No label matches." may say "no results", and
# "site" is also a web site.
GLOSSARY = {
    r"\blabel register\b": {"de": "Gütesiegel-Register", "hu": "védjegy-nyilvántartás"},
    r"\bsocio-ecologically produced\b": {"de": "„sozial-ökologisch produziert“",
                                         "hu": "„társadalmilag és ökológiailag felelősen előállított”"},
    r"\bcross-border\b": {"de": "grenzüberschreitend", "hu": "határon átnyúló"},
    r"\bconsortium\b": {"de": "Konsorti", "hu": "konzorcium"},
    r"\bsocial enterprises?\b": {"de": "Sozialunternehmen", "hu": "szociális vállalkozás"},
    r"\benquir(y|ies)\b": {"de": "Anfrage", "hu": "megkeresés"},
}
# The other words for those terms that the catalogues used before.
NOT = {"de": re.compile(r"(?<!Güte)(?<!Güte-)[Ss]iegel|Standort"),
       "hu": re.compile(r"[Cc]ímk|[Tt]elephely|szolgáltatási pont|határokon átnyúló|[Jj]egyzék", re.I)}


def entries(catalogue: str, lang: str) -> dict[str, str]:
    """msgid -> msgstr; a plural entry by its singular, its forms joined."""
    with (CATALOGUES[catalogue] / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        po = read_po(fh, locale=lang)
    return {(m.id[0] if isinstance(m.id, (tuple, list)) else m.id):
            (" | ".join(m.string) if isinstance(m.string, (tuple, list)) else m.string).replace(SOFT_HYPHEN, "")
            for m in po if m.id}


@pytest.mark.parametrize("lang", ["de", "hu"])
def test_the_same_text_is_translated_alike_for_the_sites_and_the_hub(lang):
    sites, hub = entries("sites", lang), entries("hub", lang)
    differing = {msgid: (sites[msgid], hub[msgid]) for msgid in sites.keys() & hub.keys()
                 if sites[msgid] != hub[msgid]}
    assert differing == {}
    assert len(sites.keys() & hub.keys()) > 20, "the catalogues share their common words"


@pytest.mark.parametrize("catalogue", list(CATALOGUES))
@pytest.mark.parametrize("lang", ["de", "hu"])
def test_the_glossarys_terms_are_worded_one_way(catalogue, lang):
    texts = entries(catalogue, lang)
    other_words = {msgid: text for msgid, text in texts.items() if NOT[lang].search(text)}
    assert other_words == {}
    for english, word in GLOSSARY.items():
        missing = {msgid: text for msgid, text in texts.items()
                   if re.search(english, msgid, re.I) and word[lang].lower() not in text.lower()}
        assert missing == {}, english
