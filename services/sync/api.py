"""The sync service's HTTP surface: the pull feed."""
from services.sync.feed import blp

__all__ = ["blp"]
