"""Agreements, their parties and scope, and the stages they pass through."""
