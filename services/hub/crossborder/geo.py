"""Where things are: NUTS-3 centroids (approximate, for transport distances) and great-circle distance.

A delivery place is known by its NUTS-3 region; the distance an SE's goods travel is estimated from the
SE's coordinates to the region's centroid. Regions not in the table fall back to the caller's default.
"""
from __future__ import annotations

import csv
import math
from functools import lru_cache
from pathlib import Path

CENTROIDS = Path(__file__).parent / "data" / "nuts3_centroids.csv"
EARTH_RADIUS_KM = 6371.0


@lru_cache(maxsize=1)
def _centroids() -> dict[str, tuple[float, float]]:
    with CENTROIDS.open(encoding="utf-8") as f:
        return {row["nuts3"]: (float(row["lat"]), float(row["lon"])) for row in csv.DictReader(f)}


def centroid(nuts3: str | None) -> tuple[float, float] | None:
    return _centroids().get(nuts3) if nuts3 else None


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
