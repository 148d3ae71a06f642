"""``python -m nnbook.handout`` (also ``nnbook-handout``): handouts for a course, one command per format.

Examples::

    python -m nnbook.handout --list
    python -m nnbook.handout --chapter conv --seed 7 --format markdown --out handout/
    python -m nnbook.handout --chapter conv --roster roster.csv --secret "CS101 fall" --format pdf --out pdf/
    python -m nnbook.handout --exercises intro-output-length,conv-padding-same --seed 1 --variants 30 \\
        --format moodle --out moodle/

Bad input (an unknown chapter or exercise, a roster without an id column, duplicate ids, an empty
selection) is reported on stderr with exit code 2, and nothing is written.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from collections.abc import Sequence

from ._core import FORMATS, HandoutError, Sheet, export, read_roster, select, sheets_for

MAX_VARIANTS = 1000


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="nnbook-handout",
        description="Exercises with fresh numbers for every student: printable PDF, Moodle XML, Canvas QTI, "
        "Markdown or a CSV of answers.",
    )
    p.add_argument("--list", action="store_true", help="list the chapters and exercises (with metadata) and exit")
    p.add_argument("--chapter", action="append", help="a chapter: intro, softmax, conv, sizing, autodiff, init "
                   "(repeat for several)")
    p.add_argument("--exercises", help="exercise ids, separated by commas (added to --chapter's)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--seed", type=int, help="one variant set for this seed (default 0)")
    who.add_argument("--roster", type=pathlib.Path, help="a CSV with an 'id' column: one variant set per student")
    p.add_argument("--secret", help="the course secret the students' seeds are derived from (with --roster)")
    p.add_argument("--variants", type=int, default=1,
                   help="without --roster: this many variant sets, seeds SEED, SEED+1, ... (e.g. for a Moodle bank)")
    p.add_argument("--format", choices=FORMATS, default="markdown", help="output format (default markdown)")
    p.add_argument("--out", type=pathlib.Path, default=pathlib.Path("handout"), help="output folder")
    return p


def listing() -> str:
    """Every exercise on one line: chapter, id, whether it has variants, and its metadata.

    >>> "intro-output-length" in listing()
    True
    """
    from .. import exercises

    lines = []
    for ex in exercises.catalog():
        meta = " · ".join(x for x in (ex.section, f"difficulty {ex.difficulty}", f"{ex.minutes} min") if x)
        variants = "variants" if ex._spec.draw is not None else "fixed"
        lines.append(f"{ex.chapter:9} {ex.id:40} {variants:8} {meta}")
        if ex.objective:
            lines.append(f"{'':9} {'':40} objective: {ex.objective}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.list:
        print(listing())
        return 0
    try:
        ids = args.exercises.split(",") if args.exercises is not None else None
        if args.exercises is not None and not [i for i in ids if i.strip()]:
            raise HandoutError("--exercises is empty: give exercise ids separated by commas (see --list)")
        selection = select(args.chapter, ids)
        if not 1 <= args.variants <= MAX_VARIANTS:
            raise HandoutError(f"--variants must be from 1 to {MAX_VARIANTS}, got {args.variants}")
        if args.roster is not None:
            if args.variants != 1:
                raise HandoutError("--variants goes with --seed; with --roster every student gets one set")
            try:
                text = args.roster.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise HandoutError(f"cannot read the roster {args.roster}: {exc}") from None
            sheets = sheets_for(selection, roster=read_roster(text), secret=args.secret)
        else:
            if args.secret:
                raise HandoutError("--secret goes with --roster")
            start = 0 if args.seed is None else args.seed
            if start < 0:
                raise HandoutError(f"--seed must be a whole number from 0, got {start}")
            sheets = [Sheet.for_seed(start + i, selection) for i in range(args.variants)]
        written = export(sheets, args.format, args.out)
    except HandoutError as exc:
        print(f"nnbook-handout: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
