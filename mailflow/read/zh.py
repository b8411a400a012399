"""Chinese script and numerals for the whole reader: one OpenCC Traditional -> Simplified converter
(the reply lexicon and the date tokenizer fold character by character, the directory whole names) and one numeral
path through cn2an (十二, 二零二六, 两百, 百分之百 -> int; 12 -> 十二 for Word's list numbers).

Both libraries are loaded on first use, so importing the reader costs nothing until a text needs them
(cn2an builds its converters at import, ~0.1 s)."""

from __future__ import annotations

from functools import lru_cache

# ① .. ⑳: a numeral too (numbered answers, Word lists)
CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)}
# the characters of a small Chinese number (一 .. 十), for patterns that spot list numbers
SMALL_NUMERALS = "一二三四五六七八九十"


@lru_cache(maxsize=1)
def _converter():
    import opencc
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters of `text` in their Simplified form (OpenCC t2s); others unchanged."""
    return _converter().convert(text)


@lru_cache(maxsize=8192)
def simplified_char(c: str) -> str:
    """One character in its Simplified form, or itself when OpenCC gives none or several (the readers
    fold one character for one, so every span found stays valid on the original text)."""
    if not "\u3400" <= c <= "\u9fff":
        return c
    s = to_simplified(c)
    return s if len(s) == 1 else c


class SimplifiedTable(dict):
    """A str.translate table that folds Traditional characters as it meets them (simplified_char):
    `text.translate(table)` is one C loop once the text's characters have been seen."""

    def __missing__(self, code: int) -> str:
        out = self[code] = simplified_char(chr(code))
        return out


@lru_cache(maxsize=4096)
def cn_number(s: str) -> int | None:
    """A number written in digits, Chinese numerals or a mix -> int: '60', '六十', '二零二六' (digit by
    digit, a year), '两百', '5十', '百' (as in 百分之百), '②'. None when `s` is not a number."""
    s = s.strip()
    if not s:
        return None
    if s.isascii() and s.isdigit():
        return int(s)
    if len(s) == 1 and s in CIRCLED:
        return CIRCLED[s]
    if s[0] in "百千":              # 百 / 千 alone are one hundred / one thousand
        s = "一" + s
    from cn2an import cn2an
    try:
        return int(cn2an(s, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def cn_numeral(n: int) -> str:
    """n in Chinese numerals: 3 -> 三, 12 -> 十二, 20 -> 二十."""
    from cn2an import an2cn
    return an2cn(n)
