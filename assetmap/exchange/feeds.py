"""Other directories' feeds: an HSDS / Open Referral UK API read page by page, or a dump of one.

``read_feed`` reads an API's services (``{base}/services?full=true&page=N``, or a URL that is
itself a list of services) until its last page, checking each page as it comes: JSON, no larger
than a page may be, with ``contents``, and paged as the first page said (a ``total_pages`` that
changes, or a page left empty before the last, is a feed that can't be trusted, and nothing of
it is read). ``flatten`` makes one flat HSDS document of what was read, or of a dump (an HSDS
document, a list of full services, one API page, or a single full service, organization or
service at a location), so that dumps and APIs go through the one HSDS reader.

Only http and https are fetched, with a timeout and a ``User-Agent: assetmap``. No database here.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from assetmap.domain.i18n import _

LISTS = ("organizations", "services", "locations")
USER_AGENT = "assetmap"
_SCHEMES = ("http", "https")


class FeedProblem(ValueError):
    """A feed can't be read as a whole: ``where`` names the page (or the feed), ``reason`` why."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where, self.reason = where, reason


@dataclass(frozen=True)
class FeedLimits:
    """How a feed is read: seconds a page may take, services asked for per page, at most how
    many pages, and at most how many bytes a page may be."""

    timeout_s: float = 30.0
    per_page: int = 100
    max_pages: int = 1000
    max_page_bytes: int = 10 * 1024 * 1024


def is_url(text: str) -> bool:
    """Return whether ``text`` is a web address (http or https) rather than a file's path."""
    return urllib.parse.urlsplit(text).scheme.lower() in _SCHEMES


def read_feed(url: str, limits: FeedLimits = FeedLimits()) -> dict[str, list[Any]]:
    """Return the flat HSDS document an API's services make, every page of them read.

    ``url`` is the API's root (answering ``{"version": ...}``), a list of services, or a JSON
    dump served on the web. Raises FeedProblem naming the page that could not be read.
    """
    if not is_url(url):
        raise FeedProblem(
            _("the feed"), _("must be an http or https address, got %(got)r", got=url)
        )
    first = fetch_json(url, _("the feed"), limits)
    if isinstance(first, dict) and "contents" not in first and "version" in first:
        root = url.split("?", 1)[0].rstrip("/")
        pages = _Pages(f"{root}/services?full=true", 1, limits)
        return flatten({"services": list(pages.read(None))})
    if isinstance(first, dict) and "contents" in first:
        pages = _Pages(url, _page_of(url), limits)
        return flatten({"services": list(pages.read(first))})
    return flatten(first)


def fetch_json(url: str, where: str, limits: FeedLimits) -> Any:
    """Return the JSON document at ``url``, or raise FeedProblem saying what went wrong."""
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
    )
    try:
        with _opener().open(request, timeout=limits.timeout_s) as response:
            data = response.read(limits.max_page_bytes + 1)
    except urllib.error.HTTPError as exc:
        said = _("answered HTTP %(code)s (%(url)s)", code=exc.code, url=url)
        raise FeedProblem(where, said) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FeedProblem(
            where, _("could not be read (%(reason)s) from %(url)s", reason=str(reason), url=url)
        ) from None
    if len(data) > limits.max_page_bytes:
        raise FeedProblem(
            where,
            _(
                "is larger than the %(most)s MB a page may be (%(url)s)",
                most=format(limits.max_page_bytes / 1024 / 1024, "g"),
                url=url,
            ),
        )
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise FeedProblem(
            where, _("is not valid JSON (%(error)s) at %(url)s", error=str(exc), url=url)
        ) from None


class _HttpOnly(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to another http or https address."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str):  # type: ignore[no-untyped-def]
        if not is_url(newurl):
            raise urllib.error.URLError(f"redirected to {newurl!r}, which is not http or https")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_HttpOnly())


def _page_of(url: str) -> int:
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    try:
        return max(int(query.get("page", "1")), 1)
    except ValueError:
        return 1


def page_url(url: str, number: int, per_page: int) -> str:
    """Return ``url`` asking for page ``number`` of full services, ``per_page`` at a time
    unless it says how many itself."""
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    query.setdefault("full", "true")
    query.setdefault("per_page", str(per_page))
    query["page"] = str(number)
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


