"""Cross-border large orders: the consortium flow (`flow`), its tables (`store`), the candidates it
allocates over (`matching_view`, `geo`, `allocation`) and the agency's API over orders (`api`)."""
