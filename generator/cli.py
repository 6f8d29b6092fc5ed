"""Command line: parse arguments, call the pipeline, print, choose the exit code."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence, TextIO

from .build import BuildOptions, build_site
from .errors import BuildError, Diagnostic, UsageError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a one-line message, as argparse does, but testable
        raise UsageError(f"{self.prog}: {message}")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="clinicpress", description="Bilingual static blog generator for clinics.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    build = commands.add_parser("build", help="build the site into the output folder")
    build.add_argument("site_dir", nargs="?", default=".", type=Path)
    build.add_argument("-o", "--output", type=Path, help="output folder (default: SITE_DIR/output)")
    build.add_argument("--base-url", help="override [site] base_url, e.g. for a staging host")
    build.add_argument("--drafts", action="store_true", help="include posts with draft: true")
    build.add_argument("--future", action="store_true", help="include posts dated in the future")
    build.add_argument("-j", "--jobs", type=int, default=0, help="worker processes (default: number of cores)")
    build.add_argument("--no-cache", action="store_true", help="ignore the incremental cache")
    build.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    build.add_argument("-v", "--verbose", action="store_true", help="print every warning in full")

    check = commands.add_parser("check", help="check posts and configuration without building")
    check.add_argument("site_dir", nargs="?", default=".", type=Path)
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    return parser


def _colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def print_diagnostics(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    colours = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
    for diagnostic in diagnostics:
        text = diagnostic.format()
        if _colour(stream):
            text = text.replace(f": {diagnostic.severity}:", f": {colours[diagnostic.severity]}{diagnostic.severity}\033[0m:", 1)
        print(text, file=stream)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def run_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    options = BuildOptions(site_dir=args.site_dir, output_dir=args.output, base_url=args.base_url,
                           drafts=args.drafts, future=args.future)
    result = build_site(options)
    if args.verbose or not args.quiet:
        print_diagnostics(result.warnings, err)
    if not args.quiet:
        total = sum(result.pages_per_language.values())
        languages = ", ".join(f"{lang} {count:,}" for lang, count in result.pages_per_language.items())
        print(f"Built {_plural(total, 'page')} ({languages}) in {result.seconds:.1f} s — "
              f"{_plural(len(result.warnings), 'warning')}", file=out)
    return EXIT_OK


def run_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .check import run_checks, format_findings  # only `check` pays for the rule packs

    findings = run_checks(args.site_dir)
    print(format_findings(findings, args.format), file=out, end="")
    if any(f.severity == "error" for f in findings):
        return EXIT_CONTENT
    if args.strict and any(f.severity == "warning" for f in findings):
        return EXIT_CONTENT
    return EXIT_OK


COMMANDS = {"build": run_build, "check": run_check}


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        args = make_parser().parse_args(argv)
        return COMMANDS[args.command](args, out, err)
    except UsageError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_USAGE
    except BuildError as exc:
        print_diagnostics(exc.diagnostics, err)
        count = len(exc.diagnostics)
        print(f"Build failed: {_plural(count, 'error')}; the previous output was left as it was.", file=err)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        print("Interrupted.", file=err)
        return 130


def main_entry() -> None:
    sys.exit(main())
