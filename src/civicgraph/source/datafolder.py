"""Reading the files of a data folder, and nothing outside it.

Every path a data folder names — its YAML files, the folders under ``reports/`` and each report's ``text:`` — is
resolved (symbolic links followed) and must stay inside the folder: ``text: /proc/self/environ`` or a link to
``/etc`` would otherwise publish what they hold. Only regular files are read: opening a named pipe blocks for
ever and ``/dev/zero`` never ends, so the file is opened without blocking and its kind checked on the open
descriptor (no window between checking and reading). Reading stops one byte past a limit, so an oversized file is
refused without being read whole.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from civicgraph.util.errors import Message

MIB = 1 << 20
# A report's source text is one section of one report: the largest published sections are a few hundred KB.
MAX_TEXT_BYTES = 16 * MIB
# members.yaml of every Polish local government (2,477 of them) is under 1 MB; a national organisations.yaml less.
MAX_YAML_BYTES = 64 * MIB

_KINDS = (
    (stat.S_ISDIR, Message("folder", "a folder")),
    (stat.S_ISFIFO, Message("potok nazwany (FIFO)", "a named pipe (FIFO)")),
    (stat.S_ISCHR, Message("urządzenie znakowe", "a character device")),
    (stat.S_ISBLK, Message("urządzenie blokowe", "a block device")),
    (stat.S_ISSOCK, Message("gniazdo", "a socket")),
)


class Unreadable(Exception):
    """A file of the data folder that may not or cannot be read, and why."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.en)
        self.message = message


class DataFolder:
    """The data folder, resolved once; reads the files inside it."""

    def __init__(self, folder: Path) -> None:
        self.root = folder.resolve()
        self._inside_prefix = os.path.join(self.root, "")  # the root and a separator ("/" for the root itself)

    def inside(self, path: Path) -> str:
        """``path`` resolved; :class:`Unreadable` if it leads outside the data folder. Compared as text: a national
        build checks 5,614 paths, and ``PurePath.is_relative_to`` parses both each time."""
        resolved = os.path.realpath(path)
        if resolved != str(self.root) and not resolved.startswith(self._inside_prefix):
            raise Unreadable(
                Message(
                    f"ścieżka prowadzi poza folder danych ({self.root}) do {resolved}; "
                    "trzymaj wszystkie pliki w folderze danych",
                    f"the path leads outside the data folder ({self.root}), to {resolved}; "
                    "keep every file inside the data folder",
                )
            )
        return resolved

    def read(self, path: Path, limit: int, too_large: Message) -> bytes:
        """The bytes of the regular file ``path`` inside the data folder, at most ``limit`` of them."""
        resolved = self.inside(path)
        try:
            # O_NONBLOCK: opening a named pipe returns at once instead of waiting for a writer.
            descriptor = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as error:
            raise Unreadable(_os_error(error)) from None
        found = os.fstat(descriptor)
        if not stat.S_ISREG(found.st_mode):
            os.close(descriptor)
            kind = next(
                (kind for is_kind, kind in _KINDS if is_kind(found.st_mode)),
                Message("plik specjalny", "a special file"),
            )
            raise Unreadable(
                Message(
                    f"to nie zwykły plik, lecz {kind.pl}: podaj zwykły plik w folderze danych",
                    f"this is not a regular file but {kind.en}: give a regular file in the data folder",
                )
            )
        with os.fdopen(descriptor, "rb") as file:
            # As many bytes as the file has, and one more: asking for the limit at once would allocate it (64 MiB)
            # for every file. A file that grew since fstat is read on, to one byte past the limit.
            content = file.read(min(found.st_size, limit) + 1)
            if len(content) > found.st_size:
                content += file.read(limit + 1 - len(content))
        if len(content) > limit:
            raise Unreadable(too_large)
        return content


def _os_error(error: OSError) -> Message:
    if error.errno == errno.ENOENT:
        return Message("plik nie istnieje", "the file does not exist")
    if error.errno in (errno.EACCES, errno.EPERM):
        return Message("brak uprawnień do odczytu pliku", "no permission to read the file")
    if error.errno == errno.ELOOP:
        return Message("pętla dowiązań symbolicznych", "a loop of symbolic links")
    reason = error.strerror or str(error)
    return Message(f"nie można odczytać pliku ({reason})", f"cannot read the file ({reason})")
