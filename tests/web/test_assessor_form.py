"""The assessor's form keeps what was recorded: after saving (and when coming back to revise an
assessed application) it shows the assessor's own scores and reasons, not an empty form."""
from __future__ import annotations

import re
from html import unescape

SCORES = {"scores.se_share.reason": "Stundenaufzeichnungen", "scores.regional_primary_products.score": "4",
          "scores.regional_primary_products.reason": "Rechnungen", "scores.resource_saving.score": "3",
          "scores.resource_saving.reason": "Besuch vor Ort", "scores.quality_innovation.score": "5",
          "scores.quality_innovation.reason": "Prüfbericht <Labor & Co>"}


def shown_values(page: str) -> dict[str, str]:
    """The assessment form's inputs and the value each shows."""
    inputs = re.findall(r'<input id="f-scores-[^"]+" name="(scores\.[^"]+)" type="text" value="([^"]*)"', page)
    return {name: unescape(value) for name, value in inputs}


def test_after_saving_the_assessor_sees_their_scores_and_can_revise_them(at12):
    app_id = at12.submitted_label_application()
    page = f"/office/labels/{app_id}"
    assessor = at12.browser()
    assessor.login("assessor")
    assessor.get(page)
    assert set(shown_values(assessor.page).values()) == {""}

    assert assessor.post(f"{page}/assessment", SCORES).status_code == 302
    assessor.get(page)
    assert shown_values(assessor.page) == SCORES

    revised = {**SCORES, "scores.resource_saving.score": "2", "scores.resource_saving.reason": "zweiter Besuch"}
    assert assessor.post(f"{page}/assessment", revised).status_code == 302
    assessor.get(page)
    assert shown_values(assessor.page) == revised
    recorded = at12.ok("GET", f"/label-applications/{app_id}", "admin")["assessment"]["scores"]
    assert recorded["resource_saving"] == {"score": 2, "reason": "zweiter Besuch"}


def test_a_refused_revision_shows_what_was_typed_not_what_is_on_record(at12):
    app_id = at12.submitted_label_application()
    page = f"/office/labels/{app_id}"
    assessor = at12.browser()
    assessor.login("assessor")
    assessor.get(page)
    assert assessor.post(f"{page}/assessment", SCORES).status_code == 302
    typed = {**SCORES, "scores.quality_innovation.score": "9"}
    assert assessor.post(f"{page}/assessment", typed).status_code == 422
    assert shown_values(assessor.page)["scores.quality_innovation.score"] == "9"
