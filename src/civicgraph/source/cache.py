"""Reports read by an earlier build, taken again while the files they were read from are unchanged.

A national publisher receives one new or corrected report at a time, and reading the 2,807 reports of a national
year costs 2.4 s of every build. ``civicgraph build`` therefore keeps the reports it read, beside the release it
writes (``.{folder}.reports.pickle``, next to the reuse record, :func:`civicgraph.util.folders.beside`). The next
read takes a kept report instead of reading it only when

- the cache was written by the same code (:func:`civicgraph.util.resources.code_digest`: civicgraph's files,
  pyoxigraph's and Python's versions) for the same ``members.yaml`` and ``organisations.yaml`` (by their SHA-256:
  a report is checked against both);
- the report's ``report.yaml`` and its source text, read again through the data folder (the same refusals as a
  first read: :class:`civicgraph.source.datafolder.DataFolder`), have the SHA-256 they had when it was read, and
  it is found at the same path.

Anything else is read anew, so the records are those a fresh read gives, problems included: only a report read
without a problem is kept. ``--full`` reads every report anew. The reports are pickled, as Sphinx keeps its
environment: the file is written and read only by civicgraph, beside a release of the same user. A file that
cannot be read back whole, or holds anything else, is ignored whole and written anew.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from civicgraph.source.datafolder import MAX_TEXT_BYTES, MAX_YAML_BYTES, DataFolder, Unreadable
from civicgraph.source.records import Report
from civicgraph.util.errors import Message
from civicgraph.util.folders import beside
from civicgraph.util.gcpause import paused_cycle_collector
from civicgraph.util.parallel import SHARED_FROM, forked, workers
from civicgraph.util.resources import code_digest

_FORMAT = 1  # of the cache file; another format is ignored
_UNUSED = Message("", "")  # the refusal's wording is the first read's business, not the cache's


@dataclass(frozen=True)
class _Kept:
    """A report as read, and the digests of the two files it was read from."""

    report_sha256: str  # of report.yaml
    text_file: str  # the source text's path, as the report names it
    text_sha256: str
    pickled: bytes


@dataclass
class ReportCache:
    """The reports kept beside a release (``path``) and those of this read, to keep for the next one."""

    path: Path | None  # None: keep nothing (a read that publishes nothing)
    full: bool = False  # take nothing kept: read every report anew (the cache is still written)
    _earlier: dict[str, _Kept] = field(default_factory=dict)
    _context: str | None = None
    _taken: dict[str, _Kept] = field(default_factory=dict)  # kept and taken again: their bytes are written back
    _read: dict[str, tuple[str, Report]] = field(default_factory=dict)  # read now: report.yaml's digest, report
    _changed: bool = False  # whether anything was read anew or has gone since the cache was written

    @classmethod
    def beside(cls, release_folder: Path, *, full: bool = False) -> ReportCache:
        """The cache kept beside the release in ``release_folder``."""
        return cls(beside(release_folder, "reports.pickle"), full)

    def open(self, members_sha256: str, organisations_sha256: str) -> None:
        """Start a read against the ``members.yaml`` and ``organisations.yaml`` of these digests: the kept
        reports are those read against the same files by the same code, or none."""
        self._context = f"{code_digest()} {members_sha256} {organisations_sha256}"
        self._changed = True  # until the kept file is found to fit
        if self.path is None or self.full:
            return
        try:
            kept = pickle.loads(self.path.read_bytes())
        except Exception:  # none yet, or any file that does not unpickle whole: a cache to ignore
            return
        if not (isinstance(kept, dict) and kept.get("format") == _FORMAT and kept.get("context") == self._context):
            return
        reports = kept.get("reports")
        if isinstance(reports, dict) and all(isinstance(entry, _Kept) for entry in reports.values()):
            self._earlier, self._changed = reports, False

    def take(self, folder: DataFolder, report_file: Path) -> Report | None:
        """The kept report of ``report_file`` when the file and its source text are as they were read; None
        (read it anew) otherwise."""
        kept = self._earlier.pop(str(report_file), None)
        if kept is None:
            return None
        try:
            fits = _sha256(folder.read(report_file, MAX_YAML_BYTES, _UNUSED)) == kept.report_sha256
            fits = fits and _sha256(folder.read(Path(kept.text_file), MAX_TEXT_BYTES, _UNUSED)) == kept.text_sha256
        except Unreadable:
            fits = False
        if not fits:
            self._changed = True
            return None
        report = pickle.loads(kept.pickled)
        assert isinstance(report, Report)
        self._taken[str(report_file)] = kept
        return report

    def keep(self, report_file: Path, report_sha256: str, report: Report) -> None:
        """Keep ``report``, read now from ``report_file`` (of this digest) without a problem."""
        self._read[str(report_file)] = (report_sha256, report)
        self._changed = True

    @contextmanager
    def saved_meanwhile(self) -> Iterator[None]:
        """Write the cache once the block has run, the reports read now pickled meanwhile by a forked child when
        they are many (a whole national year: 0.2 s of work, while the graph is built on one core)."""
        if self.path is None or self._context is None:
            yield
            return
        if self._earlier:  # kept reports of files not found this time: gone
            self._changed = True
        if not self._changed:
            yield
            return
        if len(self._read) < SHARED_FROM or workers() < 2:
            yield
            self._write(self._pickled())
            return
        with forked(self._send_pickled) as channel:
            yield
            pickled = channel.recv_bytes()
        self._write(pickled)

    def _send_pickled(self, channel: Connection) -> None:
        with paused_cycle_collector():  # a collection would touch, and so copy, every page of the parent's records
            channel.send_bytes(self._pickled())

    def _pickled(self) -> bytes:
        reports = dict(self._taken)
        for file, (report_sha256, report) in self._read.items():
            text_file, text_sha256 = str(report.text_file), report.text_sha256
            reports[file] = _Kept(report_sha256, text_file, text_sha256, pickle.dumps(report, pickle.HIGHEST_PROTOCOL))
        kept = {"format": _FORMAT, "context": self._context, "reports": dict(sorted(reports.items()))}
        return pickle.dumps(kept, pickle.HIGHEST_PROTOCOL)

    def _write(self, pickled: bytes) -> None:
        """Replace the cache file in one step; nothing when the folder it is kept in does not exist yet (the
        first build into a new folder's parent keeps nothing)."""
        assert self.path is not None
        if not self.path.parent.is_dir():
            return
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}")
        partial.write_bytes(pickled)
        partial.replace(self.path)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
