"""The hub's message catalogues: every message translated into de and hu, and each .mo compiled from its
.po."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

HUB_TRANSLATIONS = Path(__file__).resolve().parents[2] / "services" / "hub" / "translations"


@pytest.mark.parametrize("lang", ["de", "hu"])
def test_every_hub_message_is_translated_and_compiled(lang):
    template = read_po((HUB_TRANSLATIONS / "messages.pot").open("rb"))
    catalog = read_po((HUB_TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb"))
    compiled = read_mo((HUB_TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").open("rb"))

    def entries(messages) -> dict:
        return {_key(m.id): _key(m.string) for m in messages if m.id}

    translated = entries(catalog)
    assert set(entries(template)) <= set(translated), "make translations"
    assert all(all(part for part in (s if isinstance(s, tuple) else (s,))) for s in translated.values())
    assert translated == entries(compiled), "the .mo is compiled from the .po"


def _key(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value
