"""Blueprints: thin views that parse a request, call domain and storage, and render."""
