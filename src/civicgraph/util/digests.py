"""The size and digests of files, read in threads: what the catalogue and ``SHA256SUMS`` state of every published
file (:mod:`civicgraph.publish.checksums`).

Only the standard library and :mod:`civicgraph.util.parallel` are imported here: a build into an earlier release
hashes its new files in a spawned interpreter (:func:`civicgraph.util.parallel.spawned`), which imports this module
and nothing of the pipeline. Importing the digests from :mod:`civicgraph.publish.checksums` there took 0.28–0.35 s,
rdflib's import most of it, before the first file was read."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from civicgraph.util.parallel import MAX_WORKERS


@dataclass(frozen=True)
class FileFacts:
    """Size and digests of one published file, read from the file as written."""

    path: str  # relative to dist/, with "/" separators
    size: int
    sha256: str
    sha1: str  # DCAT-AP 2.1.1 accepts only SHA-1 checksums


# What tells a file apart: device, inode, size and modification time. Two paths with the same are one file (hard
# links: a report page's edition files are its edition's) and have one digest.
Stat = tuple[int, int, int, int]

CHUNK = 1 << 20


@dataclass(frozen=True)
class HashedAhead:
    """Files being hashed by another process ahead of the writer that asks for their facts: each file with what
    identified it when its hashing began, and the function that waits for the facts."""

    files: Sequence[tuple[str, Stat]]
    facts: Callable[[], dict[str, tuple[Stat, FileFacts]]]


def file_facts(out: Path, relative: str) -> FileFacts:
    """Size, SHA-256 and SHA-1 of a file, from one read of it (in chunks: a national graph file is 300 MB)."""
    sha256, sha1 = hashlib.sha256(), hashlib.sha1(usedforsecurity=False)
    size = 0
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with open(out / relative, "rb", buffering=0) as file:
        while read := file.readinto(buffer):
            sha256.update(view[:read])
            sha1.update(view[:read])
            size += read
    return FileFacts(relative, size, sha256.hexdigest(), sha1.hexdigest())


R = TypeVar("R")
T = TypeVar("T")


def in_threads(work: Callable[[T], R], items: Sequence[T], threads: int = MAX_WORKERS) -> list[R]:
    """``work`` of every item, in order, done by ``threads`` threads taking every other item (the big files sort
    together); hashing runs in parallel because hashlib lets go of the interpreter lock."""
    shares = [items[start::threads] for start in range(threads)]
    results: list[R] = [None] * len(items)  # type: ignore[list-item]  # every place is filled below
    with ThreadPoolExecutor(threads) as pool:
        for start, done in enumerate(pool.map(lambda share: [work(item) for item in share], shares)):
            results[start::threads] = done
    return results


def read_facts(out: Path, files: Sequence[tuple[str, Stat]], threads: int) -> dict[str, tuple[Stat, FileFacts]]:
    """The facts of the files read, each with what identified it before it was read."""
    read = in_threads(lambda file: file_facts(out, file[0]), files, threads)
    return {path: (stat, facts) for (path, stat), facts in zip(files, read, strict=True)}
