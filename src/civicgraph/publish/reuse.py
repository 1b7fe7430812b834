"""Reusing the files of the release a build replaces, when they were made from the same records by the same code.

A national publisher receives one new or corrected report at a time; most of a release's per-report files would
come out byte for byte as they are. A build records, beside the release it writes, which key each such file was
made from (:meth:`Reuse.write_record`): a digest of exactly the records and settings the file is a function of
and of civicgraph's own files (:func:`code_digest`). The next build into the same folder takes a file from the earlier
release — a hard link, not a copy — only when

- the record belongs to the release now in the folder (it names the digest of that release's ``SHA256SUMS``),
- it was written by the same code (same digest of civicgraph's files, pyoxigraph's and Python's version),
- the file's key is the key the file would be made from now, and
- the file is still the one that build wrote (same inode, size and modification time).

Anything else is written anew, so a build that reuses gives the same bytes as one that does not (``--full``).
A writer of a file that lists every report, which no key of the whole would ever let it take, may instead write
it from the earlier one (:meth:`Reuse.earlier_file`): it notes how it made the file (:meth:`Reuse.note`, or a
note too large for the record kept in a file of its own beside it, :meth:`Reuse.keep_beside`) and declares the
file with the digest of that note, so that an earlier file is used only with the note it was written with.
The record lives beside the release (``.{folder}.reuse.json``, next to its lock), not in it: it describes how
the files were made, not the data. A record that does not fit is ignored, never trusted in part.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from civicgraph.util.folders import beside, write_at_once
from civicgraph.util.resources import code_digest

# Fields of the source records that no published file shows: where a record was read from (file and line, which
# change when a record above it is edited) and the path of a report's text file (its content is published).
NOT_PUBLISHED = frozenset({"location", "text_file"})
_FORMAT = 1  # of the record file; another format is ignored
# What link(2) answers where a file system cannot link (or not across these folders): then a copy is made.
_NO_HARD_LINKS = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP}


def record_path(release_folder: Path) -> Path:
    """Where the record of the release in ``release_folder`` is kept: beside it, next to its lock file."""
    return beside(release_folder, "reuse.json")


def key_of(*parts: Any, skip: frozenset[str] = frozenset()) -> str:
    """A digest of records (dataclasses, mappings, sequences, sets, scalars), fields named in ``skip`` left out;
    sets and mappings in sorted order, so the key does not depend on the order Python iterates them in."""
    tokens: list[str] = [code_digest()]
    for part in parts:
        _tokens(part, skip, tokens)
    return hashlib.sha256("\x1f".join(tokens).encode("utf-8", "surrogatepass")).hexdigest()


def _tokens(value: Any, skip: frozenset[str], tokens: list[str]) -> None:
    """``value`` as a flat list of strings, each value's kind before it and each text's and sequence's length
    before its characters or items, so that no two different values give the same list. Walked by hand, not
    with ``dataclasses.asdict`` or JSON: a national build keys 2,807 editions of a few hundred records each,
    and this walk is what keying costs (0.3 ms an edition, against 2 ms through JSON)."""
    kind = type(value)
    if kind is str:
        tokens += ("str", str(len(value)), value)  # its length first: a separator inside it cannot mislead
    elif value is None or kind is bool or kind is int or kind is Decimal or kind is date or isinstance(value, Path):
        text = str(value)
        tokens += (kind.__name__, str(len(text)), text)
    elif (names := _field_names(kind, skip)) is not None:
        tokens.append(kind.__name__)
        for name in names:
            _tokens(getattr(value, name), skip, tokens)
    elif kind is tuple or kind is list:
        tokens += ("seq", str(len(value)))
        for item in value:
            _tokens(item, skip, tokens)
    elif isinstance(value, Mapping):
        tokens += ("map", str(len(value)))
        for key in sorted(value, key=str):
            _tokens(str(key), skip, tokens)
            _tokens(value[key], skip, tokens)
    elif isinstance(value, set | frozenset):
        tokens += ("set", str(len(value)))
        for item in sorted(value, key=key_of):
            _tokens(item, skip, tokens)
    else:
        raise TypeError(f"no key for a {kind.__name__}")


_FIELDS: dict[tuple[type, frozenset[str]], tuple[str, ...] | None] = {}


def _field_names(kind: type, skip: frozenset[str]) -> tuple[str, ...] | None:
    """The fields of a dataclass that a key covers, in their order (looked up once per type); None for any other
    type."""
    known = _FIELDS.get((kind, skip), ())
    if known != ():
        return known
    names = (
        tuple(f.name for f in dataclasses.fields(kind) if f.name not in skip)
        if dataclasses.is_dataclass(kind)
        else None
    )
    _FIELDS[(kind, skip)] = names
    return names


class Listed(NamedTuple):
    """A file of the release as its ``SHA256SUMS`` listed it: what identified it, and its digest."""

    inode: int
    size: int
    mtime_ns: int
    sha256: str


class Entry(NamedTuple):
    """A file of the release as its build recorded it. A named tuple, not a frozen dataclass: a national year's
    record holds 34,685 files, and making them took 0.097 s instead of 0.043 (medians of 9 runs, each field
    given by its name in the record); read before the graph files are written, while the other core validates."""

    key: str
    size: int
    mtime_ns: int
    inode: int
    sha256: str
    sha1: str | None  # known when the catalogue hashed the file

    def written_as(self, stat: os.stat_result) -> bool:
        return self.identified_by(stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def identified_by(self, inode: int, size: int, mtime_ns: int) -> bool:
        return (inode, size, mtime_ns) == (self.inode, self.size, self.mtime_ns)


@dataclass
class Reuse:
    """What the release being replaced offers (``earlier``: relative path -> entry) and the keys of the files this
    build makes (``keys``: declared by the writers before they write, in the building process)."""

    folder: Path | None = None  # the release being replaced; None: nothing to reuse
    earlier: dict[str, Entry] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    # What a writer noted about how it made its files, by writer: the earlier build's, and this build's to record.
    recalled: dict[str, Any] = field(default_factory=dict)
    noted: dict[str, Any] = field(default_factory=dict)
    # Larger notes, kept in files of their own beside the release (``.{folder}.{what}``), by what they are.
    kept: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def of(cls, release_folder: Path) -> Reuse:
        """What the release in ``release_folder`` offers: nothing when its record is missing, was written for
        another release or by other code, or cannot be read."""
        folder = release_folder.resolve()
        try:
            recorded = orjson.loads(record_path(folder).read_bytes())
            checksums = (folder / "SHA256SUMS").read_bytes()
        except (OSError, ValueError):
            return cls()
        fits = (
            isinstance(recorded, dict)
            and recorded.get("format") == _FORMAT
            and recorded.get("code") == code_digest()
            and recorded.get("release") == hashlib.sha256(checksums).hexdigest()
        )
        if not fits:
            return cls()
        try:
            earlier = {
                path: Entry(v["key"], v["size"], v["mtime_ns"], v["inode"], v["sha256"], v["sha1"])
                for path, v in recorded["files"].items()
            }
        except (KeyError, TypeError, AttributeError):
            return cls()
        noted = recorded.get("noted")
        return cls(folder, earlier, recalled=noted if isinstance(noted, dict) else {})

    def declare(self, *paths: str, key: str) -> None:
        """Each of ``paths`` (relative to the release) is made from ``key`` in this build."""
        for path in paths:
            self.keys[path] = key

    def take(self, path: str, staging: Path) -> bool:
        """Link the earlier release's ``path`` into ``staging`` when it was made from the key declared for it
        now and is still the file that build wrote; False (nothing done) otherwise."""
        source = self._earlier_source(path, self.keys.get(path))
        if source is None:
            return False
        target = f"{staging}/{path}"
        try:
            os.link(source, target)
        except FileNotFoundError:  # removed from the earlier release since
            return False
        except OSError as error:
            if error.errno not in _NO_HARD_LINKS:
                raise
            shutil.copyfile(source, target)  # the same bytes, in a new inode
        return True

    def take_all(self, paths: list[str], staging: Path) -> bool:
        """Take every one of ``paths`` or none (the files of one page come from one build; no paths: none): a file
        taken before one that cannot be is unlinked again, so that nothing written afterwards reaches the earlier
        release's file through its link."""
        if not paths:
            return False
        taken: list[str] = []
        for path in paths:
            if not self.take(path, staging):
                for linked in taken:
                    (staging / linked).unlink()
                return False
            taken.append(path)
        return True

    def note(self, writer: str, what: Any) -> None:
        """Record ``what`` (plain JSON data) for the next build into the same folder, as ``writer``'s note."""
        self.noted[writer] = what

    def keep_beside(self, what: str, data: bytes) -> None:
        """Keep ``data`` beside the release for the next build (written with the record): a note too large for
        the record. Tie it to the files it describes by declaring them with its digest."""
        self.kept[what] = data

    def earlier_beside(self, what: str) -> bytes | None:
        """What the earlier build kept beside its release as ``what`` (None: nothing, or nothing to reuse)."""
        if self.folder is None:
            return None
        try:
            return beside(self.folder, what).read_bytes()
        except OSError:
            return None

    def earlier_file(self, path: str, key: str | None) -> Path | None:
        """The earlier release's ``path``, when its build recorded it as made from ``key`` and it is still the file
        that build wrote; None otherwise. For a writer that makes its file anew from the earlier one."""
        source = self._earlier_source(path, key)
        return Path(source) if source is not None else None

    def _earlier_source(self, path: str, key: str | None) -> str | None:
        """:meth:`earlier_file` as a string, which :meth:`take` links: a national year's build into its release
        takes 34,638 files, which took 0.50 s joined and statted as ``Path`` objects and take 0.25 s as strings
        (one report changed, the whole build: 13.44 s against 13.67, medians of 6 alternating pairs)."""
        entry = self.earlier.get(path)
        if self.folder is None or entry is None or entry.key != key:
            return None
        source = f"{self.folder}/{path}"
        try:
            return source if entry.written_as(os.stat(source)) else None
        except OSError:
            return None

    def facts(self, path: str, staging: Path) -> Entry | None:
        """The recorded size and digests of ``staging/path`` when it is the earlier release's file, taken."""
        if path not in self.earlier:  # a fresh build: nothing to stat
            return None
        try:
            stat = (staging / path).stat()
        except OSError:
            return None
        return self.facts_of(path, stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def facts_of(self, path: str, inode: int, size: int, mtime_ns: int) -> Entry | None:
        """:meth:`facts` of a file whose identity the caller has (SHA256SUMS lists 40,000 files at a national
        year, each statted already)."""
        entry = self.earlier.get(path)
        if entry is None or self.keys.get(path) != entry.key:
            return None
        return entry if entry.identified_by(inode, size, mtime_ns) else None

    def write_record(
        self, staging: Path, release_folder: Path, listed: Mapping[str, Listed], sha1_of: Mapping[str, str]
    ) -> None:
        """Record the keys of this build's files, with what identifies them in ``staging`` (the release once it
        is swapped in: inodes and times do not change with a rename) as its ``SHA256SUMS`` ``listed`` them, for the
        next build into ``release_folder``. Written before the swap; if the swap fails, the record names a release
        that is not there and is ignored."""
        target = record_path(release_folder)
        checksums = (staging / "SHA256SUMS").read_bytes()
        files = {}
        for path, key in sorted(self.keys.items()):
            found = listed.get(path)
            if found is None:  # declared, then not written (a writer run alone): nothing to record
                continue
            files[path] = {
                "key": key,
                "size": found.size,
                "mtime_ns": found.mtime_ns,
                "inode": found.inode,
                "sha256": found.sha256,
                "sha1": sha1_of.get(path),
            }
        recorded = {
            "format": _FORMAT,
            "code": code_digest(),
            "release": hashlib.sha256(checksums).hexdigest(),
            "files": files,
            "noted": self.noted,
        }
        for what, data in self.kept.items():  # before the record that names their digests
            write_at_once(beside(release_folder, what), data)
        # orjson: a national year's record (34,000 files) encoded in 0.01 s instead of json's 0.1 s
        write_at_once(target, orjson.dumps(recorded) + b"\n")
