"""The hub: what the SoPro Innovation Agency does with the facts every site publishes.

One sub-package per capability, each with its tables (`store`) and its API (`api`):
- `register`: the consolidated registry (organisations, offers, support statements, case studies);
- `enquiries`: every site's enquiries, agreements and impact records, and the network's impact totals;
- `labels`: the network label register;
- `crossborder`: cross-border orders, the consortia composed for them and their forwarded parts;
  `ocds` exports those orders as Open Contracting releases.
Shared: `consumers` applies the ingested events (`payload_rows` says what row each payload becomes),
`rows` keys and writes the tables, `store` gathers them for the migrations, `query` the APIs' parameters,
`api` and `pages` list the blueprints (`web`: the HTML pages), `privacy` what the hub knows of erasures.
"""
