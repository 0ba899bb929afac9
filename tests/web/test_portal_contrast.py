"""Text in the style sheet's colours is readable: WCAG 2.x AA contrast (4.5:1 for normal text), computed
from the colours sopro.css declares. The orange cross-border tag was 3.89:1."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import services.web

CSS = (Path(services.web.__file__).parent / "static" / "sopro.css").read_text(encoding="utf-8")
AA_NORMAL_TEXT = 4.5
RULE = re.compile(r"([^{}]+)\{([^}]*)\}")
VARIABLES = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})", CSS))
# Text and background from different rules: the colours that meet on a page.
PAIRS = [("body", "var(--ink)", "var(--bg)"), (".muted on a card", "var(--muted)", "var(--card)"),
         ("th", "var(--muted)", "#fafbfa"), (".office-nav a", "#fff", "var(--brand-dark)"),
         ("button.primary", "#fff", "var(--brand)"), ("a on a card", "var(--brand-dark)", "var(--card)")]


def hex_colour(value: str) -> str | None:
    value = value.strip()
    named = re.fullmatch(r"var\((--[\w-]+)\)", value)
    value = VARIABLES.get(named.group(1), "") if named else value
    if not re.fullmatch(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}", value):
        return None
    digits = value[1:]
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits).lower()


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def rules_with_text_and_background() -> list[tuple[str, str, str]]:
    found = []
    for selector, body in RULE.findall(CSS):
        declared = dict(re.findall(r"(?:^|;)\s*(color|background(?:-color)?):\s*([^;]+)", body))
        text, background = hex_colour(declared.get("color", "")), hex_colour(
            declared.get("background", declared.get("background-color", "")))
        if text and background:
            found.append((selector.strip(), text, background))
    return found


def test_the_wcag_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#b5651d", "#fdf1e3") == pytest.approx(3.89, abs=0.01)  # the old orange tag


def test_the_cross_border_tag_is_readable():
    tag = [rule for rule in rules_with_text_and_background() if rule[0] == ".tag.warn"]
    assert tag and contrast(tag[0][1], tag[0][2]) >= AA_NORMAL_TEXT


@pytest.mark.parametrize("selector, text, background", rules_with_text_and_background()
                         + [(name, hex_colour(t), hex_colour(b)) for name, t, b in PAIRS])
def test_every_text_colour_is_readable_on_its_background(selector, text, background):
    assert contrast(text, background) >= AA_NORMAL_TEXT, f"{selector}: {contrast(text, background):.2f}:1"
