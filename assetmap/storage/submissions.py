"""Keys of forms sent, so a strength sent twice (again after a lost connection, or from a queue
of forms a phone kept while offline) is added once.

A person's device makes a key when it shows the form and sends it with the strength. The key is
recorded, with the strength it added, in the same transaction as the strength: the database's
unique ``(user_id, key)`` lets only one of two sends of the same key add anything, even when they
arrive together, and the other is answered with the strength the first added. A key is one
person's alone: the same key from someone else is a different form.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.storage.assets import add_asset
from assetmap.storage.database import begin_write
from assetmap.storage.models import Asset, SubmissionKey

KEY_MAX = 64
# Letters, digits and a few marks, as a UUID or a client's own token is written.
_KEY = re.compile(rf"[A-Za-z0-9._:~-]{{1,{KEY_MAX}}}")


def is_key(value: str) -> bool:
    """Return whether ``value`` may be a submission key: 1 to 64 letters, digits or ``._:~-``."""
    return _KEY.fullmatch(value) is not None


def sent_before(session: orm.Session, user_id: int, key: str) -> SubmissionKey | None:
    """Return the record of this person's earlier send with this key, or None."""
    return session.scalars(
        sa.select(SubmissionKey).where(SubmissionKey.user_id == user_id, SubmissionKey.key == key)
    ).first()


def add_once(
    session: orm.Session, draft: AssetDraft, *, owner_id: int, key: str, cell_m: float
) -> tuple[Asset | None, bool]:
    """Add ``draft`` for ``owner_id`` unless their send with ``key`` already added it.

    Returns the strength and True when this send added it, or what the earlier send added and
    False (None if that strength has since been erased). Without a key it simply adds. The
    strength and the key are written in a savepoint of the caller's transaction, so a send that
    loses a race leaves nothing of its own behind; the caller commits.
    """
    if not key:
        return add_asset(session, draft, owner_id=owner_id, cell_m=cell_m), True
    if not is_key(key):
        raise ValueError(f"not a submission key: {key!r}")
    begin_write(session)
    earlier = sent_before(session, owner_id, key)
    if earlier is not None:
        return _added_by(session, earlier), False
    try:
        with session.begin_nested():
            asset = add_asset(session, draft, owner_id=owner_id, cell_m=cell_m)
            session.add(SubmissionKey(user_id=owner_id, key=key, asset_id=asset.id))
            session.flush()
    except sa_exc.IntegrityError:
        # Another send of the same key was recorded first (and has committed): answer with it.
        earlier = sent_before(session, owner_id, key)
        if earlier is None:
            raise
        return _added_by(session, earlier), False
    return asset, True


def _added_by(session: orm.Session, earlier: SubmissionKey) -> Asset | None:
    return session.get(Asset, earlier.asset_id) if earlier.asset_id is not None else None
