"""What the running app holds for the web views, the commands and the use cases alike: its
database, the area strengths must lie in, and the absolute links it builds.

Each is kept on the Flask app (``app.extensions``) when the app starts, so ``web``, ``cli`` and
``services`` read the same one without importing each other.
"""
