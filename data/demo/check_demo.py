#!/usr/bin/env python3
"""Check the demo data set in this folder and print a summary.

Run from the repository root after ``python data/demo/build_demo.py``::

    python data/demo/check_demo.py

Exits non-zero, listing every problem, if a check fails.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path

from pyproj import Geod
from shapely.geometry import Point, shape
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

HERE = Path(__file__).resolve().parent
THEMES = {
    "food", "sport", "arts", "learning", "care", "environment", "digital", "languages",
    "faith", "children-young-people", "older-people", "health",
}
FACILITIES = {
    "kitchen", "toilets", "accessible toilet", "step-free access", "wifi", "parking", "garden",
    "hall", "meeting room", "sports pitch", "projector", "hearing loop", "baby change",
}
SHARE_MODES = {"teach", "lend", "do", "talk"}
KEYS = {
    "kind", "title", "description", "themes", "tags", "availability", "accessibility",
    "contact", "contact_via_coach", "owner", "last_confirmed", "meeting_pattern",
    "welcomes_new_members", "opening_times", "capacity", "facilities", "share_modes",
}
KIND_ONLY = {
    "group": {"meeting_pattern", "welcomes_new_members"},
    "space": {"opening_times", "capacity", "facilities"},
    "skill": {"share_modes"},
}
CONTACT = re.compile(r"^([^@\s]+@example\.(org|com)|01632 960\d{3}|07700 900\d{3})$")
ROLES = {"resident": (100, 140), "coach": (3, 3), "planner": (2, 2), "admin": (1, 1)}
# The kinds of strength each kind of tie goes from and to.
TIE_ENDS = {"meets-at": ("group", "space"), "runs-with": ("group", "group"),
            "offers": ("skill", "group")}


def main() -> int:
    problems: list[str] = []

    def check(ok: bool, message: str) -> None:
        if not ok:
            problems.append(message)

    # Neighbourhoods
    hoods = json.loads((HERE / "neighbourhoods.geojson").read_text(encoding="utf-8"))
    check(hoods.get("type") == "FeatureCollection", "neighbourhoods: not a FeatureCollection")
    check("crs" not in hoods, "neighbourhoods: has a crs member")
    polygons = {}
    for feature in hoods["features"]:
        code = feature["properties"]["code"]
        geom = shape(feature["geometry"])
        check(geom.geom_type == "Polygon", f"{code}: not a Polygon")
        check(geom.is_valid, f"{code}: invalid polygon")
        check(geom.exterior.is_ccw, f"{code}: exterior ring not counter-clockwise")
        check(orient(geom, 1.0).equals(geom), f"{code}: rings wrongly oriented")
        check(set(feature["properties"]) == {"code", "name"}, f"{code}: unexpected properties")
        polygons[code] = geom
    check(6 <= len(polygons) <= 8, f"neighbourhoods: {len(polygons)} polygons")
    union = unary_union(list(polygons.values()))
    total = sum(p.area for p in polygons.values())
    check(abs(union.area - total) / total < 1e-9, "neighbourhoods overlap")
    check(union.geom_type == "Polygon" and not union.interiors, "neighbourhoods leave a gap")

    # Users
    with (HERE / "users.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        check(reader.fieldnames == ["email", "display_name", "role"], "users.csv: header")
        users = list(reader)
    emails = [u["email"] for u in users]
    check(len(emails) == len(set(emails)), "users.csv: duplicate emails")
    check(all(e.endswith("@example.org") for e in emails), "users.csv: non-example address")
    roles = Counter(u["role"] for u in users)
    for role, (low, high) in ROLES.items():
        check(low <= roles[role] <= high, f"users.csv: {roles[role]} {role}s")
    check(set(roles) <= set(ROLES), f"users.csv: unknown roles {set(roles) - set(ROLES)}")

    # Assets
    assets = json.loads((HERE / "assets.geojson").read_text(encoding="utf-8"))
    check("crs" not in assets, "assets: has a crs member")
    kinds: Counter[str] = Counter()
    per_hood: Counter[str] = Counter()
    per_hood_kind: Counter[tuple[str, str]] = Counter()
    owners_used: Counter[str] = Counter()
    via_coach = 0
    for number, feature in enumerate(assets["features"], start=1):
        p = feature["properties"]
        where = f"asset {number} ({p.get('title')!r})"
        check(set(p) == KEYS, f"{where}: keys {sorted(set(p) ^ KEYS)}")
        kind = p["kind"]
        kinds[kind] += 1
        lon, lat = feature["geometry"]["coordinates"]
        check(round(lon, 6) == lon and round(lat, 6) == lat, f"{where}: more than 6 decimals")
        hood = [c for c, poly in polygons.items() if poly.contains(Point(lon, lat))]
        check(len(hood) == 1, f"{where}: in {len(hood)} neighbourhoods")
        if hood:
            per_hood[hood[0]] += 1
            per_hood_kind[hood[0], kind] += 1
        check(3 <= len(p["title"]) <= 80, f"{where}: title length")
        check(bool(p["description"]), f"{where}: no description")
        check(1 <= len(p["themes"]) <= 3 and set(p["themes"]) <= THEMES, f"{where}: themes")
        check(len(p["tags"]) <= 4 and all(t == t.lower() and len(t) <= 30 for t in p["tags"]),
              f"{where}: tags")
        check(CONTACT.match(p["contact"] or "") is not None, f"{where}: contact {p['contact']}")
        check(isinstance(p["contact_via_coach"], bool), f"{where}: contact_via_coach")
        via_coach += p["contact_via_coach"]
        check(p["owner"] in emails, f"{where}: owner {p['owner']} not in users.csv")
        owners_used[p["owner"]] += 1
        day = dt.date.fromisoformat(p["last_confirmed"])
        check(dt.date(2025, 1, 1) <= day <= dt.date(2026, 11, 20), f"{where}: last_confirmed")
        for other, fields in KIND_ONLY.items():
            for field in fields:
                if other == kind:
                    check(p[field] is not None, f"{where}: {field} missing")
                else:
                    check(p[field] is None, f"{where}: {field} set on a {kind}")
        if kind == "skill":
            check(bool(p["share_modes"]) and set(p["share_modes"]) <= SHARE_MODES,
                  f"{where}: share_modes")
        if kind == "group":
            check(isinstance(p["welcomes_new_members"], bool), f"{where}: welcomes_new_members")
        if kind == "space":
            check(isinstance(p["capacity"], int) and 5 <= p["capacity"] <= 400,
                  f"{where}: capacity")
            check(set(p["facilities"]) <= FACILITIES, f"{where}: facilities")
        text = p["title"] + " " + p["description"]
        check(re.search(r"[<>]", text) is None, f"{where}: markup, which reads as a broken page")
    check(len(assets["features"]) >= 330, "assets: fewer than 330")

    # Gazetteer
    with (HERE / "gazetteer.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        check(reader.fieldnames == ["name", "kind", "lon", "lat"], "gazetteer.csv: header")
        places = list(reader)
    gaz_kinds = Counter(row["kind"] for row in places)
    check(set(gaz_kinds) == {"street", "place", "postcode"}, "gazetteer.csv: kinds")
    for row in places:
        inside = union.covers(Point(float(row["lon"]), float(row["lat"])))
        check(inside, f"gazetteer: {row['name']} outside the town")
        if row["kind"] == "postcode":
            check(re.fullmatch(r"BA11( \d([A-Z]{2})?)?", row["name"]) is not None,
                  f"gazetteer: postcode {row['name']}")

    # Ties: each names real strengths of the kinds its kind joins, once
    with (HERE / "ties.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        check(reader.fieldnames == ["kind", "from_title", "to_title", "state"], "ties.csv: header")
        ties = list(reader)
    titled = {(f["properties"]["kind"], f["properties"]["title"]): f["properties"]
              for f in assets["features"]}
    tie_kinds = Counter(row["kind"] for row in ties)
    for row in ties:
        ends = TIE_ENDS.get(row["kind"])
        check(ends is not None, f"ties.csv: unknown kind {row['kind']!r}")
        if ends is None:
            continue
        start, end = (ends[0], row["from_title"]), (ends[1], row["to_title"])
        check(start in titled, f"ties.csv: no {ends[0]} called {row['from_title']!r}")
        check(end in titled, f"ties.csv: no {ends[1]} called {row['to_title']!r}")
        check(row["state"] in ("accepted", "proposed"), f"ties.csv: state {row['state']!r}")
        check(row["kind"] == "offers" or row["state"] == "accepted",
              f"ties.csv: only an offer waits for an answer: {row}")
        if row["kind"] == "offers" and start in titled:
            check(titled[start]["owner"] in emails,
                  f"ties.csv: {row['from_title']!r} is not a demo user's skill")
    pairs = [(row["kind"], row["from_title"], row["to_title"]) for row in ties]
    check(len(pairs) == len(set(pairs)), "ties.csv: a tie twice")
    check(tie_kinds["meets-at"] >= 40, f"ties.csv: {tie_kinds['meets-at']} meets-at ties")
    offered = Counter(row["state"] for row in ties if row["kind"] == "offers")
    check(offered["accepted"] >= 2 and offered["proposed"] >= 1,
          f"ties.csv: offers {dict(offered)}, want two accepted and one proposed")

    # Summary
    n = len(assets["features"])
    print(f"assets: {n} ({', '.join(f'{k} {v} ({v / n:.0%})' for k, v in sorted(kinds.items()))})")
    print(f"contact_via_coach: {via_coach / n:.0%} true; distinct owners: {len(owners_used)}")
    print("per neighbourhood (skill/group/space, assets per km²):")
    geod = Geod(ellps="WGS84")
    for code, poly in polygons.items():
        km2 = abs(geod.geometry_area_perimeter(poly)[0]) / 1e6
        mix = "/".join(str(per_hood_kind[code, k]) for k in ("skill", "group", "space"))
        print(f"  {code:20} {per_hood[code]:4}  {mix:10} {km2:5.2f} km²  "
              f"{per_hood[code] / km2:6.1f}/km²")
    print(f"users: {dict(roles)}")
    print(f"gazetteer: {dict(gaz_kinds)}")
    print(f"ties: {dict(tie_kinds)}")
    bounds = union.bounds
    print(f"town bbox: {bounds[0]:.6f}, {bounds[1]:.6f}, {bounds[2]:.6f}, {bounds[3]:.6f}")
    if problems:
        print(f"\n{len(problems)} problem(s):", *problems, sep="\n  ")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
