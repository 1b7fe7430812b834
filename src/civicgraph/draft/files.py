"""Writing a draft into a data folder: ``reports/{TERYT}/{YEAR}/`` with the text byte for byte, its citation
and the drafted ``report.yaml``; proposed organisations appended to ``organisations.yaml``.

Nothing reviewed is lost: an existing ``report.yaml`` is replaced only when asked (``force``), and one that is no
longer a draft (a person reviewed it) is kept next to it as ``report.yaml.reviewed`` first; a different
``source.txt`` (the text the reviewed quotes point into) is kept as ``source.txt.previous``; an existing
``SOURCE.md`` (a citation filled in) is left as it is. Each kept copy has one name, and a copy already there is
never overwritten with other bytes: the draft is refused before anything is written, naming the copy to move
away (:class:`KeptCopyInTheWay`). One fixed name a person can find and compare is simpler to understand than a
growing series of numbered copies, and moving one file away is the only thing asked. A copy already holding the
very bytes to keep (the same report drafted again) is no reason to refuse. Every file is written to a temporary
file in its folder and renamed into place, so a failed run leaves the old file whole.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..util.errors import ExitCode, Failure, Message
from .drafter import draft
from .model import Draft
from .registry import Registry, read_registry
from .render import render_organisations, render_report

REPORTS_DIR = "reports"
ORGANISATIONS_FILE = "organisations.yaml"
MEMBERS_FILE = "members.yaml"
REVIEWED_COPY = "report.yaml.reviewed"
PREVIOUS_TEXT = "source.txt.previous"
DRAFT_MARKER = re.compile(r"^status:\s*draft\s*(#.*)?$", re.MULTILINE)

SOURCE_TEMPLATE = """\
# Source of `source.txt`

`source.txt` is a report's text, kept byte for byte as it was given to `civicgraph draft`; character offsets
into it are stable and every quote of `report.yaml` is located in it.

