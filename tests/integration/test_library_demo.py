"""The demo's library items publish through the site's API with their reportlab PDFs, and are found."""
from __future__ import annotations

import io

import filetype

from services.demo.library import ITEMS, seed_library
from tests.support.sites import Site


class Http:
    """What seed_library calls (`requests`' post with data and files), over a site's test client."""

    def __init__(self, site: Site):
        self.site = site

    def post(self, url: str, data: dict, files: dict):
        body = {**data, **{k: (io.BytesIO(content), name) for k, (name, content, _type) in files.items()}}
        return self.site.call("POST", url.removeprefix("/api/v1"), data=body, content_type="multipart/form-data")


def test_the_demo_items_are_published_with_real_pdfs_and_found(make_settings, tmp_path):
    references = {}
    for site_id in ("AT12", "HU22"):
        site = Site(make_settings(site_id, db_url=f"sqlite:///{tmp_path / site_id}.sqlite"))
        references[site_id] = seed_library(Http(site), "", site_id, lambda resp: resp.json)
        assert len(references[site_id]) == len(ITEMS[site_id])
        for item in site.ok("GET", "/library-items", as_=None)["items"]:
            document = site.call("GET", f"/library-items/{item['id']}/document", as_=None, expect=200).data
            assert filetype.guess(document).mime == "application/pdf" and b"%PDF" == document[:4]
        if site_id == "HU22":
            found = site.ok("GET", "/library-items", as_=None, query_string={"q": "vállalkozásoknak"})["items"]
            assert [i["matched"] for i in found] == [["hu"]]
        else:
            found = site.ok("GET", "/library-items", as_=None, query_string={"q": "Beschäftigungsprojekt"})["items"]
            assert [i["kind"] for i in found] == ["master_thesis"]
