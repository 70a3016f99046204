"""Contact routes of a page of strengths, read in one query with what the rules need.

Whether a viewer may see a route is ``domain.permissions.can_see_contact``'s to say: each
route carries the fields that rule reads.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.vocab import Kind
from assetmap.storage.models import Asset


# Not frozen: the permission rules take anything with these attributes as plain variables.
@dataclass(slots=True)
class ContactRoute:
    """How to get in touch with a strength, and who may be told (``can_see_contact``)."""

    id: int
    contact: str
    kind: Kind
    owner_id: int | None
    contact_via_coach: bool
    neighbourhood_id: int | None


_COLUMNS = (
    Asset.id,
    Asset.contact,
    Asset.kind,
    Asset.owner_id,
    Asset.contact_via_coach,
    Asset.neighbourhood_id,
)


def contact_routes(session: orm.Session, ids: Collection[int]) -> list[ContactRoute]:
    """Return the contact route of each strength of ``ids`` that has one, whatever its status,
    in one query."""
    if not ids:
        return []
    query = sa.select(*_COLUMNS).where(Asset.id.in_(sorted(set(ids))), Asset.contact != "")
    return [ContactRoute(*row) for row in session.execute(query)]
