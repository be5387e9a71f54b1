"""Minutes of meetings: rendered PDFs, immutable versions, verification.

Other features use nothing of it (see ``mou.surface``); the app mounts its routes.
"""

__all__: list[str] = []
