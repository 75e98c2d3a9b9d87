"""Distance between two points on the Earth: the one haversine the project uses."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.009  # the mean radius geopy's great_circle uses: the same distances as before


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine): exact enough for thresholds of a few km or more."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return EARTH_RADIUS_KM * 2 * math.asin(min(1.0, math.sqrt(a)))
