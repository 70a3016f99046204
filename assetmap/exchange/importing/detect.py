"""Which format a file is in, from its name and its first bytes; and whether it is too large."""

from __future__ import annotations

from pathlib import Path

from assetmap.domain.i18n import _
from assetmap.exchange.importing.records import FileProblem

SUFFIXES = {
    ".csv": "csv",
    ".geojson": "json",
    ".json": "json",
    ".gpkg": "gpkg",
    ".osm": "osm",
    ".pbf": "pbf",
}
NAMES = {
    "csv": "CSV",
    "json": "JSON",
    "geojson": "GeoJSON",
    "hsds": "HSDS JSON",
    "gpkg": "GeoPackage",
    "osm": "OpenStreetMap XML",
    "pbf": "OpenStreetMap PBF",
    "binary": "a binary file",
}


def check_size(path: Path, max_mb: float) -> None:
    """Refuse a file larger than ``max_mb`` megabytes, or an empty one."""
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise FileProblem(
            "file",
            _(
                "is %(size)s MB, larger than the %(most)s MB an import may be "
                "(ASSETMAP_IMPORT_MAX_MB)",
                size=format(size / 1024 / 1024, ".1f"),
                most=format(max_mb, "g"),
            ),
        )
    if size == 0:
        raise FileProblem("file", _("is empty"))


def check_rows(rows: int, max_rows: int, *, counted: bool = True) -> None:
    """Refuse a file holding more than ``max_rows`` rows or features: ``rows`` of them when
    they were ``counted``, at least ``rows`` when reading stopped there."""
    if rows <= max_rows:
        return
    if counted:
        said = _(
            "holds %(rows)s rows or features, more than the %(most)s an import may read "
            "(ASSETMAP_IMPORT_MAX_ROWS); split it into smaller files",
            rows=format(rows, ","),
            most=format(max_rows, ","),
        )
    else:
        said = _(
            "holds more than the %(most)s rows or features an import may read "
            "(ASSETMAP_IMPORT_MAX_ROWS); split it into smaller files",
            most=format(max_rows, ","),
        )
    raise FileProblem("file", said)


def detect(path: Path, name: str) -> str:
    """Return ``csv``, ``json``, ``gpkg``, ``osm`` or ``pbf``; refuse a file that isn't what its
    name says."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    found = sniff(head)
    lower = name.lower()
    claimed = next((fmt for suffix, fmt in SUFFIXES.items() if lower.endswith(suffix)), None)
    if claimed is None:
        if found == "binary":
            raise FileProblem(
                "file",
                _(
                    "%(name)r is not a format assetmap imports (%(choices)s)",
                    name=name,
                    choices=_choices(),
                ),
            )
        return found
    if found != claimed:
        raise FileProblem(
            "file", f"is named {name!r} but is not {NAMES[claimed]}: it looks like {NAMES[found]}"
        )
    return claimed


def sniff(head: bytes) -> str:
    """Guess a format from a file's first bytes."""
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if b"OSMHeader" in head[:32]:
        return "pbf"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith((b"{", b"[")):
        return "json"
    if text.startswith(b"<"):
        return "osm" if b"<osm" in head else "binary"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _is_text(head):
        return "csv"
    return "binary"


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut-off character at the end of the sample is still text.
        return exc.start >= len(head) - 3 or _mostly_printable(head)
    return True


def _mostly_printable(head: bytes) -> bool:
    printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in head)
    return printable / max(len(head), 1) > 0.9


def _choices() -> str:
    return "CSV, GeoJSON, GeoPackage, OpenStreetMap .osm or .osm.pbf, or HSDS JSON"
