"""What an SMS costs: GSM-7 or UCS-2, and how many segments (GSM 03.38, 3GPP TS 23.040).

GSM-7 packs 160 septets in one segment, 153 per segment once concatenated (the user data
header takes the rest); characters of the extension table (^ { } \\ [ ] ~ | € and form feed)
take two septets, and the escape and its character never straddle two segments. Any
character outside the GSM-7 alphabet switches the whole message to UCS-2: 70 UTF-16 code
units in one segment, 67 when concatenated; a character outside the Basic Multilingual
Plane (an emoji, say) takes two code units that are never split.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("\f^{}\\[~]|€")

# Twilio accepts at most 1,600 characters in one message body.
TWILIO_MAX_CHARS = 1600


@dataclass(frozen=True)
class SegmentInfo:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def encoding_of(text: str) -> str:
    return "GSM-7" if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text) else "UCS-2"


def _unit_weights(text: str, encoding: str) -> list[int]:
    if encoding == "GSM-7":
        return [2 if c in GSM7_EXTENSION else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def _pack(weights: list[int], size: int) -> int:
    """Segments needed when no character's units may be split across two segments."""
    segments, used = 1, 0
    for weight in weights:
        if used + weight > size:
            segments, used = segments + 1, 0
        used += weight
    return segments


def segment_info(text: str) -> SegmentInfo:
    encoding = encoding_of(text)
    weights = _unit_weights(text, encoding)
    units = sum(weights)
    single, multi = (160, 153) if encoding == "GSM-7" else (70, 67)
    segments = 1 if units <= single else _pack(weights, multi)
    return SegmentInfo(encoding, units, segments)


# Characters that join the next cluster to this one: a Khmer coeng or a Burmese virama stacks
# the following consonant below; cutting after it would break the written syllable.
_JOINERS = ("\u17d2", "\u1039", "\u200d")


def grapheme_clusters(text: str) -> list[str]:
    clusters: list[str] = []
    for cluster in regex.findall(r"\X", text):
        if clusters and clusters[-1].endswith(_JOINERS):
            clusters[-1] += cluster
        else:
            clusters.append(cluster)
    return clusters


def split_message(text: str, limit: int = TWILIO_MAX_CHARS) -> list[str]:
    """Parts of at most ``limit`` characters, cut between grapheme clusters, preferably at a space.

    Twilio counts characters (not bytes), so a cluster is never cut, even in unspaced Khmer.
    """
    parts: list[str] = []
    current: list[str] = []
    length = 0
    last_space = -1
    for cluster in grapheme_clusters(text):
        if length + len(cluster) > limit and current:
            cut = last_space + 1 if last_space > len(current) // 2 else len(current)
            parts.append("".join(current[:cut]))
            current = current[cut:]
            length = sum(len(c) for c in current)
            last_space = max((i for i, c in enumerate(current) if c.isspace()), default=-1)
        current.append(cluster)
        length += len(cluster)
        if cluster.isspace() or cluster in ("\u200b", "។"):
            last_space = len(current) - 1
    if current:
        parts.append("".join(current))
    return parts
