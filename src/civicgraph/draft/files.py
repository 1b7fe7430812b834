"""Writing a draft into a data folder: ``reports/{TERYT}/{YEAR}/`` with the text byte for byte, its citation
and the drafted ``report.yaml``; proposed organisations appended to ``organisations.yaml``.

Nothing reviewed is lost: an existing ``report.yaml`` is replaced only when asked (``force``), and one that is no
longer a draft (a person reviewed it) is kept next to it as ``report.yaml.reviewed`` first; a different
``source.txt`` is kept as ``source.txt.previous``; an existing ``SOURCE.md`` (a citation filled in) is left as
it is. Every file is written
to a temporary file in its folder and renamed into place, so a failed run leaves the old file whole.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .drafter import draft
from .model import Draft
from .registry import Registry, read_registry
from .render import render_organisations, render_report

REPORTS_DIR = "reports"
ORGANISATIONS_FILE = "organisations.yaml"
MEMBERS_FILE = "members.yaml"
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
    registry = _registry(data_dir)
    drafted = _draft(raw, member, year, registry)
    written = Written(folder, drafted, unknown_member=member not in registry.members)
    folder.mkdir(parents=True, exist_ok=True)
    if report.exists() and not is_draft(report):
        written.kept = folder / "report.yaml.reviewed"
        _replace(written.kept, report.read_bytes())
    text = folder / "source.txt"
    if text.exists() and text.read_bytes() != raw:  # another text: the one the old quotes point into is kept
        written.kept_text = folder / "source.txt.previous"
        _replace(written.kept_text, text.read_bytes())
    _replace(text, raw)
    if not (folder / "SOURCE.md").exists():  # a citation someone filled in is never replaced
        _replace(folder / "SOURCE.md", SOURCE_TEMPLATE.format(url=url or "(fill in the web address)").encode())
    _replace(report, render_report(drafted, url).encode())
    written.proposed = _append_proposals(data_dir / ORGANISATIONS_FILE, drafted, folder, data_dir)
    return written


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
