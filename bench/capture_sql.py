"""Print the SQL the real app runs for one ``GET /api/v1/agreements?limit=50``.

Run as a subprocess with ``MOU_DATABASE_URL`` and ``BENCH_TOKEN`` set:

    MOU_DATABASE_URL=... BENCH_TOKEN=... .venv/bin/python bench/capture_sql.py

Builds the app with ``mou.app.create_app``, wraps its engine's ``run_querystring`` (in this
process only) to record each statement as the driver receives it, sends the request twice
through Litestar's ``TestClient`` and prints the statements of the second one as JSON, for
``list_agreements.py`` to compare with the baseline's.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

PATH = "/api/v1/agreements?limit=50"


def main() -> int:
    from litestar.testing import TestClient

    from mou.app import create_app
    from mou.db import engine_for
    from mou.settings import Settings

    settings = Settings.from_env()
    seen: list[str] = []
    engine = type(engine_for(settings))
    original = engine.run_querystring

    async def recording(self: Any, querystring: Any, in_pool: bool = True) -> Any:
        seen.append(querystring.compile_string(engine_type=self.engine_type)[0])
        return await original(self, querystring, in_pool=in_pool)

    engine.run_querystring = recording  # type: ignore[method-assign]
    headers = {"Authorization": f"Bearer {os.environ['BENCH_TOKEN']}"}
    with TestClient(app=create_app(settings)) as client:
        client.get(PATH, headers=headers)
        seen.clear()
        response = client.get(PATH, headers=headers)
    print(json.dumps({"status": response.status_code, "statements": seen}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
