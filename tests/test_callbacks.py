"""Button data with one codec: what a keyboard packs, a handler unpacks; anything else is refused."""

from __future__ import annotations

import pytest

from bot.usecases.callbacks import (
    CALLBACK_LIMIT,
    ActionButton,
    ArticleButton,
    ForgedCallback,
    SectionButton,
    SettingButton,
)


@pytest.mark.parametrize(
    "button",
    [SectionButton(12, 2), ArticleButton(7), ActionButton("latest"), SettingButton("timezone", "Asia/Tokyo")],
)
def test_what_is_packed_unpacks_to_the_same_button(button) -> None:
    packed = button.pack()
    assert len(packed.encode()) <= CALLBACK_LIMIT and type(button).unpack(packed) == button


def test_the_packed_forms_are_the_ones_old_messages_carry() -> None:
    assert SectionButton(12, 2).pack() == "sec:12:2" and ArticleButton(7).pack() == "art:7"
    assert SettingButton("noop").pack() == "set:noop"  # no trailing colon
    assert SettingButton.unpack("set:noop") == SettingButton("noop", "")
    assert SettingButton.unpack("set:timezone:America/Argentina/Buenos_Aires").value == (
        "America/Argentina/Buenos_Aires"
    )


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (SectionButton, "sec:"),
        (SectionButton, "sec:1:"),
        (SectionButton, "sec:x:2"),
        (SectionButton, "sec:-1:2"),
        (SectionButton, "sec:1:2:3"),
        (SectionButton, "art:1"),
        (ArticleButton, "art:99999999999999999999"),
        (ArticleButton, None),
        (ActionButton, ""),
    ],
)
def test_stale_or_forged_data_is_refused(kind, data) -> None:
    with pytest.raises(ForgedCallback):
        kind.unpack(data)


def test_data_over_telegrams_limit_is_never_packed() -> None:
    button = SettingButton("timezone", "x" * 80)
    assert not button.fits()
    with pytest.raises(ValueError, match="64 bytes"):
        button.pack()
