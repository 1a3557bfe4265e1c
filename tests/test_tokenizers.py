"""Tokenizers: offline, nothing dropped, quotes kept with their sentence."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from digests.tokenizers import split_cjk_sentences, tokenizer_for


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_chinese_text_without_final_punctuation_is_kept() -> None:
    text = "第一句话。第二句没有句号\n第三行也没有"
    assert split_cjk_sentences(text) == ["第一句话。", "第二句没有句号", "第三行也没有"]


def test_closing_quotes_and_brackets_stay_with_their_sentence() -> None:
    sentences = tokenizer_for("zh").to_sentences("他说：“我们会继续谈。”随后离开。（完）》的确如此！」好")
    assert sentences[0] == "他说：“我们会继续谈。”"
    assert not any(s.startswith(("”", "’", "」", "』", "）", "》")) for s in sentences)


@pytest.mark.parametrize(
    "text",
    [
        "会谈持续近5小时……双方同意继续接触；下一轮会谈时间未定？是的!好?",
        "Mixed 中文 and English text. 然后是中文。",
        "表情符号也在这里😀没有结束标点🖇️",
        "“引号开头的句子。”接着另一句。",
    ],
)
def test_no_chinese_text_is_ever_dropped(text: str) -> None:
    assert _squeeze("".join(tokenizer_for("zh").to_sentences(text))) == _squeeze(text)


def test_chinese_ends_at_semicolons_ellipses_and_ascii_marks() -> None:
    sentences = split_cjk_sentences("甲；乙……丙!丁?戊")
    assert sentences == ["甲；", "乙……", "丙!", "丁?", "戊"]


def test_chinese_words_come_from_jieba() -> None:
    words = tokenizer_for("zh").to_words("俄罗斯总统普京在克里姆林宫会见特使。")
    assert "俄罗斯" in words and "克里姆林宫" in words
    assert "。" not in words


def test_english_sentences_respect_abbreviations() -> None:
    sentences = tokenizer_for("en").to_sentences(
        'Dr. Smith met Mr. Jones in the U.S. capital. "It went well," he said. Then'
    )
    assert sentences == ("Dr. Smith met Mr. Jones in the U.S. capital.", '"It went well," he said.', "Then")


def test_english_words_keep_contractions_and_drop_punctuation() -> None:
    assert tokenizer_for("en").to_words("It's 5 o'clock, isn't it?") == (
        "It's",
        "5",
        "o'clock",
        "isn't",
        "it",
    )


def test_languages_without_punkt_model_still_split() -> None:
    tokenizer = tokenizer_for("uk")
    assert tokenizer.language == "ukrainian"
    assert tokenizer.to_sentences("Перше речення. «Друге?» Третє") == ("Перше речення.", "«Друге?»", "Третє")


def test_tokenizers_need_no_downloaded_data(tmp_path) -> None:
    """English and Chinese work with NLTK's data path pointing at an empty folder."""
    code = (
        "import nltk; nltk.data.path[:] = []\n"
        "from digests.tokenizers import tokenizer_for\n"
        "from digests import summarize_sentences\n"
        "en = tokenizer_for('en').to_sentences('One sentence here. Another one there.')\n"
        "assert len(en) == 2, en\n"
        "s = ['Cats sleep a lot.', 'Dogs bark at night.', 'Cats and dogs are pets.']\n"
        "print(len(summarize_sentences(s, language='en', budget=1, method='lexrank')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={"NLTK_DATA": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"
