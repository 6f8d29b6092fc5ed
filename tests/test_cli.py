"""The command line explains itself: --version, help for the bare command, help for every argument and an
example at the end of each command's help."""
from __future__ import annotations

import io
import re
import shlex
import subprocess
import sys
from importlib.metadata import version

import pytest

from conftest import REPO, run_cli
from generator.cli_parser import make_parser

COMMANDS = ["build", "check", "serve", "new", "deploy", "init"]


def described_arguments(help_text: str) -> dict[str, str]:
    """Each argument listed under a heading of the help (options, commands, ...), with the help text beside or under it."""
    entries: dict[str, str] = {}
    current, in_section = None, False
    for line in help_text.splitlines():
        if line in ("positional arguments:", "options:", "commands:"):
            in_section = True
        elif not line.strip():
            in_section = False
        elif in_section and re.match(r"  \S", line):
            current, _, description = line.strip().partition("  ")
            entries[current] = description.strip()
        elif in_section and current:  # the help text under a long argument, or its wrapped lines
            entries[current] = f"{entries[current]} {line.strip()}".strip()
    return entries


def test_version_prints_the_installed_version():
    result = run_cli("--version")
    assert (result.code, result.out, result.err) == (0, f"clinicpress {version('clinicpress')}\n", "")


def test_bare_command_lists_the_commands_and_points_to_help():
    result = subprocess.run([sys.executable, "-m", "generator"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 2
    for command in COMMANDS:
        assert re.search(rf"^ +{command} +\S", result.stderr, re.MULTILINE), command
    assert "clinicpress COMMAND --help" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [None] + COMMANDS)
def test_every_argument_has_help_text(command):
    result = run_cli(*([command] if command else []), "--help")
    assert result.code == 0 and result.err == ""
    arguments = described_arguments(result.out)
    assert "-h, --help" in arguments
    assert [name for name, text in arguments.items() if not text] == []
    usage = result.out.split("\n\n")[0]
    for name in re.findall(r"\[?(--?[\w-]+|[A-Z_]{3,})", usage.split(command or "clinicpress", 1)[1]):
        assert any(name in entry.replace(",", " ").split() for entry in arguments), name


def test_site_dir_and_check_format_are_explained():
    check = described_arguments(run_cli("check", "--help").out)
    assert "site.toml" in check["SITE_DIR"] and "nearest folder up from here" in check["SITE_DIR"]
    assert all(f"{name}:" in check["--format {text,json,github}"] for name in ("text", "json", "github"))


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_help_ends_with_examples_that_the_command_line_accepts(command):
    help_text = run_cli(command, "--help").out
    last = help_text.rstrip().split("\n\n")[-1]
    assert last.startswith("examples:")
    examples = [line.strip() for line in last.splitlines() if line.startswith(f"  clinicpress {command}")]
    assert examples
    for example in examples:
        argv = shlex.split(example.split(" > ")[0])[1:]
        assert make_parser(io.StringIO()).parse_args(argv).command == command, example
