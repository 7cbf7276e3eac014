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


@pytest.mark.parametrize("fn, given, published", [
    # The reference vectors published with the widely used coordtransform implementations (Beijing).
    (coords.wgs84_to_gcj02, (116.404, 39.915), (116.41024449916938, 39.91640428150164)),
    (coords.gcj02_to_bd09, (116.404, 39.915), (116.41036949371029, 39.92133699351021)),
    (coords.bd09_to_gcj02, (116.404, 39.915), (116.39762729119315, 39.90865673957631)),
])
def test_published_reference_values(fn, given, published):
    assert fn(*given) == pytest.approx(published, abs=1e-9)


def test_gcj_inverse_lands_within_a_centimetre_in_the_county():
    # 富蕴县 (the demo county): the GCJ-02 offset there is some 200 m east and 100 m north …
    gcj = coords.wgs84_to_gcj02(89.52, 46.995)
    assert gcj == pytest.approx((89.522802, 46.996008), abs=1e-6)
    # … and the inverse (used to read a GCJ-02 click back) recovers the WGS-84 point to ~1 cm.
    assert coords.gcj02_to_wgs84(*gcj) == pytest.approx((89.52, 46.995), abs=1e-7)
