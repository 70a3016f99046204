"""Running the site: roles and moderation."""
