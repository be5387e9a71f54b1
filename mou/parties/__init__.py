"""Organisations and the people who work for them."""
