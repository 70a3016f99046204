from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from assetmap.domain.passwords import hash_password, password_matches

PASSWORD = "correct horse battery"


def test_a_hash_verifies_its_password_only():
    stored = hash_password(PASSWORD)
    assert password_matches(stored, PASSWORD)
    assert not password_matches(stored, PASSWORD + "!")


def test_a_hash_has_werkzeugs_scrypt_format_with_a_fresh_salt():
    method, salt, digest = hash_password(PASSWORD).split("$")
    assert method == "scrypt:32768:8:1"
    assert len(salt) == 16 and salt.isalnum()
    assert len(digest) == 128
    assert hash_password(PASSWORD) != hash_password(PASSWORD)


def test_hashes_werkzeug_made_still_verify():
    for method in ("scrypt", "pbkdf2:sha256:1000"):
        stored = generate_password_hash(PASSWORD, method=method)
        assert password_matches(stored, PASSWORD)
        assert not password_matches(stored, "another password")


def test_a_hash_in_no_known_format_matches_nothing():
    for stored in ("", "plain", "md5$salt$abc", "scrypt:x:8:1$salt$abc", "pbkdf2:nohash:1$s$ab"):
        assert not password_matches(stored, PASSWORD)


def test_werkzeug_verifies_a_hash_made_here():
    assert check_password_hash(hash_password(PASSWORD), PASSWORD)
