"""Every message of the pages, the PDF and the error pages is in both languages."""

from __future__ import annotations

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from mou.i18n import LOCALE, translations
from mou.labels import LABELS, label
from mou.settings import PROJECT_ROOT
from tests.conftest import REPORT


def _extracted() -> set[str]:
    """The message ids ``./dev i18n`` extracts, from the project's own ``babel.cfg``."""
    with (PROJECT_ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = extract_from_dir(PROJECT_ROOT, method_map, options_map, keywords=keywords)
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def test_every_message_has_an_indonesian_and_an_english_text() -> None:
    ids = _extracted()
    with (LOCALE / "id" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = {m.id: m.string for m in read_po(po, locale="id") if m.id}
    assert {"Waiting for my approval", "In review", "MINUTES OF MEETING", "Sign out"} <= ids
    untranslated = sorted(m for m in ids if not catalogue.get(m))
    assert untranslated == [], "run ./dev i18n and translate these"
    # English is the language of the ids themselves: nothing to translate, nothing to miss.
    english = translations("en")
    assert all(english.gettext(m) == m for m in ids)
    REPORT.append(f"i18n: {len(ids)} messages, each in Indonesian and English")


def test_every_code_has_a_label_in_both_languages() -> None:
    indonesian, english = translations("id").gettext, translations("en").gettext
    assert label("stage", "draft", indonesian) == "Draf"
    assert label("stage", "review", english) == "In review"
    assert label("action", "approve", indonesian) == "Setujui"
    assert label("role", "viewer", indonesian) == "Perwakilan Mitra"
    for kind, codes in LABELS.items():
        for code in codes:
            assert label(kind, code, indonesian) != code, (kind, code)
