"""The JSON API under /api and its OpenAPI description."""
