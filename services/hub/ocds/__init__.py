"""OCDS: cross-border orders as Open Contracting release packages. `release` builds the tender, parties
and awards, `contracts` the contract and implementation stages (pure, over `model`, with `blocks`);
`orders` reads them from the hub's store; `api` publishes the completed ones openly."""
