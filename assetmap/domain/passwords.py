"""Password hashes: salted scrypt, stored as ``scrypt:32768:8:1$salt$hex``.

The format is the one werkzeug wrote before hashing moved here, so every stored hash still
verifies; werkzeug's older ``pbkdf2:sha256:600000$salt$hex`` hashes verify too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

METHOD = "scrypt:32768:8:1"
SALT_LENGTH = 16
_SALT_CHARS = string.ascii_letters + string.digits


def hash_password(password: str) -> str:
    """Return a salted scrypt hash of ``password`` in the stored format."""
    salt = "".join(secrets.choice(_SALT_CHARS) for _ in range(SALT_LENGTH))
    return f"{METHOD}${salt}${_derive(METHOD, salt, password)}"


def password_matches(stored: str, password: str) -> bool:
    """Return whether ``password`` is the one ``stored`` (a hash in the stored format) was made
    from; False for a hash in no format known here."""
    try:
        method, salt, expected = stored.split("$", 2)
        derived = _derive(method, salt, password)
    except ValueError:
        return False
    return hmac.compare_digest(derived, expected)


def _derive(method: str, salt: str, password: str) -> str:
    name, *args = method.split(":")
    if name == "scrypt" and len(args) == 3:
        n, r, p = map(int, args)
        key = hashlib.scrypt(
            password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p
        )
        return key.hex()
    if name == "pbkdf2" and len(args) == 2:
        key = hashlib.pbkdf2_hmac(args[0], password.encode(), salt.encode(), int(args[1]))
        return key.hex()
    raise ValueError(f"unknown password hash method {method!r}")
