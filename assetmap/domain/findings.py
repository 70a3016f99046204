"""What a strength check found: public records of strengths, and how a reader takes them in.

A finding is a plain JSON record of a strength's public fields, frozen when the check ran: the
point is the public one (a skill's is generalised), and nothing private is ever in it. Each
also says whether it lies ``inside`` the catchment or ``nearby`` (just outside its edge, with
``distance_m`` to the edge) and which of the proposal's themes and words it ``matched``.

A finding is read back only while its strength is still published (not withdrawn, hidden, or
of a deleted account); otherwise it shows as ``since_withdrawn``: where it lay, so the counts
still add up, and nothing else of it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assetmap.domain.errors import ValidationError
from assetmap.domain.i18n import _, lazy
from assetmap.domain.privacy import PRIVATE_FIELDS
from assetmap.domain.privacy import PUBLIC_FIELDS as PRIVACY_PUBLIC_FIELDS
from assetmap.domain.vocab import Kind, Theme

INSIDE = "inside"
NEARBY = "nearby"
# A strength confirmed longer ago than this, when a check ran, may have changed.
FRESH_DAYS = 183
STALE_DAYS = 365
# The public fields a finding keeps, besides where it lies and what it matched.
PUBLIC_FIELDS = (*PRIVACY_PUBLIC_FIELDS, "lon", "lat")
FINDING_FIELDS = (*PUBLIC_FIELDS, "where", "distance_m", "matched")
# A finding as it is read back: its frozen fields, and whether its strength was since withdrawn.
WITHDRAWN = "withdrawn"
SHOWN_FIELDS = (*FINDING_FIELDS, WITHDRAWN)
# ``lon`` and ``lat`` of a finding are the public point, so only these may never appear.
NEVER = frozenset(PRIVATE_FIELDS - {"lon", "lat"}) | {"public_lon", "public_lat"}


def finding(
    public: Mapping[str, Any], *, where: str, distance_m: float | None, matched: Iterable[str]
) -> dict[str, Any]:
    """Return a finding from a strength's public record (``lon``/``lat`` its public point)."""
    leaked = NEVER & public.keys()
    if leaked:
        raise ValueError(f"a finding holds public fields only, got {sorted(leaked)}")
    record = {name: public[name] for name in PUBLIC_FIELDS}
    if isinstance(record["last_confirmed"], dt.date):
        record["last_confirmed"] = record["last_confirmed"].isoformat()
    record["where"] = where
    record["distance_m"] = None if distance_m is None else round(float(distance_m), 1)
    record["matched"] = list(matched)
    return record


