"""Chinese script folding: one OpenCC Traditional -> Simplified converter for the whole reader (the
reply lexicon folds character by character, the directory folds whole names). Built on first use, so
importing the reader costs nothing until a text needs folding."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _converter():
    import opencc
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters of `text` in their Simplified form (OpenCC t2s); others unchanged."""
    return _converter().convert(text)
