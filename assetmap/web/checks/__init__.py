"""Strength checks: running one, deciding, publishing, and the log of what was decided."""
