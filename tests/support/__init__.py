"""What several test modules share: sites, the hub, polling and tokens.

Test modules import from here, never from one another (a `test_*.py` module holds tests only).
"""
