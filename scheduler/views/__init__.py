"""Blueprints that are not part of the public or staff pages (calendar feeds)."""
