"""Conversions between the coordinate systems Chinese map tiles use.

WGS-84 is what GPS and our stored boundaries use. GCJ-02 (国测局, "Mars coordinates") is the
obfuscated system of most domestic tile services; BD-09 adds Baidu's own offset on top of GCJ-02.
The formulas are the widely published ones; GCJ-02 → WGS-84 is inverted by fixed-point iteration
(error well under 1 m). Outside China GCJ-02 equals WGS-84.
"""

from __future__ import annotations

import math

WGS84 = "wgs84"
GCJ02 = "gcj02"
BD09 = "bd09"
SYSTEMS = {WGS84: "WGS-84", GCJ02: "GCJ-02（国测局）", BD09: "BD-09（百度）"}

_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


# The rough box of China the offset formulas apply to (and that grid points must lie in), in degrees.
CHINA_LNG = (73.66, 135.05)
CHINA_LAT = (3.86, 53.55)


def out_of_china(lng: float, lat: float) -> bool:
    return not (CHINA_LNG[0] < lng < CHINA_LNG[1] and CHINA_LAT[0] < lat < CHINA_LAT[1])


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if out_of_china(lng, lat):
        return lng, lat
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = math.sin(radlat)
    magic = 1 - _EE * magic * magic
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    if out_of_china(lng, lat):
        return lng, lat
    wlng, wlat = lng, lat
    for _ in range(30):
        glng, glat = wgs84_to_gcj02(wlng, wlat)
        dlng, dlat = glng - lng, glat - lat
        if abs(dlng) < 1e-10 and abs(dlat) < 1e-10:
            break
        wlng, wlat = wlng - dlng, wlat - dlat
    return wlng, wlat


def gcj02_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def wgs84_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


_FROM_WGS = {WGS84: lambda lng, lat: (lng, lat), GCJ02: wgs84_to_gcj02, BD09: wgs84_to_bd09}
_TO_WGS = {WGS84: lambda lng, lat: (lng, lat), GCJ02: gcj02_to_wgs84, BD09: bd09_to_wgs84}


def convert(lng: float, lat: float, *, src: str, dst: str) -> tuple[float, float]:
    if src not in _TO_WGS or dst not in _FROM_WGS:
        raise ValueError(f"未知坐标系：{src if src not in _TO_WGS else dst}")
    if src == dst:
        return lng, lat
    return _FROM_WGS[dst](*_TO_WGS[src](lng, lat))


def convert_geometry(geometry: dict, *, dst: str, src: str = WGS84) -> dict:
    """A GeoJSON geometry (Point, Polygon, MultiPolygon, LineString…) with every position converted."""
    if src == dst:
        return geometry

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            lng, lat = convert(coords[0], coords[1], src=src, dst=dst)
            return [round(lng, 7), round(lat, 7)]
        return [walk(c) for c in coords]

    return {**geometry, "coordinates": walk(geometry["coordinates"])}
