"""Brokerage at a site: enquiries, consultation programmes, matching, negotiation, agreements, impact.

Sub-packages, one idea each: `lifecycle` (enquiries, proposals, agreements, impact), `programmes`
(subsidised consultation and the consultant directory), `matching` (the site's view of its social
enterprises and the ranked shortlist), `crossborder` (asking the hub for a consortium, answering the parts
it forwards here), and `privacy` for the personal data of all of them. The composition root
(services/composition.py) lists what each sub-package contributes (tables, APIs, pages, consumers).
"""
