import pytest

from grid import coords

# Tian'anmen: a reference point whose GCJ-02 and BD-09 values are widely published.
WGS = (116.391275, 39.907230)


def test_wgs_to_gcj_offset_is_the_known_few_hundred_metres():
    lng, lat = coords.wgs84_to_gcj02(*WGS)
    assert lng == pytest.approx(116.397519, abs=2e-5)
    assert lat == pytest.approx(39.908632, abs=2e-5)


def test_gcj_to_bd_and_back():
    gcj = coords.wgs84_to_gcj02(*WGS)
    bd = coords.gcj02_to_bd09(*gcj)
    assert bd[0] == pytest.approx(gcj[0] + 0.0064, abs=1e-3)
    back = coords.bd09_to_gcj02(*bd)
    assert back == pytest.approx(gcj, abs=1e-6)


@pytest.mark.parametrize("src,dst", [("wgs84", "gcj02"), ("wgs84", "bd09"), ("gcj02", "bd09")])
def test_round_trips_are_within_a_metre(src, dst):
    for point in [WGS, (89.52, 46.99), (121.47, 31.23), (113.26, 23.13)]:
        there = coords.convert(*point, src=src, dst=dst)
        back = coords.convert(*there, src=dst, dst=src)
        assert back == pytest.approx(point, abs=1e-5)  # ~1 m


def test_outside_china_is_unchanged():
    assert coords.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)


def test_geometry_conversion_walks_nested_rings():
    poly = {"type": "Polygon", "coordinates": [[[116.39, 39.9], [116.4, 39.9], [116.4, 39.91], [116.39, 39.9]]]}
    out = coords.convert_geometry(poly, dst="gcj02")
    assert out["type"] == "Polygon"
    assert out["coordinates"][0][0][0] > 116.39
    assert coords.convert_geometry(poly, dst="wgs84") is poly


def test_unknown_system_is_refused():
    with pytest.raises(ValueError):
        coords.convert(1, 2, src="xyz", dst="wgs84")
