"""Search forms of names: case-folded, width-normalised, with pinyin for Chinese characters."""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPACES = re.compile(r"\s+")


def search_form(text: str) -> str:
    """Lower-case, NFKC-normalised text with collapsed spaces (the form queries use)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "").casefold()).strip()


def search_name(*names: str) -> str:
    """The stored search form of a customer's names.

    Chinese characters are followed by their pinyin, syllables both separate and joined, so
    "张伟" is found by "张", "zhang wei" and "zhangwei".
    """
    parts: list[str] = []
    for name in names:
        form = search_form(name)
        if not form:
            continue
        parts.append(form)
        if _HAN.search(form):
            syllables = [syllable for syllable in lazy_pinyin(form, style=Style.NORMAL) if syllable.strip()]
            parts.append(" ".join(syllables))
            parts.append("".join(syllables).replace(" ", ""))
    seen: dict[str, None] = dict.fromkeys(part for part in parts if part)
    return " ".join(seen)[:400]