class _Pages:
    """The pages of a paged list, read in turn and checked against what the first said."""

    def __init__(self, url: str, start: int, limits: FeedLimits) -> None:
        self.url, self.start, self.limits = url, start, limits
        self.total_pages: int | None = None
        self.total_items: int | None = None

    def read(self, first: Any) -> Iterator[Any]:
        """Yield the items of every page, from ``start`` (whose document is ``first``, if
        already read) to the last."""
        number, items = self.start, 0
        document = first
        while True:
            url = page_url(self.url, number, self.limits.per_page)
            where = _("page %(number)s", number=number)
            if document is None:
                document = fetch_json(url, where, self.limits)
            contents = self._check(document, number, where, url)
            items += len(contents)
            yield from contents
            if self._is_last(document, number, contents, where):
                break
            number, document = number + 1, None
            if number - self.start >= self.limits.max_pages:
                raise FeedProblem(
                    where,
                    _(
                        "is not the last page, and a feed may have at most %(most)s pages",
                        most=self.limits.max_pages,
                    ),
                )
        if self.total_items is not None and items != self.total_items:
            raise FeedProblem(
                _("the feed"),
                _(
                    "said it holds %(said)s services (total_items) but its pages held %(got)s",
                    said=self.total_items,
                    got=items,
                ),
            )

    def _check(self, document: Any, number: int, where: str, url: str) -> list[Any]:
        if not isinstance(document, dict) or not isinstance(document.get("contents"), list):
            raise FeedProblem(
                where, _("has no contents list: it is not a page of services (%(url)s)", url=url)
            )
        said = document.get("page_number")
        if said is not None and said != number:
            raise FeedProblem(where, _("says it is page %(said)s (%(url)s)", said=said, url=url))
        total = document.get("total_pages")
        if total is not None:
            if not isinstance(total, int) or isinstance(total, bool) or total < 0:
                raise FeedProblem(
                    where, _("total_pages must be a whole number, got %(got)r", got=total)
                )
            if self.total_pages is not None and total != self.total_pages:
                raise FeedProblem(
                    where,
                    _(
                        "says total_pages is %(got)s, but page %(start)s said %(said)s",
                        got=total,
                        start=self.start,
                        said=self.total_pages,
                    ),
                )
            if total - self.start + 1 > self.limits.max_pages:
                raise FeedProblem(
                    where,
                    _(
                        "says total_pages is %(got)s, more than the %(most)s pages a feed may have",
                        got=total,
                        most=self.limits.max_pages,
                    ),
                )
            self.total_pages = total
        if number == self.start and isinstance(document.get("total_items"), int):
            self.total_items = int(document["total_items"])
        return list(document["contents"])

    def _is_last(self, document: dict[str, Any], number: int, contents: list[Any], where: str):  # type: ignore[no-untyped-def]
        said_last = document.get("last_page") is True
        by_count = self.total_pages is not None and number >= self.total_pages
        if said_last or by_count:
            if self.total_pages is not None and said_last and number < self.total_pages:
                raise FeedProblem(
                    where,
                    _(
                        "says it is the last page, but total_pages says %(total)s",
                        total=self.total_pages,
                    ),
                )
            return True
        if self.total_pages is None and "last_page" not in document:
            # A list that says nothing of pages is one page.
            return True
        if not contents:
            raise FeedProblem(
                where,
                _(
                    "is empty, but the feed said it has %(total)s pages",
                    total=self.total_pages if self.total_pages is not None else "more",
                ),
            )
        return False


