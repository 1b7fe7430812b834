"""A serialization written from an earlier one of nearly the same triples: the blocks of the subjects whose triples
changed are put in place of theirs, the bytes of every other block are copied.

Each serialization civicgraph writes of a large graph states each subject's triples in one block, the blocks
sorted by subject: Turtle and RDF/XML as Oxigraph writes triples in canonical order, N-Triples with its lines in
byte order (a subject's lines follow each other, as each starts with the subject), JSON-LD a top-level node per
line (a node nested in another is part of that one's block). A block is found by its subject with a binary search
over the file's bytes, reading only the lines the search lands on, so that splicing costs the few changed blocks
and a copy of the rest.

Splicing gives the bytes a whole serialization gives only if the caller names every subject whose triples
differ: the caller knows which did not change (:mod:`civicgraph.publish.catalog` keys its parts). What is checked
here is that the files agree with what the caller says: the header and footer (the prefixes) are the same, the
blocks come in the order of their subjects, and no block is found for a subject written anew that the caller did
not say to drop. Anything else raises :class:`DoesNotFit`, and the caller writes the whole serialization instead.
"""

from __future__ import annotations

import json
import mmap
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import unescape

# A serialization: bytes made now, or an earlier file mapped into memory (both index to ints and slice to bytes).
Buffer = bytes | mmap.mmap

_NEWLINE, _TAB = 10, 9


class DoesNotFit(Exception):
    """The earlier serialization is not laid out as the caller said, or not as this syntax lays out blocks."""


def _next_line(data: Buffer, at: int, end: int) -> int:
    """Where the line after the one holding ``at`` starts (``end`` for the last)."""
    found = data.find(b"\n", at, end)
    return end if found < 0 else found + 1


@dataclass(frozen=True)
class Syntax:
    """How a serialization lays out its blocks.

    ``body`` gives where the blocks start and end (after the header, before the footer); ``subject`` the subject of
    the block whose first line starts at a position, or None for a line that goes on a block; ``order`` the key the
    blocks are sorted by, of a subject; ``separator`` what stands between two blocks (not after the last)."""

    body: Callable[[Buffer], tuple[int, int]]
    subject: Callable[[Buffer, int], str | None]
    order: Callable[[str], str]
    separator: bytes = b""
    # Where the next line that may start a block starts, after the line starting at a position (up to an end).
    next_start: Callable[[Buffer, int, int], int] = _next_line


def _token(data: Buffer, start: int, until: bytes) -> str:
    """The text from ``start`` to the next ``until`` (on the same line)."""
    end = data.find(until, start, _next_line(data, start, len(data)))
    if end < 0:
        raise DoesNotFit(f"no {until!r} on the line starting at byte {start}")
    return data[start:end].decode("utf-8")


def _same(subject: str) -> str:
    return subject


# A character of a prefixed name's local part written after a backslash (Turtle's PN_LOCAL_ESC), as in "ex:a\/b".
_LOCAL_ESCAPE = re.compile(r"\\(.)")


def _iri(token: str, prefixes: dict[str, str]) -> str:
    """The IRI of a subject as Turtle writes it: ``<…>`` or a prefixed name."""
    if token.startswith("<") and token.endswith(">"):
        return token[1:-1]
    prefix, colon, local = token.partition(":")
    if not colon or prefix not in prefixes:
        raise DoesNotFit(f"a subject written {token!r}")
    return prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)


def turtle(prefixes: dict[str, str]) -> Syntax:
    """Oxigraph's Turtle of triples in canonical order with ``prefixes``: the prefix lines, then a block per
    subject, its first line starting with the subject and each further line with a tab."""

    def body(data: Buffer) -> tuple[int, int]:
        start = 0
        while data[start : start + 8] == b"@prefix ":
            start = _next_line(data, start, len(data))
        return start, len(data)

    def subject(data: Buffer, at: int) -> str | None:
        return None if data[at] == _TAB else _iri(_token(data, at, b" "), prefixes)

    return Syntax(body, subject, _same)


def _ntriples_body(data: Buffer) -> tuple[int, int]:
    return 0, len(data)


def _ntriples_subject(data: Buffer, at: int) -> str:
    token = _token(data, at, b" ")
    if not (token.startswith("<") and token.endswith(">")):
        raise DoesNotFit(f"a subject written {token!r}")
    return token[1:-1]


def _in_lines(subject: str) -> str:
    # A line starts "<subject> ": lines sort as their subjects followed by ">" (no IRI holds ">" or a space).
    return f"<{subject}>"


# N-Triples with its lines in byte order (:func:`civicgraph.graph.rdfio.write_ntriples`).
NTRIPLES = Syntax(_ntriples_body, _ntriples_subject, _in_lines)


def _rdfxml_body(data: Buffer) -> tuple[int, int]:
    opening = data.find(b"\n<rdf:RDF ", 0, 1 << 16)
    closing = data.rfind(b"</rdf:RDF>", max(0, len(data) - 64))
    if opening < 0 or closing < 0:
        raise DoesNotFit("no rdf:RDF element")
    return _next_line(data, opening + 1, len(data)), closing


