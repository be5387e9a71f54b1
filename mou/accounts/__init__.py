"""Users, their API tokens and web sessions.

Other features use only its ``tables`` (see ``mou.surface``): the caller is ``mou.caller``'s.
"""

__all__: list[str] = []
