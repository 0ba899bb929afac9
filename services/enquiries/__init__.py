"""Brokerage at a site: enquiries, consultation programmes, matching, negotiation, agreements, impact.

Sub-packages, one idea each: `lifecycle` (enquiries, proposals, agreements, impact), `programmes`
(subsidised consultation and the consultant directory), `matching` (the site's view of its social
enterprises and the ranked shortlist), `crossborder` (asking the hub for a consortium, answering the parts
it forwards here). `store`, `api` and `events` gather them for the composition root.
"""
PARTS = ("lifecycle", "programmes", "matching", "crossborder")
