"""The command line's grammar: commands, arguments, their help and an example for each command."""
from __future__ import annotations

import argparse
import functools
from pathlib import Path
from typing import TextIO

from generator import __version__
from generator.errors import UsageError


class ParserExit(Exception):
    """--help or --version was answered: stop with this exit status."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def installed_version() -> str:
    """ClinicPress's version as installed (package metadata), or the source's own when run uninstalled."""
    from importlib.metadata import PackageNotFoundError, version  # only --version reads it

    try:
        return version("clinicpress")
    except PackageNotFoundError:
        return __version__


class _Parser(argparse.ArgumentParser):
    """Help and version go to the given stream, errors and exits become exceptions: testable through main()."""

    def __init__(self, *args, out: TextIO, **kwargs):
        super().__init__(*args, formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs)
        self.out = out

    def print_help(self, file: TextIO | None = None) -> None:
        super().print_help(file or self.out)

    def exit(self, status: int = 0, message: str | None = None):  # type: ignore[override]
        raise ParserExit(status)

    def error(self, message: str) -> None:  # exit 2 with a one-line message, as argparse does, but testable
        raise UsageError(f"{self.prog}: {message}")


class _CommandParser(_Parser):
    """Options and positionals in any order, so `new "Title" --lang en SITE_DIR` finds SITE_DIR."""

    _intermixing = False

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        if self._intermixing:  # parse_known_intermixed_args calls back into parse_known_args
            return super().parse_known_args(args, namespace)
        self._intermixing = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._intermixing = False


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: list[str], dest: str, **kwargs):
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0,
                         help="print the version of ClinicPress and exit")

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        print(f"clinicpress {installed_version()}", file=parser.out)
        parser.exit()


def _examples(*lines: str) -> str:
    """An epilog: example commands, each followed by what it does."""
    return "examples:\n" + "\n".join(f"  {line}" if line.startswith("clinicpress") else f"      {line}"
                                     for line in lines)


def _site_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("site_dir", nargs="?", default=None, type=Path, metavar="SITE_DIR",
                        help="the site's folder, the one that holds site.toml (default: the nearest folder "
                             "up from here with a site.toml)")


def _build_options(parser: argparse.ArgumentParser, what: str) -> None:
    """The options `build` and `deploy` share."""
    parser.add_argument("-o", "--output", type=Path, help="output folder (default: SITE_DIR/output)")
    parser.add_argument("--base-url", help=f"override [site] base_url{what}")
    parser.add_argument("--drafts", action="store_true", help="include posts with draft: true")
    parser.add_argument("--future", action="store_true", help="include posts dated in the future")
    parser.add_argument("-j", "--jobs", type=int, default=0, help="worker processes (default: number of cores)")
    parser.add_argument("--no-cache", action="store_true", help="ignore the incremental cache")


def make_parser(out: TextIO) -> argparse.ArgumentParser:
    parser = _Parser(prog="clinicpress", out=out, description="Bilingual static blog generator for clinics.",
                     epilog='Run "clinicpress COMMAND --help" for the options of a command and an example.\n\n'
                     + _examples("clinicpress init my-clinic-blog", "a new site in the folder my-clinic-blog",
                                 'clinicpress new "Lip filler aftercare" --lang en my-clinic-blog',
                                 "a new English post in it",
                                 "clinicpress serve my-clinic-blog", "preview it in the browser"))
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND",
                                     parser_class=functools.partial(_CommandParser, out=out))

    def command(name: str, summary: str, *examples: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".",
                                   epilog=_examples(*examples))

    build = command("build", "build the site into the output folder",
                    "clinicpress build", "builds the site in the current folder into output/",
                    "clinicpress build my-clinic-blog -o public --base-url https://staging.example.com/",
                    "builds my-clinic-blog into public/, with the addresses of a staging host")
    _site_dir(build)
    _build_options(build, ", e.g. for a staging host")
    build.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    build.add_argument("-v", "--verbose", action="store_true", help="list every finding of check in full")
    build.add_argument("--timings", action="store_true", help="after the summary, how long each step took")

    check = command("check", "check posts and configuration without building; exit 1 on errors",
                    "clinicpress check --strict", "fails on warnings too, as a gate before publishing",
                    "clinicpress check --format json > findings.json", "the findings for a script or an editor")
    _site_dir(check)
    check.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="text: one line per finding, path:line: severity: message, then its hint (default); "
                            "json: a list of the same findings with path, line, column, severity, rule, "
                            "message and hint; github: GitHub Actions annotations, shown at the lines of a "
                            "pull request")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    check.add_argument("--no-cache", action="store_true",
                       help="read every post again instead of reusing the findings of unchanged posts "
                            "(kept in .clinicpress-cache/, shared with build and serve)")

    serve = command("serve", "build, serve on this computer and rebuild + reload on every change",
                    "clinicpress serve", "serves the site in the current folder at http://127.0.0.1:8000/",
                    "clinicpress serve my-clinic-blog --port 8080 --drafts", "on another port, drafts included")
    _site_dir(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this computer only)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--drafts", action="store_true", help="include posts with draft: true")
    serve.add_argument("--future", action="store_true", help="include posts dated in the future")
    serve.add_argument("--edit", action="store_true",
                       help="also let the browser editor at /admin/ save posts and photos into this folder")
    serve.add_argument("-q", "--quiet", action="store_true", help="print the address and errors only")
    serve.add_argument("-v", "--verbose", action="store_true",
                       help="also list the findings of check, changed files and every request")

    new = command("new", "start a new post in posts/<lang>/",
                  'clinicpress new "Lip filler aftercare" --lang en', "writes posts/en/lip-filler-aftercare.md",
                  'clinicpress new "보톡스 시술 후 관리" --lang ko', "writes posts/ko/botokseu-sisul-hu-gwalli.md",
                  'clinicpress new "보톡스 시술 후 관리" --lang ko --slug 보톡스-관리', "writes posts/ko/보톡스-관리.md",
                  'clinicpress new "입술 필러 관리" --lang ko --translation-of posts/en/lip-filler-aftercare.md',
                  "its Korean translation, posts/ko/lip-filler-aftercare.md")
    new.add_argument("title", help='the post title, in quotes: "Lip filler aftercare"')
    _site_dir(new)
    new.add_argument("--lang", required=True, help="language folder of the post, e.g. ko or en")
    new.add_argument("--slug", help="file name and web address, in Latin letters or Hangul: --slug lip-care or "
                                    "--slug 입술-관리 (default: made from the title; a Korean title in Revised "
                                    "Romanization, 보톡스 시술 후 관리 -> botokseu-sisul-hu-gwalli)")
    new.add_argument("--series", help="series id, e.g. lip-filler (titles from [series.<id>] in site.toml); needs --part")
    new.add_argument("--part", type=int, help="the part number within --series")
    new.add_argument("--translation-of", type=Path, metavar="PATH",
                     help="the post this one translates; copies translation key, series and tags")

    deploy = command("deploy", "check, build and publish the site (git branch or rsync)",
                     "clinicpress deploy --dry-run", "lists what a deploy would add, change and remove",
                     "clinicpress deploy --target rsync --destination deploy@host:/var/www/blog/",
                     "checks, builds and copies the site to a server")
    _site_dir(deploy)
    deploy.add_argument("--target", choices=("git", "rsync"), help="override [deploy] target")
    deploy.add_argument("--repository", help="git URL or local path to publish to (default: [deploy] or origin)")
    deploy.add_argument("--branch", help="branch to commit the site to (default: [deploy] branch or gh-pages)")
    deploy.add_argument("--destination", help="rsync destination: user@host:/var/www/blog/ or a folder")
    deploy.add_argument("--dry-run", action="store_true", help="list what would be added, changed and removed")
    deploy.add_argument("--force", action="store_true",
                        help="publish even when `check` finds errors, when no post is published, or into a "
                             "destination that holds files no earlier deploy published (they are deleted)")
    deploy.add_argument("-m", "--message", help="commit message (default: names the changed posts)")
    _build_options(deploy, "")
    deploy.add_argument("-q", "--quiet", action="store_true", help="print errors and warnings only")
    deploy.add_argument("-v", "--verbose", action="store_true", help="print every build warning in full")

    approve = command("approve", "record a physician's medical review in posts and their translations",
                      "clinicpress approve posts/en/lip-filler-aftercare.md --by dr-lee",
                      "sets reviewed_by: dr-lee and last_reviewed: today in the post and its translations",
                      "clinicpress approve posts/ko/보톡스-관리.md --by dr-lee --date 2026-07-03",
                      "with the day the review was done",
                      "clinicpress approve my-clinic-blog/posts/en/welcome.md --by dr-lee --site my-clinic-blog",
                      "a post of a site in another folder",
                      "clinicpress approve --github-login lee-md --changed-since origin/main",
                      "every post changed on this branch since main, by the doctor whose github is lee-md "
                      "(as the approve workflow does)")
    approve.add_argument("posts", nargs="*", type=Path, metavar="POST_PATH",
                         help="a post to approve, e.g. posts/en/lip-filler-aftercare.md; its translations are "
                              "approved with it")
    reviewer = approve.add_mutually_exclusive_group(required=True)
    reviewer.add_argument("--by", metavar="AUTHOR_ID",
                          help="the reviewer: an id from [authors] in site.toml whose type is \"Physician\", and "
                               "not the post's author")
    reviewer.add_argument("--github-login", metavar="LOGIN",
                          help="the reviewer by their GitHub login, the github = \"...\" of their [authors] table")
    approve.add_argument("--date", metavar="YYYY-MM-DD",
                         help="the day of the review (default: today in the site's time zone, or the day of "
                              "SOURCE_DATE_EPOCH when it is set)")
    approve.add_argument("--changed-since", metavar="REF",
                         help="also approve every post added or changed between REF and HEAD in the site's git "
                              "repository, e.g. origin/main")
    approve.add_argument("--site", dest="site_dir", type=Path, metavar="SITE_DIR",
                         help="the site's folder, the one that holds site.toml (default: the nearest folder up "
                              "from here with a site.toml)")

    layout = command("keep-layout", "put back the front-matter layout of posts the browser editor saved through GitHub",
                     "clinicpress keep-layout --changed-since origin/main",
                     "keeps each line of the posts this branch changed whose value is the same as on main "
                     "(as the keep-layout workflow does after each save)")
    layout.add_argument("--changed-since", metavar="REF", required=True,
                        help="the branch or commit to compare with in the site's git repository, e.g. origin/main: "
                             "the posts added or changed between it and HEAD take back their lines from there")
    layout.add_argument("--site", dest="site_dir", type=Path, metavar="SITE_DIR",
                        help="the site's folder, the one that holds site.toml (default: the nearest folder up "
                             "from here with a site.toml)")

    init = command("init", "create a new site that builds as is",
                   "clinicpress init my-clinic-blog",
                   "a site with two sample posts, site.toml to fill in and publishing workflows")
    init.add_argument("dir", type=Path, metavar="DIR", help="a new or empty folder")
    return parser
