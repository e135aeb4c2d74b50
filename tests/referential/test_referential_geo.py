"""Distances: great-circle in Python, bounding box and portable squared distance in SQL."""
import math

import pytest
import sqlalchemy as sa

from clausematch.referential import geo
from clausematch.referential.models import Commune
from clausematch.referential.services import communes_near

SAINT_DENIS = (48.93697, 2.35976)
AUBERVILLIERS = (48.91461, 2.38179)
LYON = (45.76769, 4.83537)


def test_saint_denis_to_aubervilliers_is_about_3_km():
    assert geo.haversine_km(*SAINT_DENIS, *AUBERVILLIERS) == pytest.approx(3.0, abs=0.3)


def test_saint_denis_to_lyon_is_about_390_km():
    # Town hall to town hall: 399 km; Paris (Notre-Dame) to Lyon, 391 km.
    assert geo.haversine_km(*SAINT_DENIS, *LYON) == pytest.approx(399, abs=1)
    assert geo.haversine_km(48.8530, 2.3499, *LYON) == pytest.approx(391, abs=1)


def test_haversine_is_symmetric_and_zero_on_the_spot():
    assert geo.haversine_km(*SAINT_DENIS, *LYON) == pytest.approx(geo.haversine_km(*LYON, *SAINT_DENIS))
    assert geo.haversine_km(*SAINT_DENIS, *SAINT_DENIS) == 0
    # A quarter of a meridian: pole to equator.
    assert geo.haversine_km(90, 0, 0, 0) == pytest.approx(math.pi * geo.EARTH_RADIUS_KM / 2)


@pytest.mark.parametrize("bearing", range(0, 360, 15))
def test_bounding_box_holds_every_point_of_the_circle(bearing):
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(*SAINT_DENIS, 10)
    lat, lon = _destination(*SAINT_DENIS, 9.999, bearing)
    assert min_lat <= lat <= max_lat and min_lon <= lon <= max_lon


def test_bounding_box_is_tight():
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(*SAINT_DENIS, 10)
    assert geo.haversine_km(min_lat, SAINT_DENIS[1], max_lat, SAINT_DENIS[1]) == pytest.approx(20, rel=0.001)
    assert geo.haversine_km(SAINT_DENIS[0], min_lon, SAINT_DENIS[0], max_lon) == pytest.approx(20, rel=0.01)


def test_bounding_box_near_a_pole_spans_every_longitude():
    assert geo.bounding_box(89.95, 10, 20) == (pytest.approx(89.77, abs=0.01), 90.0, -180.0, 180.0)
    with pytest.raises(ValueError):
        geo.bounding_box(*SAINT_DENIS, -1)


def test_squared_distance_in_sql_is_within_1_percent_up_to_100_km(db):
    squared = geo.squared_distance_sql(Commune.latitude, Commune.longitude, *SAINT_DENIS)
    rows = db.session.execute(
        sa.select(Commune.latitude, Commune.longitude, squared)
        .where(geo.within_box_sql(Commune.latitude, Commune.longitude, *SAINT_DENIS, 100))).all()
    assert len(rows) > 1000
    for lat, lon, km2 in rows:
        exact = geo.haversine_km(*SAINT_DENIS, lat, lon)
        assert math.sqrt(km2) == pytest.approx(exact, rel=0.01, abs=0.05)


def test_communes_near_saint_denis_are_exactly_those_within_the_radius_nearest_first(db):
    found = communes_near(*SAINT_DENIS, radius_km=5)
    codes = [commune.insee_code for commune, _ in found]
    assert codes[0] == "93066"  # Saint-Denis itself, at its town hall
    assert {"93001", "93039", "93070"} <= set(codes)  # Aubervilliers, L'Île-Saint-Denis, Saint-Ouen
    distances = [km for _, km in found]
    assert distances == sorted(distances) and distances[-1] <= 5
    everything = db.session.execute(sa.select(Commune.insee_code, Commune.latitude, Commune.longitude))
    expected = {code for code, lat, lon in everything if geo.haversine_km(*SAINT_DENIS, lat, lon) <= 5}
    assert set(codes) == expected


def test_communes_near_respects_the_limit(db):
    found = communes_near(*SAINT_DENIS, radius_km=30, limit=7)
    assert len(found) == 7
    assert all(km <= 30 for _, km in found)


def _destination(lat: float, lon: float, km: float, bearing_degrees: float) -> tuple[float, float]:
    """The point `km` away from (lat, lon) in the given direction (great circle)."""
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing_degrees)
    delta = km / geo.EARTH_RADIUS_KM
    phi2 = math.asin(math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta))
    lam2 = lam + math.atan2(math.sin(theta) * math.sin(delta) * math.cos(phi),
                            math.cos(delta) - math.sin(phi) * math.sin(phi2))
    return math.degrees(phi2), math.degrees(lam2)
