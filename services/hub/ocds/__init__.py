"""OCDS: cross-border orders as Open Contracting release packages (`release` builds them, `orders`
reads them from the hub's store)."""
