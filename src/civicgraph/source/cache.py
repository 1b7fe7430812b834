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
without a problem is kept, and the file is written only by a read that found none. ``--full`` reads every report
anew. The reports are pickled, as Sphinx keeps its environment: the file is written and read only by civicgraph,
beside a release of the same user. A file that cannot be read back whole, or holds anything else, is ignored whole
and written anew.

Each report is pickled by the process that read it (:func:`civicgraph.source.reader.read_dataset`): the child
reading half of them sends them pickled anyway, so only the parent's half costs more (0.1 s of a national year,
in the read, while the child reads too). Pickling them all in a forked child while the graph was built made the
build 0.3–0.4 s slower, the child's work slowing the build's own on the other core.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from civicgraph.source.datafolder import MAX_TEXT_BYTES, MAX_YAML_BYTES, DataFolder, Unreadable
from civicgraph.source.records import Report
from civicgraph.util.errors import Message
from civicgraph.util.folders import beside
from civicgraph.util.parallel import SHARED_FROM, forked_result, workers
from civicgraph.util.resources import code_digest

_FORMAT = 1  # of the cache file; another format is ignored
_PROTOCOL = pickle.HIGHEST_PROTOCOL
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

    path: Path
    full: bool = False  # take nothing kept: read every report anew (the cache is still written)
    _context: str | None = None  # set by open(): nothing is written for a read that did not get that far
    _earlier: dict[str, _Kept] = field(default_factory=dict)  # kept and not taken (yet)
    _earlier_count: int | None = None  # how many the file kept; None: it did not fit, or was not read (--full)
    _taken: dict[str, _Kept] = field(default_factory=dict)  # kept and taken again: their bytes are written back
    _read: dict[str, _Kept] = field(default_factory=dict)  # read now
    # A digest of each report of this read, taken or read now, as pickled, by its report.yaml: equal digests are
    # equal records, whose graph an earlier build may have kept (:mod:`civicgraph.graph.kept`).
    record_digests: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def beside(cls, release_folder: Path, *, full: bool = False) -> ReportCache:
        """The cache kept beside the release in ``release_folder``."""
        return cls(beside(release_folder, "reports.pickle"), full)

    def open(self, members_sha256: str, organisations_sha256: str) -> None:
        """Start a read against the ``members.yaml`` and ``organisations.yaml`` of these digests: the kept
        reports are those read against the same files by the same code, or none."""
        self._context = f"{code_digest()} {members_sha256} {organisations_sha256}"
        if self.full:
            return
        try:
            kept = pickle.loads(self.path.read_bytes())
        except Exception:  # none yet, or any file that does not unpickle whole: a cache to ignore
            return
        if not (isinstance(kept, dict) and kept.get("format") == _FORMAT and kept.get("context") == self._context):
            return
        reports = kept.get("reports")
        if isinstance(reports, dict) and all(isinstance(entry, _Kept) for entry in reports.values()):
            self._earlier, self._earlier_count = reports, len(reports)

    def take_all(self, folder: DataFolder, report_files: list[Path]) -> dict[Path, Report]:
        """The kept reports of ``report_files`` whose report.yaml and source text are as they were read; the others
        are to be read anew.

        Checking a report's two files (reading them again through the data folder and hashing them) and unpickling
        the report cost about as much as each other: 0.6 and 0.5 s at a national year. From
        :data:`~civicgraph.util.parallel.SHARED_FROM` kept reports, with two cores, a forked child checks the files
        while this process unpickles every kept report; those whose files changed are then dropped."""
        kept = {file: entry for file in report_files if (entry := self._earlier.pop(str(file), None)) is not None}
        check = partial(_fitting, folder, kept)
        if len(kept) >= SHARED_FROM and workers() >= 2:
            with forked_result(check) as checked:
                unpickled = {file: pickle.loads(entry.pickled) for file, entry in kept.items()}
                fitting = checked()
        else:
            fitting = check()
            unpickled = {file: pickle.loads(kept[file].pickled) for file in fitting}
        taken: dict[Path, Report] = {}
        for file in report_files:
            if file not in fitting:
                continue
            report, entry = unpickled[file], kept[file]
            assert isinstance(report, Report)
            self._taken[str(file)] = entry
            self.record_digests[str(file)] = record_digest(entry.pickled)
            taken[file] = report
        return taken

    def keep(self, report_file: Path, report_sha256: str, report: Report, pickled: bytes) -> None:
        """Keep ``report`` (``pickled``: pickled where it was read), read now from ``report_file`` (of this
        digest) without a problem."""
        text_file, text_sha256 = str(report.text_file), report.text_sha256
        self._read[str(report_file)] = _Kept(report_sha256, text_file, text_sha256, pickled)
        self.record_digests[str(report_file)] = record_digest(pickled)

    def save(self) -> None:
        """Write the reports taken and read now for the next read, unless the kept file is already the one this
        read would write; then let go of their bytes (67 MB at three national years), which the build does not
        need."""
        # the file is the same when it fitted, every report it kept was taken again and none was read anew
        unchanged = self._earlier_count == len(self._taken) and not self._read
        if self._context is not None and not unchanged:
            reports = dict(sorted({**self._taken, **self._read}.items()))
            self._write(pickle.dumps({"format": _FORMAT, "context": self._context, "reports": reports}, _PROTOCOL))
        self._earlier, self._taken, self._read = {}, {}, {}

    def _write(self, pickled: bytes) -> None:
        """Replace the cache file in one step; nothing when the folder it is kept in does not exist yet (the
        first build into a new folder's parent keeps nothing)."""
        if not self.path.parent.is_dir():
            return
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}")
        try:
            partial.write_bytes(pickled)
            partial.replace(self.path)
        except BaseException:
            partial.unlink(missing_ok=True)  # this run's own partial file, named by its process
            raise


def _fitting(folder: DataFolder, kept: dict[Path, _Kept]) -> set[Path]:
    """The report files of ``kept`` whose report.yaml and source text have the digests they had when read."""
    fitting = set()
    for report_file, entry in kept.items():
        try:
            fits = _sha256(folder.read(report_file, MAX_YAML_BYTES, _UNUSED)) == entry.report_sha256
            fits = fits and _sha256(folder.read(Path(entry.text_file), MAX_TEXT_BYTES, _UNUSED)) == entry.text_sha256
        except Unreadable:
            fits = False
        if fits:
            fitting.add(report_file)
    return fitting


def record_digest(pickled: bytes) -> bytes:
    """The digest of a report as pickled: the bytes it is read back from, so one digest is one record."""
    return hashlib.blake2b(pickled, digest_size=16).digest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
