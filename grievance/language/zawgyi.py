"""Zawgyi-encoded Burmese → Unicode, exactly as ICU's ``Zawgyi-my`` transliterator does it.

PyICU has no binary wheel, so a machine with only Python could not install it; instead the
rules ICU uses (``zawgyi_rules.py``, CLDR's rule text unchanged) are read here by a small
engine that knows just the constructs they use: variables, sets, segments ``( )`` with
``$1`` references, the quantifiers ``* + ?``, the anchors ``^ $``, a cursor ``|`` in the
output, and ``::Null;`` between passes.

ICU's semantics are kept where they differ from an ordinary regular expression:

- each pass walks the text once from the start; at each position the first rule (in the
  order written) that matches is applied, and the walk resumes after what it wrote (or at
  the ``|`` in its output), so written text is not matched again by the same pass;
- quantifiers are greedy and never give back (ICU does not backtrack), i.e. possessive;
- a set that holds U+FFFF also matches the end of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from grievance.language.zawgyi_rules import RULES

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class _Rule:
    group: str  # name of the group around the whole rule in the pass's pattern
    output: tuple[str | int, ...]  # literal text, or the number of a segment
    cursor: int | None  # index into output where the walk resumes; None: after it


@dataclass(frozen=True)
class _Pass:
    pattern: re.Pattern[str]
    rules: dict[str, _Rule]


def _statements(text: str) -> list[str]:
    lines = [line.split("#", 1)[0] for line in text.splitlines()]
    return [s.strip() for s in " ".join(lines).split(";") if s.strip()]


def _pattern(source: str, variables: dict[str, str], prefix: str) -> str:
    """ICU pattern text → Python regex; segments become groups ``{prefix}_{n}``."""
    out: list[str] = []
    i, segment = 0, 0
    while i < len(source):
        char = source[i]
        if char.isspace():
            i += 1
        elif char == "\\":
            out.append(source[i:i + 6])  # \uXXXX, which Python's re reads the same way
            i += 6
        elif char == "[":
            end = source.index("]", i)
            out.append(_set(source[i:end + 1]))
            i = end + 1
        elif char == "(":
            segment += 1
            out.append(f"(?P<{prefix}_{segment}>")
            i += 1
        elif char == ")":
            out.append(")")
            i += 1
        elif char in "*+?":
            out.append(char + "+")  # possessive: ICU never backtracks into a quantifier
            i += 1
        elif char == "^":
            out.append("^")
            i += 1
        elif char == "$":
            name = _NAME.match(source, i + 1)
            if name:
                out.append(f"(?:{_pattern(variables[name.group(0)], variables, prefix)})")
                i = name.end()
            else:
                out.append(r"\Z")
                i += 1
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def _set(source: str) -> str:
    """A set as a regex class. ICU lets a set that contains U+FFFF (every negated set does)
    match nothing at the end of the text, so ``^ \u1044 ($nondigits)`` also converts a lone ၄."""
    if re.fullmatch(source, "\uffff"):
        return f"(?:{source}|\\Z)"
    return source


def _output(source: str, variables: dict[str, str]) -> tuple[tuple[str | int, ...], int | None]:
    parts: list[str | int] = []
    cursor = None
    i = 0
    while i < len(source):
        char = source[i]
        if char.isspace():
            i += 1
        elif char == "\\":
            parts.append(chr(int(source[i + 2:i + 6], 16)))
            i += 6
        elif char == "|":
            cursor = len(parts)
            i += 1
        elif char == "$":
            name = re.compile(r"\d+|[A-Za-z_][A-Za-z0-9_]*").match(source, i + 1)
            assert name, source
            token = name.group(0)
            parts.append(int(token) if token.isdigit() else _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)),
                                                                         variables[token]))
            i = name.end()
        else:
            parts.append(char)
            i += 1
    return tuple(parts), cursor


def compile_rules(text: str) -> list[_Pass]:
    variables: dict[str, str] = {}
    passes: list[list[tuple[str, str]]] = [[]]
    for statement in _statements(text):
        if statement.startswith("::"):
            passes.append([])
        elif statement.startswith("$") and "=" in statement and "→" not in statement and ">" not in statement:
            name, value = (part.strip() for part in statement[1:].split("=", 1))
            variables[name] = value.replace(" ", "")
        else:
            before, after = re.split(r"→|>", statement, maxsplit=1)
            passes[-1].append((before, after))
    compiled: list[_Pass] = []
    for rules in passes:
        alternatives, table = [], {}
        for number, (before, after) in enumerate(rules):
            group = f"r{number}"
            alternatives.append(f"(?P<{group}>{_pattern(before, variables, group)})")
            output, cursor = _output(after, variables)
            table[group] = _Rule(group, output, cursor)
        compiled.append(_Pass(re.compile("|".join(alternatives)), table))
    return compiled


def _run(step: _Pass, text: str) -> str:
    position = 0
    while True:
        match = step.pattern.search(text, position)
        if match is None:
            return text
        rule = step.rules[match.lastgroup]
        pieces = [part if isinstance(part, str) else (match.group(f"{rule.group}_{part}") or "")
                  for part in rule.output]
        written = "".join(pieces)
        resume = len(written) if rule.cursor is None else len("".join(pieces[:rule.cursor]))
        text = text[:match.start()] + written + text[match.end():]
        position = match.start() + resume
        if match.end() == match.start() and resume == 0:
            position += 1  # an empty match that writes nothing must not stop the walk


@lru_cache(maxsize=1)
def _passes() -> list[_Pass]:
    return compile_rules(RULES)


def zawgyi_to_unicode(text: str) -> str:
    """Convert text known to be Zawgyi (ask the detector first: Unicode Burmese would be damaged)."""
    for step in _passes():
        text = _run(step, text)
    return text
