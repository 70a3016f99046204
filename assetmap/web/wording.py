"""Plain words for pages: what the domain and the API say, as a person reads it.

The API keeps its technical messages (``bbox: expected minlon,minlat,maxlon,maxlat``); a page
shows each message through ``plain``, which drops the echo of what was typed and rewrites the
few messages that speak of formats and internals. A message that tells a person nothing they
need becomes empty, and pages leave it out.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

Rewrite = str | Callable[[re.Match[str]], str]

_OUTCOMES = {
    "added": "new",
    "updated": "changed",
    "skipped": "already here",
    "rejected": "with mistakes",
}
_VERDICTS = {
    "were": "{file} is imported. Of its {total} rows, {parts}.",
    "would be": "{file} is checked but not imported yet. Of its {total} rows, {parts}.",
    "would have been": "Nothing from {file} was imported. Of its {total} rows, {parts}.",
}


def _import_summary(found: re.Match[str]) -> str:
    counts = re.findall(r"(\d+) (\w+)", found["parts"])
    parts = [f"{n} {_OUTCOMES.get(what, what)}" for n, what in counts if n != "0"] or ["none"]
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    verdict = _VERDICTS[found["verb"]]
    return verdict.format(file=found["file"], total=found["total"], parts=f"{listed}")


def _characters(found: re.Match[str]) -> str:
    return f"at most {found['most']} characters: you wrote {found['got']}"


def _counted(found: re.Match[str]) -> str:
    return f": you gave {found['got']}"


RULES: tuple[tuple[re.Pattern[str], Rewrite], ...] = tuple(
    (re.compile(pattern, re.S), rewrite)
    for pattern, rewrite in (
        (
            r"^bbox: .*$",
            "The map area in this link can't be used. Open the map and move it to the area "
            "you want.",
        ),
        (r"^page must be a whole number.*$", "There is no such page of the list."),
        (
            r"^(?P<file>.+): (?P<total>\d+) read; (?P<parts>[^()]+) "
            r"\((?P<verb>were|would be|would have been) the result\)\.$",
            _import_summary,
        ),
        # How a drawn outline was stored is no concern of the person who drew it.
        (r"^The outline ran clockwise;.*$", ""),
        (r"^A hole ran anticlockwise;.*$", ""),
        (r"must be a whole number, got .+$", "must be a whole number, like 12"),
        (r"at most (?P<most>\d+) characters, got (?P<got>\d+)", _characters),
        (r", got (?P<got>\d+)$", _counted),
        (r", got (?:'[^']*'|\"[^\"]*\"|[-+\w.]+)(?=$|[.;:])", ""),
    )
)


def plain(message: str) -> str:
    """Return ``message`` as a page shows it: in plain words, without echoing the input."""
    text = str(message)
    for pattern, rewrite in RULES:
        found = pattern.search(text)
        if found is None:
            continue
        replacement = rewrite(found) if callable(rewrite) else rewrite
        text = text[: found.start()] + replacement + text[found.end() :]
    return text


def init_app(app: Flask) -> None:
    """Offer ``plain`` to templates as a filter."""
    app.jinja_env.filters["plain"] = plain
