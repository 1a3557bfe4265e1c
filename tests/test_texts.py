"""The message catalogues: complete in every language, the same placeholders, plurals, languages."""

from __future__ import annotations

import gettext
import io
import string
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.texts import LANGUAGES, describe_schedule, language_choice, language_for, shorten, texts_for

CATALOGUES = Path(__file__).resolve().parents[1] / "bot" / "locales"
LOCALES = ("en", "zh_Hans", "zh_Hant")


def _catalogue(locale: str) -> dict[str, tuple[str, ...]]:
    with (CATALOGUES / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    return {
        (m.id[0] if isinstance(m.id, tuple) else m.id): (
            m.string if isinstance(m.string, tuple) else (m.string,)
        )
        for m in catalog
        if m.id
    }


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_matches_its_po_file(locale: str) -> None:
    """The bot reads messages.mo; it must say what messages.po says (run `pybabel compile`)."""
    folder = CATALOGUES / locale / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale.split("_")[0])
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    with (folder / "messages.mo").open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    expected = gettext.GNUTranslations(compiled)
    assert shipped._catalog == expected._catalog, (  # type: ignore[attr-defined]
        f"{folder / 'messages.mo'} is stale: uv run pybabel compile -d bot/locales -D messages"
    )
    assert shipped.plural(2) == expected.plural(2)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("locale", LOCALES[1:])
def test_every_message_is_translated_with_the_same_placeholders(locale: str) -> None:
    english = _catalogue("en")
    translated = _catalogue(locale)
    assert set(translated) == set(english), set(english) ^ set(translated)
    for key, forms in english.items():
        assert all(form.strip() for form in translated[key]), (locale, key)
        wanted = set().union(*(_fields(form) for form in forms))
        for form in translated[key]:
            assert _fields(form) == wanted, (locale, key, form)


def test_every_message_is_used_by_the_code() -> None:
    """A message no code asks for (by its id, or by the start or end it completes:
    ``f"length_{name}"``, ``f"{setting}_examples"``) is a text that drifted away from its feature."""
    import re

    code = "\n".join(
        path.read_text(encoding="utf-8")
        for package in ("bot", "digests")
        for path in (CATALOGUES.parents[1] / package).rglob("*.py")
    )
    prefixes = tuple(set(re.findall(r"""f["']([a-z_]+_)\{""", code)))
    suffixes = tuple(set(re.findall(r"""f["']\{[a-z_.]+\}(_[a-z_]+)["']""", code)))
    unused = [
        key
        for key in _catalogue("en")
        if f'"{key}"' not in code
        and f"'{key}'" not in code
        and not key.startswith(prefixes)
        and not key.endswith(suffixes)
    ]
    assert prefixes and suffixes and unused == []


def test_english_plurals_pick_the_form_by_count() -> None:
    texts = texts_for("en")
    assert texts.plural("published", 1, id=3, title="T", sections=1).endswith("with 1 section.")
    assert texts.plural("published", 2, id=3, title="T", sections=2).endswith("with 2 sections.")
    assert "共 2 节" in texts_for("zh").plural("published", 2, id=3, title="T", sections=2)


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("en", "en"),
        (None, "en"),
        ("de", "en"),
        ("zh", "zh"),
        ("zh-hans", "zh"),
        ("zh-CN", "zh"),
        ("zh-hant", "zh-hant"),
        ("zh-TW", "zh-hant"),
        ("zh-hk", "zh-hant"),
        ("zh_MO", "zh-hant"),
    ],
)
def test_telegram_language_codes_choose_the_interface(code: str | None, language: str) -> None:
    assert language_for(code) == language


def test_language_words_and_all_three_catalogues() -> None:
    assert [language_choice(word) for word in ("EN", "cn", "zh-TW", "繁體", "fr")] == [
        "en",
        "zh",
        "zh-hant",
        "zh-hant",
        None,
    ]
    welcomes = {language: texts_for(language)("welcome") for language in LANGUAGES}
    assert "Hello" in welcomes["en"] and "发送摘要" in welcomes["zh"] and "傳送摘要" in welcomes["zh-hant"]


def test_schedules_read_in_each_language() -> None:
    assert describe_schedule("07:30 mon-fri", texts_for("en")) == "Mon–Fri at 07:30"
    assert describe_schedule("07:30 mon-fri", texts_for("zh")) == "周一至周五 07:30"
    assert describe_schedule("08:00 sat,sun", texts_for("zh-hant")) == "週六、週日 08:00"
    assert "即时" in describe_schedule("instant", texts_for("zh"))


def test_values_are_escaped_and_echoes_cut() -> None:
    assert "&lt;b&gt;" in texts_for("en")("source_not_found", id="<b>")
    assert len(shorten("x" * 5000)) == 40


def test_fetch_failures_read_in_the_readers_language() -> None:
    from digests.fetch import FetchError

    error = FetchError("refused: 10.0.0.1 is a private address", reason="blocked_address", address="10.0.0.1")
    assert texts_for("en").failure(error) == "I may not fetch 10.0.0.1: it is a private or local address."
    assert texts_for("zh").failure(error) == "不能抓取 10.0.0.1：这是内部或本地地址。"
    assert texts_for("zh-hant").failure(error) == "不能抓取 10.0.0.1：這是內部或本地地址。"
    unknown = FetchError("something new <b>", reason="")
    assert texts_for("zh").failure(unknown) == "something new <b>"  # escaped where it is put in a message
