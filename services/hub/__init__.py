"""The hub: what the SoPro Innovation Agency does with the facts every site publishes.

Today: the consolidated store (`store`), the consumers that fill it from the registry's events
(`consumers`), the public consolidated API and the agency's statistics (`api`, `stats`).
"""
