#!/usr/bin/env python3
"""Start a new member-year: make data/reports/{TERYT}/{YEAR}/ with a report.yaml to fill in.

Usage: python scripts/new_report.py TERYT YEAR [--data data]

Copy the report's section on national cooperation, byte for byte, into source.txt next to it, then fill in
report.yaml (every fact quotes the passage it comes from) and run `civicgraph validate`: until the title, the
text and at least one membership are filled in, it says what is missing (exit 3) and nothing is published.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TEMPLATE = """\
# {name}: report on the state of the municipality for {year}, section on national cooperation.
# Every fact quotes the passage of source.txt it comes from (`quote`); see data/reports/3064011/2023/report.yaml
# for a complete example with activities, participants and figures.

member: "{teryt}"
year: {year}
title:
  pl:   # the report's title as printed, e.g. Raport o stanie Gminy ... za {year} rok
  en:   # the title in English, e.g. Report on the state of the Commune of ... for {year}
url: null   # the web address of the section, when published online
text: source.txt   # paste the report's section on national cooperation into it, byte for byte

# One entry per organisation key of data/organisations.yaml, with the passage naming the membership, e.g.
#   zmp:
#     quote: Związek Miast Polskich
memberships: {{}}

activities: {{}}
"""

SOURCE = """\
# Source of `source.txt`

Give here: the report's full title, chapter and section; the publisher; the web address it was copied from and
the date; that it is kept byte for byte as received (UTF-8).
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("teryt", help="TERYT code of the member: 2, 4 or 7 digits")
    parser.add_argument("year", type=int, help="the reporting year")
    parser.add_argument("--data", type=Path, default=Path("data"), help="the data folder (default: data)")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[0-9]{2}(?:[0-9]{2}(?:[0-9]{3})?)?", args.teryt):
        parser.error(f"{args.teryt!r} is not a TERYT code (2, 4 or 7 digits)")
    folder = args.data / "reports" / args.teryt / str(args.year)
    if folder.exists():
        parser.error(f"{folder} already exists; nothing was changed")
    folder.mkdir(parents=True)
    (folder / "report.yaml").write_text(
        TEMPLATE.format(name=args.teryt, teryt=args.teryt, year=args.year), encoding="utf-8"
    )
    (folder / "SOURCE.md").write_text(SOURCE, encoding="utf-8")
    (folder / "source.txt").write_text("", encoding="utf-8")
    print(f"created {folder}: paste the report's text into source.txt, then fill in report.yaml", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
