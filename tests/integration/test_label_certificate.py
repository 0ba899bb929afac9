"""The label's certificate (issue 17 "What it must show"): the holder's member downloads it in Hungarian at
HU22 and German at AT12; `pdftotext` reads the number and the holder (ő and ű intact) from it, and its QR
code, rendered with `pdftoppm` and decoded with `zbarimg`, is the issuing site's verification address.
A suspended label has none (409); another organisation's member does not see it (404). On PostgreSQL and
SQLite."""
from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta

import pytest

from tests.support.label_certificate_sites import member_of, sites  # noqa: F401 - fixture

TOOLS = ("pdftotext", "pdftoppm", "zbarimg")


@pytest.fixture(scope="module", autouse=True)
def tools():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{missing} are needed (Debian poppler-utils, zbar-tools; .ci/run installs them)")


def read_back(pdf: bytes, tmp_path, name: str) -> tuple[str, list[str]]:
    """The PDF's text (pdftotext) and the QR codes found on its page rendered at 150 dpi (zbarimg)."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          timeout=60).stdout.decode()
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / name)],
                   check=True, timeout=60)
    codes = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / f"{name}.png")], capture_output=True,
                           timeout=60).stdout.decode().split("\n")
    return text, [code for code in codes if code]


@pytest.mark.parametrize("site_id, holder, words", [
    ("HU22", "Győri Asztalosműhely", ("Tanúsítvány", "Érvényes")),
    ("AT12", "Traisentaler Werkstatt", ("Zertifikat", "Gültig")),
])
def test_the_holders_member_downloads_the_certificate_in_its_language(sites, tmp_path, site_id, holder, words):
    site = sites[site_id]
    number = site.granted_label()
    lang = "hu" if site_id == "HU22" else "de"
    member = member_of(site, holder)
    member.get(f"/office/member/labels?lang={lang}")  # the labels page links the download and the badge's code
    assert f'href="/office/member/labels/{number}/certificate.pdf"' in member.page
    url = site.runtime.settings.site.url.rstrip("/")
    assert (f"&lt;a href=&#34;{url}/labels/verify?number={number}&#34;&gt;&lt;img src=&#34;{url}/labels/{number}"
            f"/badge.svg?lang={lang}&#34;") in member.page
    response = member.client.get(f"/office/member/labels/{number}/certificate.pdf?lang={lang}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == "application/pdf"
    assert f'filename="{number}-{lang}.pdf"' in response.headers["Content-Disposition"]
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF-")

    text, codes = read_back(pdf, tmp_path, f"{site_id}-{lang}")
    assert number in text and holder in text, text  # ő and ű of "Győri Asztalosműhely" as they are
    assert "Pallet furniture" in text
    for word in words:
        assert word in text, text
    assert codes == [f"{url}/labels/verify?number={number}"]

    # the other language on request, and the staff's download of the same label
    staff = site.browser()
    staff.login("approver")
    staff.get(f"/office/labels/number/{number}")
    assert f'href="/office/labels/number/{number}/certificate.pdf"' in staff.page
    english = staff.client.get(f"/office/labels/number/{number}/certificate.pdf?lang=en")
    assert english.status_code == 200
    text, codes = read_back(english.get_data(), tmp_path, f"{site_id}-en")
    assert "Certificate" in text and holder in text and codes == [f"{url}/labels/verify?number={number}"]


def test_a_suspended_label_has_no_certificate_and_another_member_sees_none(sites):
    site = sites["HU22"]
    number = site.granted_label()
    member = member_of(site, "Győri Asztalosműhely")
    stranger = member_of(site, "Zalai Ajándéktárgy Kft.")
    assert stranger.get(f"/office/member/labels/{number}/certificate.pdf").status_code == 404
    assert member.get("/office/member/labels/SOPRO-HU22-2026-9999/certificate.pdf").status_code == 404
    assert member.get("/office/member/labels/nonsense/certificate.pdf").status_code == 404

    until = (date.today() + timedelta(days=30)).isoformat()
    site.ok("POST", f"/labels/{number}/suspend", "approver", json={"until": until, "reason": "complaint"})
    member.get("/office/member/labels")
    assert f"/office/member/labels/{number}/certificate.pdf" not in member.page  # suspended: no download offered
    refused = member.get(f"/office/member/labels/{number}/certificate.pdf")
    assert refused.status_code == 409
    assert "Csak érvényes védjegyhez tartozik tanúsítvány." in member.page, member.page[:3000]
    staff = site.browser()
    staff.login("approver")
    assert staff.get(f"/office/labels/number/{number}/certificate.pdf").status_code == 409
    assert site.client.get(f"/office/labels/number/{number}/certificate.pdf").status_code in (302, 401)
