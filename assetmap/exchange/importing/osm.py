"""OpenStreetMap extracts (``.osm`` XML and ``.osm.pbf``) read with pyosmium.

Community centres and halls, clubs, parks, community gardens, allotments, libraries, places of
worship and similar become spaces or groups. Each keeps its OpenStreetMap id (``node/123``,
``way/45``, ``relation/6``) as its source id, and its description carries the ODbL attribution.
Areas (closed ways and multipolygons) are placed at a point inside them.

A file need not be sorted: Overpass, for one, saves ways before the nodes they use. Such a file
is first copied in the order pyosmium reads in one pass (nodes, ways, relations, each by id).
A way that still cannot be placed, because some of its nodes are not in the file or it does
not close, is skipped and the report says why.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assetmap.domain.i18n import _, ngettext
from assetmap.exchange.importing.records import FileProblem, Record
from assetmap.exchange.report import ODBL

SOURCE = "osm"
KEYS = ("amenity", "leisure", "landuse", "club", "community_centre", "social_facility", "office")


@dataclass(frozen=True)
class Match:
    """What an OpenStreetMap tag makes of a feature: a kind and its themes."""

    kind: str
    themes: tuple[str, ...]
    label: str


# (key, value) -> what it becomes; the first tag of a feature found here wins.
TAGS: dict[tuple[str, str], Match] = {
    ("amenity", "community_centre"): Match("space", ("learning", "arts"), "community centre"),
    ("amenity", "community_hall"): Match("space", ("learning", "arts"), "community hall"),
    ("amenity", "village_hall"): Match("space", ("learning", "arts"), "village hall"),
    ("amenity", "social_centre"): Match("space", ("older-people", "care"), "social centre"),
    ("amenity", "library"): Match("space", ("learning",), "library"),
    ("amenity", "toy_library"): Match("space", ("children-young-people",), "toy library"),
    ("amenity", "place_of_worship"): Match("space", ("faith",), "place of worship"),
    ("amenity", "arts_centre"): Match("space", ("arts",), "arts centre"),
    ("amenity", "youth_centre"): Match("space", ("children-young-people",), "youth centre"),
    ("amenity", "food_bank"): Match("group", ("food", "care"), "food bank"),
    ("social_facility", "food_bank"): Match("group", ("food", "care"), "food bank"),
    ("leisure", "park"): Match("space", ("environment", "health"), "park"),
    ("leisure", "garden"): Match("space", ("environment",), "garden"),
    ("leisure", "playground"): Match("space", ("children-young-people",), "playground"),
    ("leisure", "sports_centre"): Match("space", ("sport", "health"), "sports centre"),
    ("leisure", "pitch"): Match("space", ("sport",), "pitch"),
    ("landuse", "allotments"): Match("space", ("food", "environment"), "allotments"),
    ("office", "association"): Match("group", ("care",), "association"),
    ("office", "charity"): Match("group", ("care",), "charity"),
}
# Any club=* is a group; these values give it better themes.
CLUB_THEMES = {
    "sport": ("sport",),
    "scout": ("children-young-people",),
    "youth": ("children-young-people",),
    "music": ("arts",),
    "art": ("arts",),
    "culture": ("arts",),
    "religion": ("faith",),
    "computer": ("digital",),
    "language": ("languages",),
    "elderly": ("older-people",),
}


def match(tags: Mapping[str, str]) -> Match | None:
    """Return what a feature with these tags becomes, or None if it is not a strength."""
    if tags.get("leisure") == "garden" and tags.get("garden:type") != "community":
        return None
    if "club" in tags:
        club = tags["club"]
        fallback = ("sport",) if "sport" in tags else ("learning",)
        return Match("group", CLUB_THEMES.get(club, fallback), f"{club} club")
    if tags.get("community_centre") == "village_hall":
        return TAGS[("amenity", "village_hall")]
    for key in KEYS:
        found = TAGS.get((key, tags.get(key, "")))
        if found is not None:
            return found
    return None


def read_osm(path: Path, fmt: str) -> Iterator[Record]:
    """Yield a record per node or area that is a strength; others are not read at all.

    ``fmt`` is ``osm`` (XML) or ``pbf``, as detected: the file's own name may say neither.
    """
    try:
        if in_order(path, fmt):
            yield from _strengths(path, fmt)
            return
        with tempfile.TemporaryDirectory(prefix="assetmap-osm-") as folder:
            yield from _strengths(sorted_copy(path, fmt, Path(folder)), "pbf")
    except RuntimeError as exc:
        raise FileProblem(
            "file", f"is not an OpenStreetMap file pyosmium can read: {exc}"
        ) from None


def in_order(path: Path, fmt: str) -> bool:
    """Return whether a file holds its nodes, then its ways, then its relations, each by id."""
    import osmium

    last = (0, -(1 << 63))
    for item in osmium.FileProcessor(osmium.io.File(str(path), fmt)):
        key = (_RANK[item.type_str()], item.id)
        if key < last:
            return False
        last = key
    return True


def sorted_copy(path: Path, fmt: str, folder: Path) -> Path:
    """Write the file's nodes, ways and relations, each by id, to a PBF file in ``folder``."""
    import osmium
    from osmium.osm import NODE, RELATION, WAY

    copy = folder / "sorted.osm.pbf"
    writer = osmium.SimpleWriter(str(copy))
    try:
        for entities in (NODE, WAY, RELATION):
            objects = osmium.FileProcessor(osmium.io.File(str(path), fmt), entities)
            for found in sorted((_mutable(item) for item in objects), key=lambda o: o.id):
                writer.add(found)
    finally:
        writer.close()
    return copy


