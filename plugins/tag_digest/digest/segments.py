"""Untrusted text as one segment of an output path: bounded, portable, stable.

Tag slugs and link hosts come from posts anyone can write, and each becomes a
directory or file name (``tags/<slug>/``, ``feeds/tags/<slug>.atom.xml``,
``links/domains/<host>/``). :func:`safe_segment` is the one gate they pass:

- a name that is already safe is kept exactly as it is (output paths are a
  contract: ordinary tags and domains never move);
- any other name becomes a readable prefix of it, with the unsafe characters
  replaced by ``_``, followed by ``~`` and a hash of the whole original text.

Safe means: at most :data:`MAX_SEGMENT_BYTES` bytes of UTF-8 (so a file name
plus a suffix such as ``.atom.xml`` stays far below the 255 bytes that ext4,
APFS and NTFS allow, and below eCryptfs's 143); none of ``< > : " / \\ | ? *``,
no control character or lone surrogate; not empty, no leading ``.`` (hidden
files, ``..``), no trailing ``.`` or space; and no name Windows reserves for a
device (``CON``, ``NUL``, ``COM1`` … also with an extension: ``nul.example``).

``~`` itself counts as unsafe, so it appears in a result only as the mark of a
hash: two different inputs never share a name (the hash decides), and the
same input gets the same name in every build. Inputs are expected in one
canonical form already (tag slugs are NFKC and case-folded, hosts lower case),
so names that differ only in case cannot meet on a case-insensitive disk.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import unicodedata

MAX_SEGMENT_BYTES = 100
"""The longest segment, in bytes of UTF-8 (the hash suffix included)."""
HASH_MARK = "~"
_HASH_BYTES = 10
"""80 bits of BLAKE2b: 16 characters of lower-case base32."""
_HASH_LENGTH = len(HASH_MARK) + 16
_FORBIDDEN = frozenset('<>:"/\\|?*' + HASH_MARK)
_REPLACEMENT = "_"
_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"]
    + [f"{port}{n}" for port in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")]
)


def _bad_char(char: str) -> bool:
    return char in _FORBIDDEN or unicodedata.category(char) in ("Cc", "Cs")


def is_reserved(name: str) -> bool:
    """Whether Windows reads ``name`` as a device (``con``, ``NUL.txt``, ``com1 .tar.gz``)."""
    stem = name.split(".", 1)[0].rstrip(" ")
    return stem.upper() in _DEVICES


def is_safe_segment(name: str, limit: int = MAX_SEGMENT_BYTES) -> bool:
    """Whether ``name`` may be used as a path segment as it is."""
    return (
        bool(name)
        and len(name.encode("utf-8", "surrogatepass")) <= limit
        and not name.startswith(".")
        and not name.endswith((".", " "))
        and not any(_bad_char(char) for char in name)
        and not is_reserved(name)
    )


def _digest(text: str) -> str:
    raw = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=_HASH_BYTES)
    return base64.b32encode(raw.digest()).decode("ascii").lower()


def _prefix(text: str, budget: int) -> str:
    """The longest start of ``text`` that fits ``budget`` bytes (whole characters)."""
    out: list[str] = []
    used = 0
    for char in text:
        size = len(char.encode("utf-8"))
        if used + size > budget:
            break
        out.append(char)
        used += size
    return "".join(out)


@functools.lru_cache(maxsize=1 << 14)  # pure; called for every link's domain page
def safe_segment(text: str, limit: int = MAX_SEGMENT_BYTES) -> str:
    """``text`` as a path segment: unchanged when :func:`is_safe_segment`, otherwise
    ``<readable prefix>~<hash of text>``, at most ``limit`` bytes.

    >>> safe_segment("mastodon.social")
    'mastodon.social'
    >>> safe_segment("nul.example")
    'nul_.example~dupy5umqsmdveon6'
    >>> safe_segment("::1")
    '__1~kicuhpaggpspp6pf'
    """
    if limit <= _HASH_LENGTH:
        raise ValueError(f"a segment needs more than {_HASH_LENGTH} bytes")
    if is_safe_segment(text, limit):
        return text
    cleaned = "".join(_REPLACEMENT if _bad_char(char) else char for char in text)
    if cleaned.startswith("."):
        cleaned = _REPLACEMENT + cleaned[1:]
    stem, dot, rest = cleaned.partition(".")
    if is_reserved(cleaned):
        cleaned = stem + _REPLACEMENT + dot + rest
    prefix = _prefix(cleaned, limit - _HASH_LENGTH) or _REPLACEMENT
    return f"{prefix}{HASH_MARK}{_digest(text)}"
