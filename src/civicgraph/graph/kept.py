"""Each local government's block of the graph, kept beside a release and taken again by the next build of the same
records.

A national publisher receives one new or corrected report at a time, and building a national year's graph cost
3.7–3.9 s of every build, nearly all of it in the blocks of reports that did not change (:class:`Block`: the subjects
only one local government's reports make, prepared for their places, with their digests). ``civicgraph build``
into an earlier release therefore keeps every block beside it (``.{folder}.graph-blocks``, next to the reports read,
:func:`civicgraph.util.folders.beside`), and the next build takes a kept block instead of building it only when

- the file was written by the same code (:func:`civicgraph.util.resources.code_digest`) for the same base IRI, the
  one setting the builder reads;
- the local government's reports are, one by one and in the same order, the records the block was built from:
  each report's record digest (:func:`civicgraph.source.cache.record_digest`, of the report as pickled by the read)
  is the one it had then.

Any other block is built anew, so the graph is the one a fresh build makes; ``--full`` takes none. Each block is
pickled, as the reports read are, and unpickled only when it is taken: a national year's 2,807 blocks (71 MB) in
0.59 s, the build's cycle collector paused (0.43 s in a process of their own). Their triples alone unpickle in
0.26 s; written with :mod:`marshal` (literals as tuples) they read back in 0.17 s, and in 0.22–0.24 s with the
literals made :class:`~civicgraph.graph.terms.Lit` again (medians of 3): not worth a format of their own. The file is
written and read only by civicgraph, beside a release of the same user. A file that cannot be read back whole, or
holds anything else, is ignored whole and written anew; a block that does not unpickle is built anew.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from civicgraph.graph.build import Block
from civicgraph.source.records import Report
from civicgraph.util.folders import beside
from civicgraph.util.resources import code_digest

_FORMAT = 2  # of the file; another format is ignored
_PROTOCOL = pickle.HIGHEST_PROTOCOL


@dataclass
class BlockStore:
    """The blocks kept beside a release (``path``), and those of this build, to keep for the next one."""

    path: Path
    records: Mapping[str, bytes]  # each report's record digest, by its report.yaml (ReportCache.record_digests)
    base_iri: str
    full: bool = False  # take nothing kept (the file is still written)
    _earlier: dict[str, tuple[bytes, bytes]] | None = None  # by TERYT: the key and the block, pickled
    _earlier_count: int = 0  # how many blocks the file kept
    _now: dict[str, tuple[bytes, bytes | Block]] = field(default_factory=dict)  # pickled when taken, else made

    @classmethod
    def beside(
        cls, release_folder: Path, records: Mapping[str, bytes], base_iri: str, *, full: bool = False
    ) -> BlockStore:
        """The blocks kept beside the release in ``release_folder``."""
        return cls(beside(release_folder, "graph-blocks"), records, base_iri, full)

    def block(self, teryt: str, reports: tuple[Report, ...]) -> Block | None:
        """The kept block of ``teryt``'s reports when it was built from these records; None otherwise."""
        key = self._key(reports)
        kept = self._kept().pop(teryt, None)
        if key is None or kept is None or kept[0] != key:
            return None
        try:
            block = pickle.loads(kept[1])
        except Exception:  # any bytes that do not unpickle whole: build it anew
            return None
        if not isinstance(block, Block):
            return None
        self._now[teryt] = kept
        return block

    def made(self, teryt: str, reports: tuple[Report, ...], block: Block) -> None:
        """Keep the block built now of ``teryt``'s reports (those the read did not keep are not kept)."""
        key = self._key(reports)
        if key is not None:
            self._now[teryt] = (key, block)

    def save(self) -> None:
        """Write the blocks of this build for the next one into a partial file beside the kept one, unless that
        holds them already (nothing when the folder it is kept in does not exist yet), and let go of them: the
        blocks taken are written back as they were read. :meth:`keep` puts the file in place once the release
        built with them is; the file kept until then is the earlier release's."""
        now, self._earlier, self._now = self._now, {}, {}
        if not self.path.parent.is_dir():
            return
        self._remove_left_by_killed_runs()
        taken = sum(not isinstance(block, Block) for _key, block in now.values())
        if taken == len(now) == self._earlier_count:  # every block kept was taken, and none made
            return
        blocks = {
            teryt: (key, pickle.dumps(block, _PROTOCOL) if isinstance(block, Block) else block)
            for teryt, (key, block) in sorted(now.items())
        }
        data = pickle.dumps({"format": _FORMAT, "context": self._context(), "blocks": blocks}, _PROTOCOL)
        try:
            self._partial.write_bytes(data)
        except BaseException:
            self.discard()
            raise

    def keep(self) -> None:
        """Put the file :meth:`save` wrote in place of the kept one, in one step (nothing if it wrote none)."""
        if self._partial.is_file():
            self._partial.replace(self.path)

    def discard(self) -> None:
        """Remove the file :meth:`save` wrote, if any: the release it was written for was not built."""
        self._partial.unlink(missing_ok=True)

    def _remove_left_by_killed_runs(self) -> None:
        """Remove the partial files of builds killed between :meth:`save` and :meth:`keep`: regular files named as
        only :meth:`save` names them, by a process number. ``civicgraph build`` saves under the release folder's
        lock, so no other run is writing one."""
        pattern = re.compile(rf"{re.escape(self.path.name)}\.[0-9]+")
        for entry in self.path.parent.iterdir():
            if pattern.fullmatch(entry.name) and entry != self._partial and entry.is_file() and not entry.is_symlink():
                entry.unlink()

    @property
    def _partial(self) -> Path:
        """This run's own partial file, named by its process."""
        return self.path.with_name(f"{self.path.name}.{os.getpid()}")

    def _kept(self) -> dict[str, tuple[bytes, bytes]]:
        """The blocks of the file, read on first use: none with ``full``, or when the file does not fit."""
        if self._earlier is None:
            self._earlier = {} if self.full else _read(self.path, self._context())
            self._earlier_count = len(self._earlier)
        return self._earlier

    def _context(self) -> str:
        return f"{code_digest()} {self.base_iri}"

    def _key(self, reports: tuple[Report, ...]) -> bytes | None:
        """What a block is built from: its reports' records, in order; None when one has no digest."""
        digests = [self.records.get(str(report.location.file)) for report in reports]
        if any(digest is None for digest in digests):
            return None
        return hashlib.blake2b(b"".join(digest for digest in digests if digest), digest_size=16).digest()


def _read(path: Path, context: str) -> dict[str, tuple[bytes, bytes]]:
    """The pickled blocks of the file at ``path`` written in ``context``; none for any other file."""
    try:
        kept = pickle.loads(path.read_bytes())
    except Exception:  # none yet, or any file that does not unpickle whole
        return {}
    if not (isinstance(kept, dict) and kept.get("format") == _FORMAT and kept.get("context") == context):
        return {}
    blocks = kept.get("blocks")
    if not isinstance(blocks, dict):
        return {}
    return {
        teryt: entry
        for teryt, entry in blocks.items()
        if isinstance(entry, tuple) and len(entry) == 2 and all(isinstance(part, bytes) for part in entry)
    }
