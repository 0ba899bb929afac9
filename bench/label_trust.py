"""The label's certificate and badge (issue 17) against the site's own answers for the same label.

- Badge: `GET /labels/<number>/badge.svg` (the label's state today, drawn as SVG in the page's language,
  no-cache + ETag) against `GET /api/v1/labels/<number>`, the JSON verification of the same row.
- Certificate: the PDF (reportlab, DejaVu Sans, the QR code drawn from segno's matrix) against the public
  verification page of the same label (`/labels/verify?number=`), an HTML page with the same facts.
Both through the site's Flask app on PostgreSQL, alternating in chunks so that noise hits both alike.
"""
from __future__ import annotations

import time
import uuid
from datetime import date, datetime, timezone

from bench.common import SITE, BenchEnv, Result
from services.bootstrap import bootstrap, create_app
from services.common.config import load_settings
from services.label import handlers
from services.label.certificate import CertifiedLabel, render_certificate, site_name

NAME = "label"
EVIDENCE = {"se_share": {"figure": "45"}, "regional_primary_products": {"figure": "60"},
            "resource_saving": {"figure": "3"}, "quality_innovation": {"documents": [{"sha256": "a" * 64, "size": 10}]}}
SCORES = {"se_share": {"reason": "r"}, "regional_primary_products": {"score": 4, "reason": "r"},
          "resource_saving": {"score": 3, "reason": "r"}, "quality_innovation": {"score": 4, "reason": "r"}}


def _granted(runtime) -> str:
    org = str(uuid.uuid4())
    now = datetime.now(timezone.utc)
    app = handlers.create_application(runtime.uow(), {
        "holder_organisation_id": org, "holder_name": "Győri Asztalosműhely Kft.", "product": "Tölgyfa pad",
        "cpv_codes": ["39100000"], "evidence": EVIDENCE}, "bench", org)
    handlers.submit_application(runtime.uow(), app.id, "bench", org)
    handlers.assess_application(runtime.uow(), app.id, "assessor", SCORES, now)
    return handlers.decide_application(runtime.uow(), app.id, "approver", "granted", "ok", date.today(), now)[1].number


def _alternate(n: int, chunk: int, one, other) -> tuple[float, float]:
    spent = [0.0, 0.0]
    for start in range(0, n, chunk):
        order = ((0, one), (1, other)) if (start // chunk) % 2 == 0 else ((1, other), (0, one))
        for slot, work in order:
            t0 = time.perf_counter()
            for _ in range(chunk):
                work()
            spent[slot] += time.perf_counter() - t0
    return n / spent[0], n / spent[1]


def _ok(response) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"{response.status_code}: {response.get_data(as_text=True)[:200]}")


def run(env: BenchEnv, quick: bool = False) -> list[Result]:
    n = 100 if quick else 400
    settings = load_settings(SITE, env={}, federation=env.federation, db_url=env.schema_url("label"),
                             bus_url="memory://", key_file=env.root / "keys" / f"{SITE}.pem", var_dir=env.root,
                             rate_limit="100000/minute", public_write_rate_limit="100000/minute")
    runtime = bootstrap(settings)
    env.engines.append(runtime.engine)
    app = create_app(runtime)
    client = app.test_client()
    number = _granted(runtime)
    badges, verifications = _alternate(n, 50, lambda: _ok(client.get(f"/labels/{number}/badge.svg?lang=hu")),
                                       lambda: _ok(client.get(f"/api/v1/labels/{number}")))
    label = handlers.find_label(runtime.engine, number)
    site = settings.site
    certified = CertifiedLabel(number=label.number, holder_name=label.holder_name, product=label.product,
                               catalogue_version=label.catalogue_version, valid_from=label.valid_from,
                               valid_until=label.valid_until, site_name=site_name(site), site_url=site.url)

    def certificate():
        with app.test_request_context("/"):
            render_certificate(certified, "hu")

    m = max(n // 4, 20)
    pdfs, pages = _alternate(m, 10, certificate,
                             lambda: _ok(client.get(f"/labels/verify?number={number}&lang=hu")))
    return [Result("label_badge", f"badge.svg, {n} requests", "req/s", badges, "JSON verification", verifications,
                   note=f"{1000 / badges:.2f} vs {1000 / verifications:.2f} ms per request"),
            Result("label_certificate", f"certificate PDF, {m} renders", "docs/s", pdfs, "verification page", pages,
                   note=f"{1000 / pdfs:.1f} ms per PDF vs {1000 / pages:.1f} ms per page")]