def _rdfxml_subject(data: Buffer, at: int) -> str | None:
    if data[at] != _TAB or data[at + 1] == _TAB or data[at + 1 : at + 3] == b"</":
        return None
    _before, found, rest = _token(data, at, b">").partition(' rdf:about="')
    if not found:
        raise DoesNotFit(f"a node without rdf:about at byte {at}")
    return unescape(rest.partition('"')[0], {"&quot;": '"', "&apos;": "'"})


def _rdfxml_next_start(data: Buffer, at: int, end: int) -> int:
    # An element one tab in: a subject's first line or its last ("</…"), found without reading the lines between
    # (a national catalogue's element lists its 2,807 datasets, one line each).
    found = data.find(b"\n\t<", at, min(end + 2, len(data)))  # a line starting before ``end``, read to its "<"
    return end if found < 0 or found + 1 >= end else found + 1


# Oxigraph's RDF/XML of triples in canonical order: an element per subject, one tab in.
RDFXML = Syntax(_rdfxml_body, _rdfxml_subject, _same, next_start=_rdfxml_next_start)


def _jsonld_lines(keys: tuple[str, str], iri_of: Callable[[str], str]) -> Syntax:
    """JSON-LD written by orjson one top-level node per line in the order of their subjects, separated by commas:
    the context up to ``"@graph":[`` and its line break, then a node per line in the streaming document form, its
    types (if any) before its identifier, which ``iri_of`` expands; ``]}`` on a line of its own at the end.
    ``keys``: the keys of the types and of the identifier, each with its colon."""
    opening, closing = b'"@graph":[\n', b"\n]}\n"
    types_key, identifier_key = keys
    decode = json.JSONDecoder().raw_decode

    def body(data: Buffer) -> tuple[int, int]:
        start = data.find(opening, 0, 1 << 16)
        if start < 0 or data[len(data) - len(closing) :] != closing or start + len(opening) > len(data) - len(closing):
            raise DoesNotFit("no @graph list, or an empty one")
        return start + len(opening), len(data) - len(closing)

    def subject(data: Buffer, at: int) -> str:
        # The start of the node's line, as text: its types are a few compact IRIs, read with a JSON decoder, and its
        # identifier follows them (or opens the node, when it has none).
        start = bytes(data[at : _next_line(data, at, min(len(data), at + _NODE_START))]).decode("utf-8", "ignore")
        identifier_at, expected = 0, "{" + identifier_key + '"'
        if start.startswith("{" + types_key):
            try:
                _types, identifier_at = decode(start, 1 + len(types_key))
            except ValueError:
                raise DoesNotFit(f"a node whose types do not end near the start of its line, byte {at}") from None
            expected = "," + identifier_key + '"'
        if not start.startswith(expected, identifier_at):
            raise DoesNotFit(f"a node not starting with its types (if any), then its identifier, at byte {at}")
        value_at = identifier_at + len(expected)
        end = start.find('"', value_at)  # an IRI holds no '"'
        if end < 0:
            raise DoesNotFit(f"a node whose identifier does not end near the start of its line, byte {at}")
        identifier = start[value_at:end]
        if "\\" in identifier:  # an escape, if any: read as JSON
            identifier = str(json.loads(f'"{identifier}"'))
        return iri_of(identifier)

    return Syntax(body, subject, _same, separator=b",\n")


# How much of a node's line is read to find its identifier, after its types.
_NODE_START = 4096


def flat_jsonld(prefixes: dict[str, str]) -> Syntax:
    """The catalogue's flat JSON-LD (:func:`civicgraph.publish.catalog.write_flat_jsonld`): the context, then
    one node per line in canonical order, separated by commas, its ``@id`` compacted with ``prefixes``."""

    def iri_of(identifier: str) -> str:
        prefix, colon, local = identifier.partition(":")
        return prefixes[prefix] + local if colon and prefix in prefixes else identifier

    return _jsonld_lines(('"@type":', '"@id":'), iri_of)


def graph_jsonld(iri_of: Callable[[str], str | None]) -> Syntax:
    """``graph.jsonld`` (:func:`civicgraph.graph.jsonld.write_jsonld`): the context, then one top-level node per
    line (those nested in it on the same line) in the order of their subjects, its ``id`` compacted against the
    published context, which ``iri_of`` undoes (None: it cannot)."""

    def subject(identifier: str) -> str:
        iri = iri_of(identifier)
        if iri is None:
            raise DoesNotFit(f"a node whose id {identifier!r} is not one IRI")
        return iri

    return _jsonld_lines(('"type":', '"id":'), subject)


