"""Pure domain code: asset kinds, validation, privacy rules and geodesy.

Nothing here imports Flask or SQLAlchemy, so every rule can be used and tested on its own.
"""
