"""Distances between places given by latitude and longitude (degrees).

Distance searches run in two steps: `bounding_box` gives an indexed SQL prefilter (communes
and offers carry latitude/longitude columns with an index), then the few rows left are ordered
by `squared_distance_sql` (plain arithmetic, so the same on SQLite and PostgreSQL) or measured
exactly with `haversine_km` in Python.
"""
import math

import sqlalchemy as sa

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # ≈ 111.2 km along a meridian


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box holding every point within `radius_km`.

    Slightly larger than the circle (corners); near the poles the box spans every longitude.
    Boxes crossing the antimeridian are not split: none of the French territories needs it
    except a few Pacific communes, and a radius search there is out of scope.
    """
    if radius_km < 0:
        raise ValueError("radius_km must be positive")
    dlat = radius_km / KM_PER_DEGREE
    min_lat, max_lat = max(lat - dlat, -90.0), min(lat + dlat, 90.0)
    # Longitude degrees shrink with the cosine of the latitude; use the box's widest latitude.
    widest = max(abs(min_lat), abs(max_lat))
    if widest >= 89.9:
        return min_lat, max_lat, -180.0, 180.0
    dlon = radius_km / (KM_PER_DEGREE * math.cos(math.radians(widest)))
    return min_lat, max_lat, max(lon - dlon, -180.0), min(lon + dlon, 180.0)


def within_box_sql(lat_col, lon_col, lat: float, lon: float, radius_km: float):
    """SQL condition: the row's position lies in the bounding box (uses the lat/lon index)."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_km)
    return sa.and_(lat_col.between(min_lat, max_lat), lon_col.between(min_lon, max_lon))


def squared_distance_sql(lat_col, lon_col, lat: float, lon: float):
    """SQL expression ≈ squared distance in km² from (lat, lon), portable (no trigonometry in SQL).

    Equirectangular approximation, the cosine computed here once: within 1 % of the
    great-circle distance up to ~100 km in mainland France, so fine to order a bounding-box
    result by distance or to cut it at `radius_km ** 2`. Measure shown distances with
    `haversine_km`.
    """
    x_scale = KM_PER_DEGREE * math.cos(math.radians(lat))
    dx = (lon_col - lon) * x_scale
    dy = (lat_col - lat) * KM_PER_DEGREE
    return dx * dx + dy * dy
