"""Pinyin of choice titles, so that a picker finds 县财政局 by typing xczj, czj or caizheng (pypinyin, on the server:
the page carries it in each option's data-pinyin and the browser only matches text)."""
from __future__ import annotations

import re
from functools import lru_cache

_HAN = re.compile(r"[\u3400-\u9fff]+")


@lru_cache(maxsize=8192)
def search_key(title: str) -> str:
    """'张明（县财政局）' → 'zmxczj zhangmingxiancaizhengju' (initials, then the full syllables); '' without hanzi."""
    from pypinyin import Style, lazy_pinyin

    han = "".join(_HAN.findall(title))
    if not han:
        return ""
    return "".join(lazy_pinyin(han, style=Style.FIRST_LETTER)) + " " + "".join(lazy_pinyin(han))
