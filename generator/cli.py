"""Command line: parse arguments, call the pipeline, print, choose the exit code."""
from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Sequence, TextIO

from generator.cli_parser import ParserExit, make_parser
from generator.config.site_files import find_site_dir
from generator.errors import BuildError, DeployError, Diagnostic, UsageError
from generator.loading import BuildOptions

if TYPE_CHECKING:  # `check`, `new` and `serve` need not load every stage of a build
    from generator.build import BuildResult

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
EXIT_SIGPIPE = 141  # what a shell reports for a program stopped by a closed pipe


def _colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def print_diagnostics(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    colours = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
    for diagnostic in diagnostics:
        text = diagnostic.format()
        if _colour(stream):
            text = text.replace(f": {diagnostic.severity}:", f": {colours[diagnostic.severity]}{diagnostic.severity}\033[0m:", 1)
        print(text, file=stream)


def _red(text: str, stream: TextIO) -> str:
    return f"\033[31m{text}\033[0m" if _colour(stream) else text


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _summary(result: BuildResult, listed: bool, stream: TextIO) -> str:
    """One line: pages per language, time, and what `check` would say (listed: the findings are printed above)."""
    total = sum(result.pages_per_language.values())
    languages = ", ".join(f"{lang} {count:,}" for lang, count in result.pages_per_language.items())
    errors, warnings = result.count("error"), result.count("warning")
    counts = [_red(_plural(errors, "error"), stream)] if errors else []
    counts += [_plural(warnings, "warning")] if warnings else []
    if not counts:
        found = "no errors or warnings found by check"
    else:
        them = "it" if errors + warnings == 1 else "them"
        found = f"{', '.join(counts)} found by check" + ("" if listed else f" (-v lists {them})")
    return f"Built {_plural(total, 'page')} ({languages}) in {result.seconds:.1f} s — {found}"


def _counted(counts: tuple[tuple[int, str], ...]) -> str:
    """'3 drafts and 1 future post' from (3, 'draft'), (1, 'future post'); zeros left out."""
    return " and ".join(_plural(count, word) for count, word in counts if count)


def _print_built(result: BuildResult, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    """What every command that builds prints after the build: findings (-v), the summary line, and the
    posts it left out or brought in."""
    if args.verbose:
        print_diagnostics(result.findings, err)
        print(_made_again(result), file=out, flush=True)
    if args.quiet:
        return
    print(_summary(result, listed=args.verbose, stream=out), file=out, flush=True)
    posts = result.posts
    left_out = _counted(((posts.drafts_left_out, "draft"), (posts.future_left_out, "future post")))
    if left_out:
        flags = " and ".join(flag for flag, count in (("--drafts", posts.drafts_left_out),
                                                       ("--future", posts.future_left_out)) if count)
        them = "them" if posts.drafts_left_out + posts.future_left_out > 1 else "it"
        print(f"{left_out} not published; {flags} {'include' if ' and ' in flags else 'includes'} {them}",
              file=out, flush=True)
    brought_in = _counted(((posts.drafts_in, "draft"), (posts.future_in, "future post")))
    if brought_in:
        print(f"Included {brought_in}: their pages are marked noindex and left out of the sitemap and feeds",
              file=out, flush=True)
    if not posts.published:
        print("warning: no post is published, so the home pages list none (\"No posts yet.\"); write one with: "
              "clinicpress new \"TITLE\" --lang LANG", file=err, flush=True)
    if getattr(args, "timings", False):
        for stage, seconds in result.stages:
            print(f"  {stage:<28}{seconds:8.2f} s", file=out, flush=True)


def _made_again(result: BuildResult) -> str:
    """How much of the site this build made again (-v): the rest was carried over as the last build left it."""
    kept = result.files_written - result.files_made
    return f"Made {result.files_made:,} of {_plural(result.files_written, 'file')}; {kept:,} carried over unchanged"


class ProgressBar:
    """A one-line bar on a terminal, shown only once the build has taken longer than a second. It is
    drawn from the build's own progress calls: a drawing thread would make the build's worker
    processes forks of a threaded process."""

    DELAY, WIDTH, INTERVAL = 1.0, 24, 0.1

    def __init__(self, stream: TextIO, enabled: bool):
        self.stream, self.enabled = stream, enabled and stream.isatty()
        self.started = time.monotonic()
        self.drawn_at = 0.0
        self.drawn = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.started < self.DELAY or now - self.drawn_at < self.INTERVAL:
            return
        filled = self.WIDTH * done // max(total, 1)
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {stage} {now - self.started:.1f} s\033[K")
        self.stream.flush()
        self.drawn, self.drawn_at = True, now

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()


def run_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from generator.build import build_site

    with ProgressBar(err, enabled=not args.quiet) as progress:
        options = BuildOptions(site_dir=args.site_dir, output_dir=args.output, base_url=args.base_url,
                               drafts=args.drafts, future=args.future, progress=progress,
                               jobs=args.jobs, use_cache=not args.no_cache)
        result = build_site(options)
    _print_built(result, args, out, err)
    return EXIT_OK


def run_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from generator.check.command import check_site, format_findings  # only `check` pays for the rule packs

    report = check_site(args.site_dir, use_cache=not args.no_cache)
    findings = report.findings
    print(format_findings(findings, args.format), file=out, end="")
    if args.format != "json":  # a summary line under the findings (GitHub's log shows it too)
        counts = [_plural(sum(1 for f in findings if f.severity == level), level)
                  for level in ("error", "warning") if any(f.severity == level for f in findings)]
        infos = sum(1 for f in findings if f.severity == "info")
        found = ", ".join(counts) if counts else "no errors or warnings"
        found += f" ({infos:,} info)" if infos else ""
        checked = f"Checked {_plural(report.posts, 'post')}" if report.posts is not None else "Could not check the posts"
        print(f"{checked}: {found}", file=out)
    if any(f.severity == "error" for f in findings):
        return EXIT_CONTENT
    if args.strict and any(f.severity == "warning" for f in findings):
        return EXIT_CONTENT
    return EXIT_OK


def run_serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    # Only `serve` needs the watcher and the HTTP server.
    from generator.admin.fetch import EditorFetchError, editor_source, fetching_line
    from generator.serve.events import ServeEvent
    from generator.serve.server import ServeOptions, serve

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {args.port}")

    editor = editor_source(os.environ)

    def report(event: ServeEvent) -> None:
        if event.kind == "built" and event.result is not None:
            _print_built(event.result, args, out, err)
        elif event.kind == "failed":
            if args.verbose and event.message:  # the traceback of an unexpected failure
                print(event.message, file=err)
            print_diagnostics(event.diagnostics, err)
            kept = ("still serving the last version that built" if event.kept_previous
                    else "the browser shows the errors until the site builds")
            print(_red(f"Build failed: {_plural(len(event.diagnostics), 'error')}; {kept}. "
                       "Fix and save to try again.", err), file=err, flush=True)
        elif event.kind == "fetching":
            print(fetching_line(editor), file=out, flush=True)
        elif event.kind == "serving":
            print(f"Serving {args.site_dir} at {event.url} (press Ctrl-C to stop)", file=out, flush=True)
            if args.edit:
                print(f"Write posts at {event.url}admin/ (saved into {args.site_dir / 'posts'})", file=out, flush=True)
        elif event.kind == "changed" and args.verbose:
            print(f"Changed: {', '.join(event.paths)}", file=out, flush=True)
        elif event.kind == "previewed" and args.verbose and not event.diagnostics:  # errors: the build prints them
            print(f"Previewed {', '.join(event.paths)} in {event.seconds * 1000:.0f} ms; rebuilding the rest",
                  file=out, flush=True)
        elif event.kind == "request" and args.verbose:
            print(event.message, file=err, flush=True)

    try:
        serve(ServeOptions(site_dir=args.site_dir, host=args.host, port=args.port, drafts=args.drafts,
                           future=args.future, edit=args.edit, editor=editor), report)
    except EditorFetchError as exc:
        print(f"{_red('error', err)}: {exc}", file=err)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        pass
    print("Stopped.", file=out, flush=True)
    return EXIT_OK


def run_new(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from generator.scaffold import NewPostRequest, write_new_post

    request = NewPostRequest(title=args.title, lang=args.lang, slug=args.slug, series=args.series,
                             part=args.part, translation_of=args.translation_of)
    path = write_new_post(args.site_dir, request)
    print(f"Created {path}", file=out)
    print("Fill in description and author, then preview it with: clinicpress serve"
          + ("" if args.site_dir == Path(".") else f" {args.site_dir}"), file=out)
    return EXIT_OK


def run_deploy(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from generator.deploy.command import DeployEvent, DeployOptions, DeployRefusedError, deploy_site
    from generator.deploy.git_target import is_local_path
    from generator.deploy.rsync_target import is_remote

    def report(event: DeployEvent) -> None:
        changes = event.changes
        if event.kind == "forced":
            print_diagnostics(event.diagnostics, err)
            print(_red(f"Publishing despite {_plural(len(event.diagnostics), 'error')} (--force).", err), file=err)
        elif event.kind == "built" and event.result is not None:
            _print_built(event.result, args, out, err)
        elif event.kind == "key":
            print(f"Created {event.text}, the site's IndexNow key: commit it with the site so that every build "
                  "publishes it.", file=out)
        elif event.kind == "warnings":
            print_diagnostics(event.diagnostics, err)
        elif event.kind == "unowned":
            if args.dry_run:
                print(f"warning: {event.text} holds files that no earlier deploy published; a real deploy is "
                      "refused unless you pass --force, which replaces everything there (the list below shows "
                      "what would be removed).", file=err)
            else:
                print(f"warning: replacing everything in {event.text} (--force): it held files that no earlier "
                      "deploy published.", file=err)
        elif event.kind == "nothing" and not args.quiet:
            print(f"Nothing to publish: {event.text} already has this site.", file=out)
        elif event.kind == "changes":
            print(f"Dry run: publishing to {event.text} would add {len(changes.added)}, change "
                  f"{len(changes.changed)} and remove {len(changes.removed)} files:", file=out)
            for sign, paths in (("+", changes.added), ("~", changes.changed), ("-", changes.removed)):
                for path in paths:
                    print(f"  {sign} {path}", file=out)
        elif event.kind == "published" and not args.quiet:
            print(f"Published to {event.text}: {len(changes.added)} added, {len(changes.changed)} changed, "
                  f"{len(changes.removed)} removed.", file=out)
        elif event.kind == "indexnow" and not args.quiet:
            count = int(event.text)
            print(f"Sent {count:,} changed address{'' if count == 1 else 'es'} to IndexNow.", file=out)
        elif event.kind == "indexnow_failed":
            print(f"warning: IndexNow was not told about the changes: {event.text}. The site is published; "
                  "search engines will still find the changes through the sitemap.", file=err)

    build = BuildOptions(site_dir=args.site_dir, output_dir=args.output, base_url=args.base_url,
                         drafts=args.drafts, future=args.future, jobs=args.jobs, use_cache=not args.no_cache)
    # Folders named on the command line are relative to where the command runs (in site.toml: to the site).
    repository, destination = args.repository, args.destination
    if repository and is_local_path(repository) and not repository.startswith("-"):
        repository = str(Path(repository).expanduser().resolve())
    if destination and not is_remote(destination) and not destination.startswith("-"):
        destination = str(Path(destination).expanduser().resolve())
    options = DeployOptions(build=build, target=args.target, repository=repository, branch=args.branch,
                            destination=destination, dry_run=args.dry_run, force=args.force, message=args.message)
    try:
        deploy_site(options, report)
    except DeployRefusedError as exc:
        print_diagnostics(exc.diagnostics, err)
        print(_red(f"Deploy refused: `clinicpress check` found {_plural(len(exc.diagnostics), 'error')}; nothing "
                   "was built or published. Fix them, or publish anyway with --force.", err), file=err)
        return EXIT_CONTENT
    except DeployError as exc:
        print(f"{_red('error', err)}: {exc}", file=err)
        print("Nothing was published.", file=err)
        return EXIT_CONTENT
    return EXIT_OK


def run_init(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from generator.scaffold import write_site_skeleton

    written = write_site_skeleton(args.dir)
    print(f"Created a new site in {args.dir}:", file=out)
    for path in written:
        print(f"  {path.relative_to(args.dir)}", file=out)
    print(f"Next: put your clinic's details into {args.dir / 'site.toml'} (clinicpress check {args.dir} lists the "
          f"example values still there), then preview with: clinicpress serve {args.dir}", file=out)
    return EXIT_OK


def run_approve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from generator.approval.command import ApprovalRequest, approve_posts

    request = ApprovalRequest(posts=tuple(args.posts), by=args.by, github_login=args.github_login, date=args.date,
                              changed_since=args.changed_since)
    result = approve_posts(args.site_dir, request)
    reviewer, day = result.reviewer.id, result.day.isoformat()
    if not result.posts:
        print(f"No post changed since {args.changed_since}: nothing to approve.", file=out)
    for path in result.posts:
        if path in result.unchanged:
            print(f"{path} already says reviewed_by: {reviewer}, last_reviewed: {day}", file=out)
        else:
            print(f"Approved {path}: reviewed_by: {reviewer}, last_reviewed: {day}", file=out)
    return EXIT_OK


def run_keep_layout(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from generator.admin.layout import keep_layouts

    result = keep_layouts(args.site_dir, args.changed_since)
    if not result.changed:
        print(f"No post changed since {args.changed_since}: nothing to lay out.", file=out)
    for path in result.changed:
        print(f"{'Put back the front-matter layout of' if path in result.relaid else 'Kept as it is:'} {path}", file=out)
    return EXIT_OK


COMMANDS = {"build": run_build, "check": run_check, "serve": run_serve, "new": run_new, "init": run_init,
            "deploy": run_deploy, "approve": run_approve, "keep-layout": run_keep_layout}


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None,
         ran: list[str] | None = None) -> int:
    """The command's exit code; ran, when given, receives the command's name once it is known."""
    out, err = out or sys.stdout, err or sys.stderr
    command = None
    try:
        parser = make_parser(out)
        args = parser.parse_args(argv)
        command = args.command
        if ran is not None and command:
            ran.append(command)
        if command is None:  # bare `clinicpress`: the commands, and where to read more
            parser.print_help(err)
            return EXIT_USAGE
        if "site_dir" in args and args.site_dir is None:
            args.site_dir = find_site_dir(Path.cwd())
        return COMMANDS[command](args, out, err)
    except ParserExit as exc:  # --help, --version
        return exc.status
    except UsageError as exc:
        print(f"{_red('error', err)}: {exc}", file=err)
        return EXIT_USAGE
    except BuildError as exc:
        print_diagnostics(exc.diagnostics, err)
        count = len(exc.diagnostics)
        if command == "build":
            output = args.output or args.site_dir / "output"
            kept = "the previous output was left as it was" if output.is_dir() and any(output.iterdir()) \
                else "nothing was written"
            print(_red(f"Build failed: {_plural(count, 'error')}; {kept}.", err), file=err)
        elif command == "deploy":
            print(_red(f"Deploy stopped: {_plural(count, 'error')}; nothing was published.", err), file=err)
        else:
            print(_red(f"{_plural(count, 'error')} found; nothing was written.", err), file=err)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        print("Interrupted.", file=err)
        return 130
    except BrokenPipeError:  # the reader stopped reading (`clinicpress check | head`): nothing is wrong
        if out is sys.stdout:  # the rest would fail again on the way out
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_SIGPIPE
    except Exception as exc:  # noqa: BLE001 - a bug must still not bury the user in a traceback
        if os.environ.get("CLINICPRESS_DEBUG"):
            raise
        where = traceback.extract_tb(exc.__traceback__)[-1]
        print(_red(f"internal error: {type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})", err),
              file=err)
        print("The previous output was left as it was. Run again with CLINICPRESS_DEBUG=1 for details "
              "and report it with the file that caused it.", file=err)
        return EXIT_CONTENT


# Commands that end holding a whole site in memory: Python frees its objects one by one on the way out,
# a tenth of a second and more on a large site, with nothing left to write or close (no temporary folders,
# the worker pools closed, the caches written). They leave at once instead, as mypy does.
_LEAVE_AT_ONCE = frozenset({"check", "build"})


def main_entry() -> None:
    ran: list[str] = []
    code = main(ran=ran)
    if _LEAVE_AT_ONCE.intersection(ran):
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (BrokenPipeError, ValueError):  # a reader that stopped early, or a closed stream
                pass
        os._exit(code)
    sys.exit(code)