- Online: {url}
- Fill in: the report's full title, chapter and section; who published it; the date the text was copied.
"""


class ReportExists(Exception):
    """The member-year already has a report.yaml and replacing it was not asked for."""

    def __init__(self, report: Path) -> None:
        super().__init__(f"{report} already exists; give --force to replace it")
        self.report = report


class KeptCopyInTheWay(Failure):
    """Keeping an earlier file aside would overwrite the copy kept by an earlier run, which holds other bytes: a
    usage error, raised before anything is written. ``kept`` maps each such copy to what it keeps."""

    def __init__(self, kept: dict[Path, Message]) -> None:
        messages = [
            Message(
                f"{copy}: już przechowuje wcześniejszy {what.pl}, który ten szkic by nadpisał; "
                "przenieś go w inne miejsce, potem uruchom draft ponownie",
                f"{copy}: already keeps an earlier {what.en}, which this draft would overwrite; "
                "move it elsewhere, then draft again",
            )
            for copy, what in kept.items()
        ]
        super().__init__(Message("; ".join(m.pl for m in messages), "; ".join(m.en for m in messages)), ExitCode.USAGE)
        self.kept = list(kept)


class NotUtf8(ValueError):
    def __init__(self, offset: int) -> None:
        super().__init__(f"the text is not UTF-8 (byte {offset}); save it as UTF-8")


@dataclass
class Written:
    folder: Path
    draft: Draft
    kept: Path | None = None  # where a reviewed report.yaml was kept before it was replaced
    kept_text: Path | None = None  # where a different source.txt was kept before it was replaced
    proposed: list[str] = field(default_factory=list)  # keys appended to organisations.yaml
    unknown_member: bool = False  # the member is not in members.yaml yet


def draft_text(raw: bytes, member: str, year: int, data_dir: Path) -> Draft:
    """The draft of a text given as bytes, against the organisations and members of ``data_dir``."""
    return _draft(raw, member, year, _registry(data_dir))


def _draft(raw: bytes, member: str, year: int, registry: Registry) -> Draft:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotUtf8(error.start) from None
    return draft(text, member, year, registry)


def _registry(data_dir: Path) -> Registry:
    return read_registry(data_dir / ORGANISATIONS_FILE, data_dir / MEMBERS_FILE)


def write_draft(raw: bytes, member: str, year: int, data_dir: Path, url: str | None, force: bool) -> Written:
    folder = data_dir / REPORTS_DIR / member / str(year)
    report = folder / "report.yaml"
    if report.exists() and not force:
        raise ReportExists(report)
    text = folder / "source.txt"
    to_keep = _earlier_files_to_keep(report, text, raw)
    registry = _registry(data_dir)
    drafted = _draft(raw, member, year, registry)
    written = Written(folder, drafted, unknown_member=member not in registry.members)
    folder.mkdir(parents=True, exist_ok=True)
    for copy, content in to_keep.items():
        _replace(copy, content)
    written.kept = _if_kept(to_keep, folder / REVIEWED_COPY)
    written.kept_text = _if_kept(to_keep, folder / PREVIOUS_TEXT)
    _replace(text, raw)
    if not (folder / "SOURCE.md").exists():  # a citation someone filled in is never replaced
        _replace(folder / "SOURCE.md", SOURCE_TEMPLATE.format(url=url or "(fill in the web address)").encode())
    _replace(report, render_report(drafted, url).encode())
    written.proposed = _append_proposals(data_dir / ORGANISATIONS_FILE, drafted, folder, data_dir)
    return written


_REVIEWED = Message("przejrzany report.yaml", "reviewed report.yaml")
_TEXT = Message("source.txt", "source.txt")


def _earlier_files_to_keep(report: Path, text: Path, raw: bytes) -> dict[Path, bytes]:
    """The copies to write before ``report`` and ``text`` are replaced, and their bytes: a reviewed report, and
    another text (the one the old quotes point into). :class:`KeptCopyInTheWay` if a copy kept by an earlier run
    holds other bytes."""
    to_keep: dict[Path, tuple[bytes, Message]] = {}
    if report.exists() and not is_draft(report):
        to_keep[report.with_name(REVIEWED_COPY)] = (report.read_bytes(), _REVIEWED)
    if text.exists() and (earlier := text.read_bytes()) != raw:
        to_keep[text.with_name(PREVIOUS_TEXT)] = (earlier, _TEXT)
    in_the_way = {
        copy: what for copy, (content, what) in to_keep.items() if copy.exists() and copy.read_bytes() != content
    }
    if in_the_way:
        raise KeptCopyInTheWay(in_the_way)
    return {copy: content for copy, (content, _) in to_keep.items()}


def _if_kept(to_keep: dict[Path, bytes], copy: Path) -> Path | None:
    return copy if copy in to_keep else None


def is_draft(report: Path) -> bool:
    """Whether a report.yaml still carries ``status: draft`` (it has not been reviewed)."""
    return DRAFT_MARKER.search(report.read_text(encoding="utf-8", errors="replace")) is not None


def _append_proposals(organisations: Path, drafted: Draft, folder: Path, data_dir: Path) -> list[str]:
    """Append the proposed organisations that the file does not define yet; the keys appended."""
    existing = organisations.read_text(encoding="utf-8") if organisations.exists() else ""
    defined = set(re.findall(r"^([a-z0-9][a-z0-9-]*):", existing, re.MULTILINE))
    fresh = Draft(drafted.member, drafted.year, drafted.text)
    fresh.proposed = [p for p in drafted.proposed if p.key not in defined]
    fresh.variants = drafted.variants
    addition = render_organisations(fresh, str((folder / "source.txt").relative_to(data_dir)))
    if addition:
        _replace(organisations, (existing.rstrip("\n") + "\n" + addition).encode())
    return [p.key for p in fresh.proposed]


def _replace(path: Path, content: bytes) -> None:
    """Write ``content`` to a temporary file next to ``path`` (with the umask's permissions), then rename it
    over ``path``: a reader sees the old file or the new one, never a part."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(content)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