def flatten(document: Any) -> dict[str, list[Any]]:
    """Return one flat HSDS document of ``organizations``, ``services`` and ``locations``
    from any shape a dump or an API gives: each object once (by id), nested ones taken out
    and linked by id (a service's ``organization_id``, a service at a location's
    ``location_id``, a location's ``organization_id``)."""
    flat = _Flat()
    if isinstance(document, dict) and "contents" in document:
        document = {"services": document.get("contents")}
    if isinstance(document, list):
        name = "services" if any(map(_is_service, document[:10])) else "organizations"
        document = {name: document}
    if isinstance(document, dict) and not any(name in document for name in LISTS):
        # One object: a full service, organization or location, or a service at a location.
        document = {_single(document): [document]}
    if not isinstance(document, dict):
        return {name: [] for name in LISTS}
    for name in LISTS:
        if not isinstance(document.get(name, []), list):
            return {**{n: [] for n in LISTS}, name: document[name]}
    for org in document.get("organizations") or []:
        flat.organization(org)
    for service in document.get("services") or []:
        flat.service(service)
    for location in document.get("locations") or []:
        flat.location(location)
    return flat.document()


def _is_service(item: Any) -> bool:
    return isinstance(item, dict) and any(
        key in item for key in ("service_at_locations", "organization", "organization_id")
    )


def _single(item: dict[str, Any]) -> str:
    if ("service" in item and "location" in item) or _is_service(item) or "assured_date" in item:
        return "services"
    if "latitude" in item or "location_type" in item:
        return "locations"
    return "organizations"


class _Flat:
    """Objects gathered by kind and id, each once: a second sight of an id fills in what the
    first lacked."""

    def __init__(self) -> None:
        self.found: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in LISTS}
        self.loose: dict[str, list[Any]] = {name: [] for name in LISTS}

    def _keep(self, name: str, item: Any) -> dict[str, Any] | None:
        if not isinstance(item, dict) or not item.get("id"):
            self.loose[name].append(item)
            return item if isinstance(item, dict) else None
        key = str(item["id"])
        kept = self.found[name].setdefault(key, {})
        for field, value in item.items():
            if kept.get(field) in (None, "", []):
                kept[field] = value
        return kept

    def organization(self, org: Any) -> None:
        if not isinstance(org, dict):
            self._keep("organizations", org)
            return
        nested = {k: org.get(k) for k in ("services", "locations")}
        self._keep("organizations", _without(org, "services", "locations"))
        org_id = org.get("id")
        for service in nested["services"] or []:
            if isinstance(service, dict) and org_id:
                service = {**service, "organization_id": service.get("organization_id") or org_id}
            self.service(service)
        for location in nested["locations"] or []:
            if isinstance(location, dict) and org_id:
                location = {
                    **location,
                    "organization_id": location.get("organization_id") or org_id,
                }
            self.location(location)

    def service(self, service: Any) -> None:
        if isinstance(service, dict) and "service" in service and "location" in service:
            self.service_at_location(service)
            return
        if not isinstance(service, dict):
            self._keep("services", service)
            return
        if not _is_service(service) and ("services" in service or "locations" in service):
            # A dump's list of services may hold a full organization, its services within.
            self.organization(service)
            return
        org = service.get("organization")
        flat = _without(service, "organization")
        if isinstance(org, dict):
            self.organization(org)
            flat["organization_id"] = service.get("organization_id") or org.get("id")
        at_locations = []
        for at in service.get("service_at_locations") or []:
            if not isinstance(at, dict):
                continue
            location = at.get("location")
            at = _without(at, "location", "service")
            if isinstance(location, dict):
                self.location(location)
                at["location_id"] = at.get("location_id") or location.get("id")
            at_locations.append(at)
        if at_locations or "service_at_locations" in service:
            flat["service_at_locations"] = at_locations
        self._keep("services", flat)

    def service_at_location(self, item: dict[str, Any]) -> None:
        service, location = item.get("service"), item.get("location")
        if not isinstance(service, dict):
            return
        at = _without(item, "service", "location")
        if isinstance(location, dict):
            at["location_id"] = location.get("id")
        self.service({**service, "service_at_locations": [at, *_list(service)]})
        if isinstance(location, dict):
            self.location(location)

    def location(self, location: Any) -> None:
        self._keep("locations", location)

    def document(self) -> dict[str, list[Any]]:
        return {name: [*self.found[name].values(), *self.loose[name]] for name in LISTS}


def _list(service: dict[str, Any]) -> list[Any]:
    found = service.get("service_at_locations") or []
    return found if isinstance(found, list) else []


def _without(item: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in names}
