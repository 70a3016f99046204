"""How long, how many and how large each field of a strength may be.

Validation (``domain.assets``) enforces these and the field table (``domain.fields``) states
them in the API's request schema, so both read them from here.
"""

from __future__ import annotations

TITLE_MAX = 120
DESCRIPTION_MAX = 4000
SHORT_TEXT_MAX = 300
ACCESSIBILITY_MAX = 1000
CONTACT_MAX = 200
TAG_MAX = 30
TAGS_MAX = 10
THEMES_MAX = 5
FACILITY_MAX = 40
FACILITIES_MAX = 20
CAPACITY_MIN = 1
CAPACITY_MAX = 100_000
# A BCP 47 language tag, as the register's column holds it.
LANGUAGE_MAX = 35
