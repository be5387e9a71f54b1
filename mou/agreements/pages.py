"""Web pages for agreements."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from mou.agreements import selectors
from mou.schemas import DEFAULT_LIMIT
from mou.web.params import Caller


class AgreementPages(Controller):
    include_in_schema = False

    @get("/")
    async def agreements_page(self, request: Caller) -> Template:
        page = await selectors.agreement_list(user=request.user, limit=DEFAULT_LIMIT, offset=0)
        return Template("agreements/index.html", context={"page": page, "user": request.user})
