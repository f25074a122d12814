"""Turning text into search tokens: NFKC normalisation, jieba segmentation, pinyin.

The same functions segment what is indexed and what is asked, so both sides meet on the same words.
jieba's dictionary ships inside its wheel; nothing is fetched.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from typing import Any

MAX_QUERY_CHARS = 60  # longer input is cut, not refused
MAX_QUERY_TOKENS = 12

# Words that carry no meaning for finding an item ("我要开个小饭馆" → 饭馆, 小饭馆).
_STOPWORD_TEXT = ("我 我要 我想 想 要 想要 需要 的 了 吗 呢 啊 吧 个 一个 开个 在 给 和 与 及 或 "
                  "怎么 怎样 如何 哪里 哪儿 什么 是 有 办 办理 怎么办 去 到 可以 能 能不能 "
                  "请问 家里 家 满 了吗 一下")
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_lock = threading.Lock()
_tokenizer = None

# Everyday and legal words jieba's general dictionary splits badly.
_EXTRA_WORDS = ("宅基地", "高龄津贴", "养犬", "个体工商户", "小饭馆", "危房", "低保", "特困", "居住证", "再生育",
                "残疾人", "建房", "翻建", "占道", "户外广告", "燃气")


def _jieba() -> Any:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba  # type: ignore[import-untyped]  # no type information published

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in _EXTRA_WORDS:
                    tokenizer.add_word(word)
                _tokenizer = tokenizer
    return _tokenizer


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII), control characters dropped, lower case, runs of
    space collapsed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") else ch for ch in text)
    return re.sub(r"\s+", " ", text).strip().lower()


def _meaningful(token: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


def segment(text: str) -> list[str]:
    """Search-mode segmentation (long words and the shorter words inside them), punctuation dropped."""
    out = []
    for token in _jieba().cut_for_search(normalize(text)):
        token = token.strip()
        if token and _meaningful(token):
            out.append(token)
    return out


def index_text(*parts: str | None) -> str:
    """Space-separated tokens, as stored in the full-text index."""
    return " ".join(tok for part in parts if part for tok in segment(part))


def query_tokens(text: str) -> list[str]:
    """The distinct meaningful tokens of a query, in order, at most ``MAX_QUERY_TOKENS``."""
    text = normalize(text)[:MAX_QUERY_CHARS]
    seen: list[str] = []
    for token in segment(text):
        if token in STOPWORDS or token in seen:
            continue
        seen.append(token)
    if not seen:  # only stop words: keep them rather than find nothing
        seen = list(dict.fromkeys(segment(text)))
    return seen[:MAX_QUERY_TOKENS]


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def pinyin(word: str) -> str:
    """高龄 → gaoling ('' when the word has no Chinese characters)."""
    if not _has_han(word):
        return ""
    from pypinyin import Style, lazy_pinyin

    return "".join(p for p in lazy_pinyin(word, style=Style.NORMAL) if p.isascii() and p.isalnum())


def initials(text: str) -> str:
    """高龄津贴 → gljt: what people type on a phone keyboard ('' without Chinese characters)."""
    if not _has_han(text):
        return ""
    from pypinyin import Style, lazy_pinyin

    return "".join(p[0] for p in lazy_pinyin(re.sub(r"[^\u4e00-\u9fff]", "", text), style=Style.FIRST_LETTER)
                   if p and p[0].isascii() and p[0].isalpha())


def pinyin_text(names: Iterable[str]) -> str:
    """The pinyin column: full pinyin of every word of the names (homophone typos still match) and the
    initials of each whole name."""
    words: list[str] = []
    for name in names:
        for token in segment(name):
            spelled = pinyin(token)
            if spelled:
                words.append(spelled)
        abbreviation = initials(name)
        if len(abbreviation) >= 2:
            words.append(abbreviation)
    return " ".join(dict.fromkeys(words))


def is_latin(token: str) -> bool:
    """A token of ASCII letters only, matched against the pinyin column by prefix."""
    return token.isascii() and token.isalpha()