def since_withdrawn(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return what is shown of a finding whose strength is no longer published: where it lay."""
    return {**dict.fromkeys(SHOWN_FIELDS), "where": record["where"], WITHDRAWN: True}


def shown(findings: Iterable[Mapping[str, Any]], live: Collection[int]) -> list[dict[str, Any]]:
    """Return the findings as they may be read now: those of the ``live`` strengths (still
    published) as frozen, in their order, then each other one ``since_withdrawn``."""
    findings = list(findings)
    kept = [{**f, WITHDRAWN: False} for f in findings if f["id"] in live]
    return kept + [since_withdrawn(f) for f in findings if f["id"] not in live]


def freshness(last_confirmed: str | dt.date, on: dt.date) -> str:
    """Return how fresh a strength was on ``on``: ``fresh``, ``ageing`` or ``stale``."""
    day = (
        dt.date.fromisoformat(last_confirmed) if isinstance(last_confirmed, str) else last_confirmed
    )
    age = (on - day).days
    if age <= FRESH_DAYS:
        return "fresh"
    return "ageing" if age <= STALE_DAYS else "stale"


FRESHNESS_LABELS = {
    "fresh": lazy("Confirmed in the 6 months before the check"),
    "ageing": lazy("Confirmed 6 to 12 months before the check"),
    "stale": lazy("Not confirmed in the year before the check"),
}


@dataclass(frozen=True)
class Summary:
    """Counts a reader takes in at once: inside the catchment by kind, theme and freshness."""

    inside: int
    nearby: int
    by_kind: dict[Kind, int]
    by_theme: dict[Theme, int]
    by_freshness: dict[str, int]


def summarise(findings: Sequence[Mapping[str, Any]], on: dt.date) -> Summary:
    """Count the strengths found inside the catchment by kind, theme and freshness."""
    inside = [f for f in findings if f["where"] == INSIDE]
    kinds = Counter(Kind(f["kind"]) for f in inside)
    themes = Counter(Theme(t) for f in inside for t in f["themes"])
    fresh = Counter(freshness(f["last_confirmed"], on) for f in inside)
    return Summary(
        inside=len(inside),
        nearby=len(findings) - len(inside),
        by_kind={kind: kinds[kind] for kind in Kind},
        by_theme={theme: themes[theme] for theme in Theme if themes[theme]},
        by_freshness={name: fresh[name] for name in FRESHNESS_LABELS},
    )


@dataclass(frozen=True)
class Changes:
    """What running a check again would change in what it found.

    ``added`` and ``moved`` hold new findings; ``dropped`` holds earlier ones, as shown now;
    ``gone`` counts earlier ones whose strengths have since left the map.
    """

    added: list[dict[str, Any]]
    dropped: list[dict[str, Any]]
    moved: list[dict[str, Any]]
    gone: int
    before: tuple[int, int]  # inside, nearby
    after: tuple[int, int]

    @property
    def any(self) -> bool:
        """Return whether the new run would find anything other than the earlier one did."""
        return bool(self.added or self.dropped or self.moved or self.gone)


def compare(before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]) -> Changes:
    """Return what changes from ``before`` (findings as ``shown``) to ``after`` (a new run)."""
    earlier = {f["id"]: f for f in before if not f.get(WITHDRAWN)}
    later = {f["id"]: f for f in after}
    return Changes(
        added=[dict(f) for i, f in later.items() if i not in earlier],
        dropped=[dict(f) for i, f in earlier.items() if i not in later],
        moved=[
            dict(f) for i, f in later.items() if i in earlier and earlier[i]["where"] != f["where"]
        ],
        gone=sum(1 for f in before if f.get(WITHDRAWN)),
        before=_where_counts(before),
        after=_where_counts(after),
    )


def _where_counts(findings: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    inside = sum(1 for f in findings if f["where"] == INSIDE)
    return inside, len(findings) - inside


FILTER_WORDS_MAX = 200


@dataclass(frozen=True)
class FindingFilter:
    """Which findings a person wants to see: those holding every word, of one kind or any."""

    words: tuple[str, ...] = ()
    kind: Kind | None = None

    @classmethod
    def parse(cls, words: Any, kind: Any) -> FindingFilter:
        """Return the filter from loose input, or raise ``ValidationError`` naming the field
        (``words`` or ``kind``) and why."""
        text = "" if words is None else str(words)
        if len(text) > FILTER_WORDS_MAX:
            raise ValidationError(
                {"words": _("must be at most %(most)d characters", most=FILTER_WORDS_MAX)}
            )
        if kind in (None, ""):
            return cls(tuple(text.split()), None)
        try:
            return cls(tuple(text.split()), Kind(kind))
        except ValueError:
            known = ", ".join(k.value for k in Kind)
            raise ValidationError(
                {"kind": _("must be one of %(known)s, or any", known=known)}
            ) from None

    def matches(self, record: Mapping[str, Any]) -> bool:
        """Return whether a finding is of the kind (any, if none) and holds every word in its
        title, kind or themes' labels, ignoring case."""
        if self.kind is not None and record["kind"] != self.kind.value:
            return False
        text = filter_text(record)
        return all(word.casefold() in text for word in self.words)


def filter_text(record: Mapping[str, Any]) -> str:
    """Return the words a finding is filtered on: its title, kind and themes' labels."""
    labels = [Theme(theme).label for theme in record["themes"]]
    return " ".join([record["title"], record["kind"], *labels]).casefold()
