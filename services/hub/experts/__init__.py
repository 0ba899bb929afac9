"""The network's expert base: a federated search that asks every member site's public expert API at
request time (`federated`), and the hub's API and page over it. The hub stores nothing about the persons."""
