"""The translations: every word the app marks is in the catalogue template, every shipped
language translates every one of them, and every catalogue compiles.

``make translations`` brings the template and the catalogues up to the code; these tests fail
when someone marks a new word and forgets to, or a language ships with a word untranslated.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from assetmap.web.i18n import DEFAULT, LANGUAGES, TRANSLATIONS

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(code for code in LANGUAGES if code != DEFAULT)
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy": None, "_l": None, "N_": None}


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


def _marked() -> Iterator[str]:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    for _filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        yield _key(message)


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.fixture(scope="module")
def template() -> Catalog:
    return _read(TRANSLATIONS / "messages.pot")


def test_the_template_holds_every_word_the_app_marks(template: Catalog) -> None:
    marked = set(_marked())
    held = {_key(message.id) for message in template if message.id}
    assert marked - held == set(), "run `make translations`: these are not in messages.pot"
    assert held - marked == set(), "run `make translations`: these are no longer marked"
    assert len(held) > 500  # The whole interface, not a few words of it.


@pytest.mark.parametrize("code", SHIPPED)
def test_every_shipped_language_translates_every_word(code: str, template: Catalog) -> None:
    catalog = _read(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", locale=code)
    wanted = {_key(message.id) for message in template if message.id}
    translated = {
        _key(message.id)
        for message in catalog
        if message.id
        and "fuzzy" not in message.flags
        and all(form.strip() for form in _forms(message.string, catalog.num_plurals))
    }
    assert sorted(wanted - translated) == []


@pytest.mark.parametrize("code", SHIPPED)
def test_every_catalogue_compiles_with_its_placeholders_and_plurals(code: str) -> None:
    catalog = _read(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", locale=code)
    problems = [
        f"{_key(message.id)!r}: {'; '.join(str(error) for error in errors)}"
        for message, errors in catalog.check()
    ]
    assert problems == []
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    assert len(read_mo(compiled)) == len([message for message in catalog if message.id])


def _forms(string: str | tuple[str, ...] | None, count: int) -> list[str]:
    if isinstance(string, tuple):
        return list(string) if len(string) == count else [""]
    return [string or ""]
