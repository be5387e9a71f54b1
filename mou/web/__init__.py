"""The web kernel: what every controller and page shares, and no feature's rules.

* ``params``: path and query parameter types, the caller of a request.
* ``bodies``: JSON request bodies held to their declared types exactly (``ApiController``).
* ``preconditions``: ``If-Match`` read as the version a write expects, ``ETag`` written.
* ``problems``: errors as ``application/problem+json`` and the handlers that map them.
* ``outages``: a database that is down or full answers 503 with ``Retry-After``, not 500.
* ``negotiation``: a person's browser gets an error page (or the login page), the API
  problem+json (``exception_handlers``, given the page renderer).
* ``openapi``: the document says what the handlers really accept and answer (``documented``).
* ``guard``: the app-wide role guard over a route -> roles mapping, and the start-up check
  that the mapping names exactly the app's routes.
* ``proxies``: the client's address, through the proxies the app trusts.
* ``downloads``: files the browser saves by name (CSV, XLSX, calendars).
* ``headers``: security headers on every response.
* ``templating``: the one Jinja environment (pages and PDF minutes).

Nothing is imported here: render workers import ``templating`` without Litestar.
"""
