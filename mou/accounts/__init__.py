"""Users, their API tokens and web sessions."""
