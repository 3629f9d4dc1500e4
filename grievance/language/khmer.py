"""Khmer text in one canonical order, so the same word typed on two keyboards compares equal.

Follows the ordering of Unicode's Khmer block and SIL's Khmer normalization: within a
syllable, after the base come robat, subscripts (coeng + consonant, coeng RO last), register
shifters, the dependent vowel, then the signs above and after. Keyboards and fonts let
people type these in other orders that look the same on screen; deprecated and invisible
characters are removed or replaced, and split vowels typed as two are joined.
"""

from __future__ import annotations

import re

COENG, RO = "\u17d2", "\u179a"
# Order classes within a syllable (lower first); the base and anything unknown are 0.
_CLASS = {"\u17cc": 1}  # robat
_CLASS.update(dict.fromkeys("\u17c9\u17ca", 3))  # register shifters
_CLASS.update(dict.fromkeys(map(chr, range(0x17B6, 0x17C6)), 4))  # dependent vowels
_CLASS.update(dict.fromkeys("\u17c6\u17cb\u17cd\u17ce\u17cf\u17d0\u17d1\u17dd", 5))  # signs above
_CLASS.update(dict.fromkeys("\u17c7\u17c8", 6))  # reahmuk, yuukaleapintu: after everything

_REPLACE = {
    "\u17a3": "\u17a2",  # deprecated independent vowel QAQ → QA
    "\u17a4": "\u17a2\u17b6",  # deprecated QAA → QA + AA
    "\u17b4": "", "\u17b5": "",  # invisible inherent vowels
    "\u17d3": "\u17c6",  # deprecated BATHAMASAT → NIKAHIT
    "\u200c": "", "\u200d": "",
}
# Vowels typed in two parts that Unicode encodes as one.
_JOIN = {"\u17c1\u17b8": "\u17be", "\u17c1\u17b6": "\u17c4"}
# A syllable is a base and the marks that combine with it (U+17B4–U+17D3, a coeng only with
# its consonant, and the atthacan U+17DD). The signs U+17D4–U+17DC (khan ។, bariyoosan ៕, lek too ៗ, the riel sign ៛, …) are
# punctuation and symbols that stand on their own: they end a syllable and never move.
_MARK = "\u17b4-\u17d1\u17d3\u17dd"
_SYLLABLE = re.compile(f"[\u1780-\u17b3](?:\u17d2[\u1780-\u17b3]|[{_MARK}])*")


def _order_syllable(syllable: str) -> str:
    base, rest = syllable[0], syllable[1:]
    items: list[tuple[int, int, str]] = []
    i = 0
    while i < len(rest):
        if rest[i] == COENG and i + 1 < len(rest):
            sub = rest[i:i + 2]
            items.append((2, 1 if sub[1] == RO else 0, sub))  # coeng RO after other subscripts
            i += 2
        else:
            items.append((_CLASS.get(rest[i], 4), 0, rest[i]))
            i += 1
    items.sort(key=lambda item: (item[0], item[1]))  # stable: typed order within a class
    return base + "".join(text for _, _, text in items)


def normalize_khmer(text: str) -> str:
    for old, new in _REPLACE.items():
        text = text.replace(old, new)
    text = _SYLLABLE.sub(lambda match: _order_syllable(match.group(0)), text)
    for old, new in _JOIN.items():
        text = text.replace(old, new)
    return text
