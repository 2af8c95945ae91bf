"""Words and sentence ends for every script, including those written without spaces.

``\\w+`` counts a whole Japanese or Chinese sentence as one word, so a paragraph of story text looked like a
one-word label to every length rule and feature, and such pages lost their whole body. Here a run of CJK
characters counts one word per two characters (about the mean word length of Chinese and Japanese text),
and the ideographic full stop ends a sentence as a period does.
"""

from __future__ import annotations

import re

#: Hiragana, Katakana, CJK ideographs (with extension A and compatibility forms), half-width Katakana.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
#: One word: two CJK characters, or a run of other word characters.
WORD = re.compile(rf"[{CJK}]{{1,2}}|[^\W{CJK}]+")
#: One unit per CJK character (for overlap measures, where pairs would depend on where a run starts).
UNIT = re.compile(rf"[{CJK}]|[^\W{CJK}]+")
#: A line ending a sentence: . ! ? … (ASCII, full-width or ideographic), then closing quotes or brackets.
TERMINAL = re.compile(r"""[.!?…。！？]["'”’)\]」』）]*$""")


def words(text: str) -> list[str]:
    return WORD.findall(text)


def count_words(text: str) -> int:
    return len(WORD.findall(text))
