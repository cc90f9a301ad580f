"""Short, escaped renderings of user-supplied text for messages (private).

Error messages and printed names never show more than a short excerpt of what a user gave, and
never a raw control character: a file name or a scenario name holding terminal escape sequences
is printed escaped, so it cannot move the cursor, change colours or rewrite the terminal's title.
"""

from __future__ import annotations

import reprlib

__all__ = ["EXCERPT_CHARS", "escape", "excerpt"]

#: Most characters of user input an error message quotes.
EXCERPT_CHARS = 80

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = EXCERPT_CHARS
_REPR.maxlong = 40
_REPR.maxother = EXCERPT_CHARS


def escape(text: str, limit: int = 200) -> str:
    """``text`` with every control or non-printable character escaped, cut at ``limit``.

    Printable characters (letters of any script included) are kept as they are, so ordinary
    names read naturally: ``escape("orders\\x1b[31m")`` is ``'orders\\\\x1b[31m'``.

    Examples
    --------
    >>> escape("canary \\x1b]0;pwned\\x07")
    'canary \\\\x1b]0;pwned\\\\x07'
    >>> escape("x" * 300, limit=10)
    'xxxxxxxxxx...'
    """
    out = []
    for char in text[: limit + 1]:
        out.append(char if char.isprintable() else repr(char)[1:-1])
    shown = "".join(out)
    if len(text) > limit:
        shown = "".join(out[:limit]) + "..."
    return shown


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """``repr(value)``, escaped, cut to about ``limit`` characters with ``...`` when longer.

    The repr of a huge value is never built: strings, bytes and containers are cut before they
    are rendered.

    Examples
    --------
    >>> excerpt("root:x:0:0:root:/root:/bin/bash\\n" * 40)[-20:]
    "ot:...' (1280 chars)"
    >>> excerpt([1, 2])
    '[1, 2]'
    """
    if isinstance(value, (str, bytes)):
        head = value[:limit]
        shown = repr(head)
        if len(value) > limit:
            shown = f"{shown[:-1]}...{shown[-1]} ({len(value)} chars)"
        return escape(shown, limit * 4)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        sign = "-" if value < 0 else ""
        return f"{sign}an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
    try:
        shown = _REPR.repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        shown = f"<{type(value).__name__}>"
    if len(shown) > limit:
        shown = shown[:limit] + "..."
    return escape(shown, limit + 3)
