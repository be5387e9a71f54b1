"""Meetings of an agreement: attendees, discussion, decisions and action items."""
