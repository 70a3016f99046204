from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.storage import assets as store
from assetmap.storage.contacts import contact_routes


def test_contact_routes_are_those_of_the_strengths_asked_for_that_have_one(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    drafts = [
        make_draft(contact="choir@example.org", contact_via_coach=True),
        make_draft(title="Quiet"),
        make_draft(title="Other", contact="other@example.org"),
    ]
    route, quiet, _other = (
        store.add_asset(session, draft, owner_id=None, cell_m=400.0) for draft in drafts
    )
    session.commit()
    routes = contact_routes(session, [route.id, quiet.id])
    assert [(r.id, r.contact, r.contact_via_coach) for r in routes] == [
        (route.id, "choir@example.org", True)
    ]
    assert contact_routes(session, []) == []