_RANK = {"n": 0, "w": 1, "r": 2}


def _mutable(item: Any) -> Any:
    """Return a copy of a node, way or relation that outlives pyosmium's buffer."""
    from osmium.osm import mutable

    tags = dict(item.tags)
    kind = item.type_str()
    if kind == "n":
        where = item.location
        point = (where.lon, where.lat) if where.valid() else None
        return mutable.Node(id=item.id, location=point, tags=tags)
    if kind == "w":
        return mutable.Way(id=item.id, nodes=[n.ref for n in item.nodes], tags=tags)
    members = [(m.type, m.ref, m.role) for m in item.members]
    return mutable.Relation(id=item.id, members=members, tags=tags)


def _strengths(path: Path, fmt: str) -> Iterator[Record]:
    """Yield the records of a file in order, located and with its areas built in one pass."""
    import osmium
    import shapely
    from osmium.geom import WKBFactory

    wkb = WKBFactory()
    processor = (
        osmium.FileProcessor(osmium.io.File(str(path), fmt))
        .with_locations()
        .with_areas()
        .with_filter(osmium.filter.KeyFilter(*KEYS))
    )
    unplaced: set[str] = set()
    for item in processor:
        if isinstance(item, osmium.osm.Node):
            where = f"node/{item.id}"
            point = (item.location.lon, item.location.lat)
        elif isinstance(item, osmium.osm.Way):
            found = _unplaced(item, unplaced)
            if found is not None:
                yield found
            continue
        elif isinstance(item, osmium.osm.Area):
            where = f"{'way' if item.from_way() else 'relation'}/{item.orig_id()}"
            try:
                shape = shapely.from_wkb(wkb.create_multipolygon(item))
            except RuntimeError:
                broken = _skipped(where, dict(item.tags), "can't be placed: its outline is broken")
                if broken is not None and where not in unplaced:
                    yield broken
                continue
            inside = shape.representative_point()
            point = (inside.x, inside.y)
        else:
            continue
        found = _record(where, dict(item.tags), point)
        if found is not None:
            yield found


def _unplaced(way: Any, unplaced: set[str]) -> Record | None:
    """Return a skipped record for a strength's way that can't be placed, else None: a way
    that can is placed as the area built from it."""
    missing = [n.ref for n in way.nodes if not n.location.valid()]
    if missing:
        nodes = ", ".join(str(ref) for ref in missing[:5]) + (", …" if len(missing) > 5 else "")
        reason = ngettext(
            "can't be placed: %(num)d of its points is not in the file (node %(nodes)s); "
            "download the extract with its ways' nodes",
            "can't be placed: %(num)d of its points are not in the file (nodes %(nodes)s); "
            "download the extract with its ways' nodes",
            len(missing),
            nodes=nodes,
        )
    elif not way.is_closed():
        reason = _("can't be placed: it is a line, not a closed outline")
    else:
        return None
    where = f"way/{way.id}"
    found = _skipped(where, dict(way.tags), reason)
    if found is not None:
        unplaced.add(where)
    return found


def _skipped(where: str, tags: dict[str, str], reason: str) -> Record | None:
    """Return a record skipped for ``reason``, if the feature would be a strength at all."""
    found = _record(where, tags, (0.0, 0.0))
    if found is None or found.skip:
        return found
    skipped = Record(where, {"title": found.values["title"]}, source=SOURCE, source_id=where)
    skipped.skip = reason
    return skipped


def _record(where: str, tags: dict[str, str], point: tuple[float, float]) -> Record | None:
    what = match(tags)
    if what is None:
        return None
    found = Record(where, {}, source=SOURCE, source_id=where)
    name = tags.get("name", "").strip()
    if not name:
        found.skip = f"an unnamed {what.label}: a strength needs a name"
        return found
    found.values = _values(what, name, tags, where, point)
    return found


def _values(
    what: Match, name: str, tags: dict[str, str], where: str, point: tuple[float, float]
) -> dict[str, Any]:
    about = tags.get("description", "").strip()
    note = f"From OpenStreetMap ({where}). {ODBL}"
    values: dict[str, Any] = {
        "kind": what.kind,
        "title": name[:120],
        "description": f"{about}\n\n{note}" if about else note,
        "themes": list(what.themes),
        "tags": [what.label.replace(" ", "-")[:30]],
        "lon": round(point[0], 7),
        "lat": round(point[1], 7),
    }
    contact = tags.get("website") or tags.get("contact:website") or tags.get("phone") or ""
    if contact:
        values["contact"] = contact[:200]
    if tags.get("wheelchair") in ("yes", "limited"):
        values["accessibility"] = f"Wheelchair access: {tags['wheelchair']} (OpenStreetMap)"
    if what.kind == "space" and tags.get("opening_hours"):
        values["opening_times"] = tags["opening_hours"][:300]
    if what.kind == "space" and tags.get("capacity", "").isdigit():
        values["capacity"] = int(tags["capacity"])
    return values
