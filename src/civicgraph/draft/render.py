"""A draft written as ``report.yaml`` in the format the build reads, with ``status: draft`` on top and a comment
per fact; and the proposed organisations as entries for ``organisations.yaml``."""

from __future__ import annotations

from decimal import Decimal

import yaml

from .model import Activity, Draft, Figure, Membership, Note, Participant
from .quotes import quote_text

HEADER = """\
# DRAFT made by `civicgraph draft` from source.txt. The build refuses it until a person has reviewed it:
#   1. check every fact against the text; each comment says how it was found and how sure the draft is
#      (sure, likely, check: look at `check` first) — delete the comments you have dealt with;
#   2. fill in what is empty: the report's title, the English titles and labels (nothing is machine-translated),
#      units the vocabulary lacks;
#   3. remove the line `status: draft`, then run `civicgraph validate`.
"""


def render_report(draft: Draft, url: str | None = None) -> str:
    lines = [HEADER, "status: draft", ""]
    lines += [f'member: "{draft.member}"', f"year: {draft.year}"]
    lines += ["title:", '  pl: ""   # the report\'s title as printed', '  en: ""']
    lines += [f"url: {_scalar(url) if url else 'null'}", "text: source.txt", ""]
    if draft.figures:
        lines.append("figures:")
        lines += _figures(draft.text, draft.figures, "  ")
        lines.append("")
    lines.append("memberships:")
    if draft.count_note:
        lines.append(f"  # {draft.count_note}")
    for name in draft.left:
        lines.append(f"  # {name}: named as left, so not drafted as a membership")
    lines += [line for m in draft.memberships for line in _membership(draft.text, m)]
    lines.append("")
    lines.append("activities:" if draft.activities else "activities: {}")
    for activity in draft.activities:
        lines += _activity(draft.text, activity)
    return "\n".join(lines).rstrip("\n") + "\n"


def render_organisations(draft: Draft, source: str) -> str:
    """Entries for ``organisations.yaml``: the proposed organisations, each marked as a draft, and the printed
    names of recorded ones to add to their variants."""
    if not draft.proposed and not draft.variants:
        return ""
    lines = ["", f"# --- Proposed by `civicgraph draft` from {source}: check each, then remove its `status: draft`."]
    for proposal in draft.proposed:
        lines += [
            "",
            f"{proposal.key}:",
            f"  status: draft   # {proposal.note}",
            f"  name: {{pl: {_scalar(proposal.name)}, en: null}}",
            f"  type: {proposal.type or 'null'}   # only what the name states; null when it states none",
            "  krs: null   # never guessed: only a number verified in the KRS register",
            "  wikidata: null   # never guessed: `civicgraph link wikidata` finds candidates to verify",
        ]
    for variant in draft.variants:
        entry = f"{{name: {_scalar(variant.name)}, report: {draft.member}/{draft.year}, "
        entry += f"quote: {_scalar(quote_text(draft.text, variant.quote))}}}"
        lines += [f"# {variant.key}: {variant.note}:", f"#   - {entry}"]
    return "\n".join(lines) + "\n"


def _membership(text: str, membership: Membership) -> list[str]:
    return [
        f"  # {membership.note}",
        f"  {membership.key}:",
        f"    quote: {_scalar(quote_text(text, membership.quote))}",
    ]


def _activity(text: str, activity: Activity) -> list[str]:
    lines = [
        f"  # {activity.note}",
        f"  {activity.key}:",
        f"    membership: {activity.membership}",
        f"    types: [{', '.join(activity.types)}]",
        "    title:",
        f"      pl: {_scalar(activity.title)}",
        '      en: ""   # write the English title',
    ]
    if activity.period is not None:
        lines.append(f"    period: {activity.period}")
    lines.append(f"    quote: {_scalar(quote_text(text, activity.quote))}")
    if activity.participants:
        lines.append("    participants:")
        lines += [line for p in activity.participants for line in _participant(text, p)]
    if activity.figures:
        lines.append("    figures:")
        lines += _figures(text, activity.figures, "      ")
    return lines


def _participant(text: str, participant: Participant) -> list[str]:
    return [
        f"      # {participant.note}",
        f'      - member: "{participant.member}"',
        f"        role: {participant.role}",
        f"        quote: {_scalar(quote_text(text, participant.quote))}",
    ]


def _figures(text: str, figures: list[Figure], indent: str) -> list[str]:
    lines = []
    for figure in figures:
        lines += [
            f"{indent}# {figure.note}",
            f"{indent}{figure.key}:",
            f"{indent}  label:",
            f"{indent}    pl: {_scalar(figure.label)}   # drafted from the quote: say what is counted",
            f'{indent}    en: ""',
            f"{indent}  value: {_number(figure.value)}",
        ]
        if figure.currency:
            lines.append(f"{indent}  currency: {figure.currency}")
        else:
            lines.append(f"{indent}  unit: {figure.unit or 'null'}")
        lines += [f"{indent}  hedge: {figure.hedge}", f"{indent}  quote: {_scalar(quote_text(text, figure.quote))}"]
    return lines


def _number(value: Decimal) -> str:
    return format(value, "f")


def _scalar(value: str) -> str:
    """A string as a YAML scalar: plain when YAML reads it back as the same string, quoted otherwise."""
    dumped: str = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_flow_style=True)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def comment(note: Note) -> str:
    return f"# {note}"