class Blocks:
    """The blocks of one serialization, found by their subjects."""

    def __init__(self, data: Buffer, syntax: Syntax) -> None:
        self.data, self.syntax = data, syntax
        self.start, self.end = syntax.body(data)

    def span(self, subject: str) -> tuple[int, int]:
        """Where the subject's block starts and where the next block starts (the end of the body after the last);
        the same place twice where it has none: where its block would go."""
        key = self.syntax.order(subject)
        return self._first(key, after=False), self._first(key, after=True)

    def content(self, start: int, end: int) -> memoryview:
        """The blocks from ``start`` to ``end`` (where blocks start), without the separator after the last."""
        if end < self.end:
            end -= len(self.syntax.separator)
        return memoryview(self.data)[start:end]

    def _first(self, key: str, after: bool) -> int:
        """Where the first block sorting at or (``after``) after ``key`` starts: a binary search over byte
        positions, each looked at through the block starting next."""
        order = self.syntax.order
        low, high = self.start, self.end
        while low < high:
            middle = (low + high) // 2
            # Looked for no further than ``high``, whose block sorts at or after ``key``: a probe inside a long
            # block (a national catalogue's element, 287 kB) no longer reads to its end again and again. That
            # catalogue's RDF/XML, one report changed, was spliced in 0.11 s instead of 0.19, and the catalogue's
            # stage took 1.05 s instead of 1.27 (medians of 6 alternating runs, faster in 6 of 6).
            subject = self._block_from(middle, high)[1]
            if subject is not None and (order(subject) < key or (after and order(subject) == key)):
                low = middle + 1
            else:
                high = middle
        return self._block_from(low)[0]

    def _block_from(self, at: int, end: int | None = None) -> tuple[int, str | None]:
        """The first block starting at or after ``at`` and before ``end`` (the body's end if not given), and its
        subject; ``end`` and None when none starts there."""
        data, end = self.data, self.end if end is None else end
        if at > self.start and data[at - 1] != _NEWLINE:
            at = _next_line(data, at, end)
        while at < end:
            subject = self.syntax.subject(data, at)
            if subject is not None:
                return at, subject
            at = self.syntax.next_start(data, at, end)
        return end, None


# Splicing places each block with two binary searches, 0.1 ms per subject and file at national size, where a whole
# national graph file is written in about a second: below this many subjects, or one in 32 of a file's, it pays.
_FEW = 1000


def worth_splicing(placed: int, subjects: int) -> bool:
    """Whether placing the blocks of ``placed`` subjects in a serialization of ``subjects`` costs less than
    writing it whole (a changed base IRI or setting changes every block)."""
    return placed <= max(_FEW, subjects // 32)


@contextmanager
def mapped(path: Path) -> Iterator[Buffer]:
    """The bytes of a file, mapped into memory (read as the searches need them), read-only.

    Left by an error (a splice refused halfway, an interrupt), the map may still have views into it, held by the
    frames the error passes through (:func:`splice`'s pieces): closing it then raises BufferError, which would
    take the error's place. It is left to be unmapped when those views go, and the error goes on."""
    with path.open("rb") as file:
        try:
            view = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError as error:  # an empty file cannot be mapped
            raise DoesNotFit(f"{path}: {error}") from None
        try:
            yield view
        except BaseException:
            with suppress(BufferError):
                view.close()
            raise
        view.close()


def splice(earlier: Blocks, made: Blocks, dropped: set[str], written: Iterable[str], into: BinaryIO) -> None:
    """Write ``earlier`` with the blocks of the ``dropped`` subjects left out (where it has them) and the blocks
    ``made`` holds of the ``written`` subjects put in their places (none of them may have a block in ``earlier``
    unless dropped too)."""
    header, footer = made.data[: made.start], made.data[made.end :]
    if earlier.data[: earlier.start] != header or earlier.data[earlier.end :] != footer:
        raise DoesNotFit("the header or footer differs (other prefixes)")
    order = earlier.syntax.order
    pieces: list[memoryview] = []
    cursor = earlier.start
    for subject in sorted({*dropped, *written}, key=order):
        start, end = earlier.span(subject)
        if start < cursor:
            raise DoesNotFit(f"the block of {subject} comes before the one of the subject sorting before it")
        if start < end and subject not in dropped:
            raise DoesNotFit(f"{subject} has a block in the earlier serialization, and it was not to be dropped")
        if start > cursor:
            pieces.append(earlier.content(cursor, start))
        new_start, new_end = made.span(subject)
        if new_start < new_end:
            pieces.append(made.content(new_start, new_end))
        cursor = end
    if cursor < earlier.end:
        pieces.append(earlier.content(cursor, earlier.end))
    into.write(header)
    separator = earlier.syntax.separator
    for number, piece in enumerate(pieces):
        if number and separator:
            into.write(separator)
        into.write(piece)
    into.write(footer)


def splice_file(
    earlier: Path, made: bytes, syntax: Syntax, dropped: set[str], written: Iterable[str], into: Path
) -> None:
    """:func:`splice` of the ``earlier`` file and the ``made`` blocks into the file ``into``."""
    with mapped(earlier) as old, into.open("wb") as file:
        splice(Blocks(old, syntax), Blocks(made, syntax), dropped, written, file)
