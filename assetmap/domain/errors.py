"""The one error the domain raises for bad input."""

from __future__ import annotations

from collections.abc import Mapping


class ValidationError(ValueError):
    """Input was refused; ``errors`` maps each field to the reason it was refused."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in self.errors.items()))
