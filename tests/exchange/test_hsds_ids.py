from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetmap.exchange.hsds import (
    NAMESPACE,
    HsdsRef,
    HsdsRole,
    location_id,
    organization_id,
    parse_id,
    service_at_location_id,
    service_id,
    uid,
)
from assetmap.exchange.hsds_metadata import name_uuid

IDS = st.integers(min_value=1, max_value=2**31 - 1)
MAKERS = {
    HsdsRole.ORGANIZATION: organization_id,
    HsdsRole.SERVICE: service_id,
    HsdsRole.LOCATION: location_id,
    HsdsRole.SERVICE_AT_LOCATION: service_at_location_id,
}


@given(role=st.sampled_from(list(HsdsRole)), asset_id=IDS)
def test_each_role_s_id_parses_back_to_its_strength_and_role(role: HsdsRole, asset_id: int) -> None:
    text = MAKERS[role](asset_id)
    assert parse_id(text) == HsdsRef(role, asset_id, 0)
    assert parse_id(text.upper()) == HsdsRef(role, asset_id, 0)
    assert HsdsRef(role, asset_id).id == text


@given(asset_id=IDS, venue_id=IDS)
def test_a_group_s_service_at_a_space_parses_back_to_both(asset_id: int, venue_id: int) -> None:
    text = service_at_location_id(asset_id, venue_id)
    assert parse_id(text) == HsdsRef(HsdsRole.SERVICE_AT_LOCATION, asset_id, venue_id)


@given(role=st.sampled_from(list(HsdsRole)), asset_id=IDS)
def test_ids_are_rfc_9562_version_8_with_the_namespace_s_tag(role: HsdsRole, asset_id: int) -> None:
    found = uuid.UUID(MAKERS[role](asset_id))
    assert found.version == 8 and found.variant == uuid.RFC_4122
    assert found.hex[:12] == NAMESPACE.hex[:12]


def test_ids_of_different_roles_and_strengths_differ() -> None:
    made = {maker(key) for maker in MAKERS.values() for key in (1, 2, 2**31 - 1)}
    made |= {service_at_location_id(1, venue) for venue in (2, 3)}
    assert len(made) == 4 * 3 + 2


@given(st.text(max_size=60))
def test_any_text_gives_none_or_a_ref_that_formats_back_to_it(text: str) -> None:
    found = parse_id(text)
    assert found is None or found.id == text.lower()


@given(st.uuids())
def test_other_uuids_give_none(value: uuid.UUID) -> None:
    assert parse_id(str(value)) is None


@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_any_128_bit_number_gives_none_or_its_own_id(value: int) -> None:
    text = str(uuid.UUID(int=value))
    found = parse_id(text)
    assert found is None or found.id == text


def _with(text: str, **fields: int) -> str:
    """Return ``text`` with its bit fields changed: version, variant, role, asset, venue."""
    value = uuid.UUID(text).int
    spans = {"version": (76, 4), "variant": (62, 2), "role": (64, 12), "asset": (31, 31)}
    spans["venue"] = (0, 31)
    spans["tag"] = (80, 48)
    for name, replacement in fields.items():
        shift, width = spans[name]
        value = value & ~(((1 << width) - 1) << shift) | (replacement << shift)
    return str(uuid.UUID(int=value))


@pytest.mark.parametrize(
    "change",
    [
        {"version": 4},
        {"version": 5},
        {"version": 7},
        {"variant": 0b11},
        {"variant": 0b01},
        {"role": 0},
        {"role": 5},
        {"role": 0xFFF},
        {"asset": 0},
        {"tag": 0},
        {"tag": (NAMESPACE.int >> 80) ^ 1},
    ],
    ids=repr,
)
def test_an_id_of_another_version_tag_role_or_strength_gives_none(change: dict[str, int]) -> None:
    assert parse_id(_with(service_id(42), **change)) is None


@pytest.mark.parametrize("role", [HsdsRole.ORGANIZATION, HsdsRole.SERVICE, HsdsRole.LOCATION])
def test_a_venue_on_anything_but_a_service_at_a_location_gives_none(role: HsdsRole) -> None:
    assert parse_id(_with(MAKERS[role](42), venue=7)) is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not-an-id",
        "0" * 36,
        "{" + service_id(42) + "}",
        "urn:uuid:" + service_id(42),
        service_id(42).replace("-", ""),
        service_id(42)[:-1],
        service_id(42) + "0",
        " " + service_id(42)[1:],
        service_id(42)[:8] + service_id(42)[9:] + "-",
        service_id(42).replace("4", "\u0664"),
        uid(42, "service"),
        uid("term", "theme", "sport"),
    ],
)
def test_garbage_and_other_forms_give_none(text: str) -> None:
    assert parse_id(text) is None


@pytest.mark.parametrize("value", [None, 42, b"\x00" * 16, ["x"], {"id": "x"}])
def test_values_that_are_not_text_give_none(value: object) -> None:
    assert parse_id(value) is None


@pytest.mark.parametrize(
    ("asset_id", "venue_id"), [(0, 0), (-1, 0), (2**31, 0), (1, -1), (1, 2**31)]
)
def test_ids_out_of_range_are_refused_when_made(asset_id: int, venue_id: int) -> None:
    with pytest.raises(ValueError, match="ids must be from 1"):
        service_at_location_id(asset_id, venue_id)


@given(namespace=st.uuids(), name=st.text())
def test_name_based_ids_are_uuid5_as_the_standard_library_makes_them(
    namespace: uuid.UUID, name: str
) -> None:
    assert name_uuid(namespace.bytes, name) == str(uuid.uuid5(namespace, name))


@given(parts=st.lists(st.one_of(st.integers(), st.text()), min_size=1, max_size=4))
def test_other_objects_keep_their_uuid5_ids(parts: list[object]) -> None:
    name = ":".join(str(part) for part in parts)
    assert uid(*parts) == str(uuid.uuid5(NAMESPACE, name))
