"""sh:pattern as SHACL defines it: XPath's fn:matches (F&O 3.1, 5.6), not Python's ``re``.

The two differ where it matters for validation: Python's ``$`` also matches before a final newline, so
``"3064011\n"`` would pass ``^[0-9]{7}$``; ``.`` matches a carriage return; ``\\s`` and ``\\w`` take more
characters; XPath has ``\\p{…}`` categories and blocks, ``\\i``/``\\c`` and class subtraction ``[a-z-[aeiou]]``
that ``re`` lacks, and refuses ``re``-only syntax such as ``\\b`` or ``(?=…)``. elementpath (a maintained XPath 3.1
implementation) translates an XPath regular expression into an equivalent Python one; the few places where its
translation keeps Python's meaning are mended here before it runs.
"""

from __future__ import annotations

import re

# XPath's flags (F&O 3.1, 5.6.1.1) and the re flags elementpath translates them with; "x" and "q" are applied
# to the pattern itself.
_FLAGS = {"s": re.DOTALL, "m": re.MULTILINE, "i": re.IGNORECASE}
# Outside a character class, elementpath leaves \s \S \w \W as they are, which Python reads with its own (wider)
# meaning; inside one it expands them as XML Schema defines them. So each is put inside a class of its own.
_SHORTHAND = re.compile(r"\\\\|\\[sSwW]|\[|\]|\\.")


class InvalidPattern(ValueError):
    """Not an XPath regular expression (or flags): SHACL calls such a shape ill-formed."""


def compile_pattern(pattern: str, flags: str = "") -> re.Pattern[str]:
    """The Python regular expression that matches (``search``) exactly the strings fn:matches would."""
    # Imported here, by whoever compiles shapes: with elementpath, the build's modules took 0.74 s to import instead
    # of 0.58, and a build into an earlier release compiles them only in the process that validates alongside.
    from elementpath.regex import RegexError, translate_pattern

    options = 0
    for flag in flags:
        if flag in _FLAGS:
            options |= _FLAGS[flag]
        elif flag not in "xq":
            raise InvalidPattern(f"{flag!r} is not an XPath regular-expression flag (s, m, i, x, q)")
    if "q" in flags:
        pattern = re.escape(pattern)  # "q": every character stands for itself ("x" then has nothing to remove)
    elif "x" in flags:
        pattern = _without_whitespace(pattern)
    try:
        translated = translate_pattern(_shorthands_in_classes(pattern), options & ~re.MULTILINE, xsd_version="1.1")
    except (RegexError, IndexError) as error:
        raise InvalidPattern(f"{pattern!r} is not an XPath regular expression: {error}") from error
    if options & re.MULTILINE:
        translated = _multi_line_anchors(translated)
    return re.compile(translated, options & ~re.MULTILINE)


def _shorthands_in_classes(pattern: str) -> str:
    """``\\s`` outside a character class becomes ``[\\s]`` (and so on), for elementpath to expand as XSD says."""
    depth = 0
    parts: list[str] = []
    last = 0
    for match in _SHORTHAND.finditer(pattern):
        token = match.group()
        if token == "[":
            depth += 1
        elif token == "]":
            depth = max(depth - 1, 0)
        elif depth == 0 and token in ("\\s", "\\S", "\\w", "\\W"):
            parts += [pattern[last : match.start()], f"[{token}]"]
            last = match.end()
    return "".join(parts) + pattern[last:]


def _without_whitespace(pattern: str) -> str:
    """The "x" flag: whitespace is removed, except inside a character class (Python's re.VERBOSE would also take
    ``#`` as the start of a comment)."""
    kept: list[str] = []
    depth = 0
    escaped = False
    for character in pattern:
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == "[":
            depth += 1
        elif character == "]":
            depth = max(depth - 1, 0)
        elif depth == 0 and character in " \t\n\r":
            continue
        kept.append(character)
    return "".join(kept)


def _multi_line_anchors(translated: str) -> str:
    """The "m" flag: ``^`` at the start and after a newline that does not end the string; ``$`` before a newline
    and at the end of a string that does not end with one (F&O 3.1, 5.6.1.1)."""
    # Without re.MULTILINE elementpath writes ^ and $ as "^" and "$(?!\n\Z)" (end only, never before a final
    # newline), outside character classes; those become the multi-line anchors.
    translated = translated.replace("$(?!\\n\\Z)", "(?:(?=\\n)|\\Z(?<!\\n))")
    return re.sub(r"(?<!\\)\^(?![^\[]*\])", r"(?:\\A|(?<=\\n)(?!\\Z))", translated)
