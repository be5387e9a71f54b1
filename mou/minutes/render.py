"""Context -> HTML -> PDF. Runs inside a render worker process (see ``mou.minutes.pool``).

Nothing here touches the database or the event loop: a job is plain data in, bytes out.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mou.i18n import translations
from mou.templating import environment

TEMPLATE = "pdf/minutes.html"
PDF_VARIANT = "pdf/a-3b"
TIME_LIMIT_EXCEEDED = "the rendering took longer than its {seconds} s limit"


@dataclass(frozen=True, slots=True)
class RenderJob:
    """What a worker renders: the document context, and its limits."""

    context: dict[str, Any]
    language: str
    template: str = TEMPLATE
    #: Seconds the worker may spend on this job before it gives up.
    time_limit: float = 60.0


class RenderTimeout(Exception):
    """The job ran out of time inside the worker (the worker itself survives)."""


if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from weasyprint.text.fonts import FontConfiguration

    from mou.minutes.fetcher import StaticOnlyFetcher

# WeasyPrint is imported inside the functions that run in workers: the web process never
# needs it (27 MiB and most of a second of start-up, per bench/list_agreements.py).
_font_config: FontConfiguration | None = None


def font_config() -> FontConfiguration:
    """One font configuration per process: building it costs more than a small page."""
    from weasyprint.text.fonts import FontConfiguration

    global _font_config
    if _font_config is None:
        _font_config = FontConfiguration()
    return _font_config


def worker_init(memory_limit: int | None, niceness: int = 0) -> None:
    """Set a worker's limits once, when the pool starts it."""
    if niceness:
        # Renders yield the CPU to the web process: an API call waits for no PDF.
        os.nice(niceness)
    if memory_limit:
        # Address space: a runaway layout ends in MemoryError, not in the OOM killer.
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    # Ctrl-C goes to the app, which stops the pool; workers must not die mid-job on their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    font_config()


def html_of(job: RenderJob) -> str:
    """The HTML of a job, from the one Jinja environment (autoescaped)."""
    template = environment().get_template(job.template)
    return template.render(**job.context, _=translations(job.language).gettext)


def pdf_of(html: str, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """PDF/A-3b bytes of ``html``, its relative URLs resolved in ``static/`` only."""
    from weasyprint import HTML

    from mou.minutes.fetcher import STATIC_BASE_URL, StaticOnlyFetcher

    document = HTML(
        string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher or StaticOnlyFetcher()
    )
    pdf = document.write_pdf(font_config=font_config(), pdf_variant=PDF_VARIANT)
    assert pdf is not None
    return pdf


def render_job(job: RenderJob) -> bytes:
    """Render ``job`` within its time limit; runs in a worker process."""
    fired: list[bool] = []

    def on_alarm(signum: int, frame: Any) -> None:
        fired.append(True)
        raise RenderTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, job.time_limit)
        return pdf_of(html_of(job))
    except Exception:
        # Libraries may wrap the timer's exception in their own (Jinja's compiler does).
        if fired:
            raise RenderTimeout(TIME_LIMIT_EXCEEDED.format(seconds=job.time_limit)) from None
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def worker_main(conn: Connection, memory_limit: int | None, niceness: int = 0) -> None:
    """A render worker: set its limits, warm up, then answer one job at a time until closed.

    A job is ``(function, args)``; the answer ``("ok", result)``, ``("time", message)`` or
    ``("memory", message)`` when a limit stopped it, ``("error", traceback)`` otherwise.
    """
    worker_init(memory_limit, niceness)
    with contextlib.suppress(Exception):
        warm_up()
    conn.send("ready")
    while True:
        try:
            function, args = conn.recv()
        except EOFError:
            return
        conn.send(_answer(function, args))


def _answer(function: Any, args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return ("ok", function(*args))
    except RenderTimeout as exc:
        return ("time", str(exc))
    except MemoryError:
        return ("memory", "")
    except Exception:
        return ("error", traceback.format_exc())


def warm_up() -> int:
    """Load fonts and layout code in a fresh worker, so the first real job is not the slow one."""
    css = environment().get_template("pdf/minutes.css").render()
    pdf_of(f"<style>{css}</style><p>mou <b>mou</b></p>")
    return 0
