"""The _headers file read as Netlify and Cloudflare Pages read it, for the tests: every rule whose path
pattern matches applies, and a header given by two rules gets both values joined with ", "
(Cloudflare Pages' documented behaviour), so an overlap shows up as a doubled value."""
from __future__ import annotations

import functools
import re
from http.server import SimpleHTTPRequestHandler
from pathlib import Path


def parse_headers(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), []))
        else:
            name, _, value = line.strip().partition(":")
            assert rules and value, f"a header line outside a rule or without a value: {line!r}"
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


def _matches(pattern: str, path: str) -> bool:
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), path) is not None


def patterns_setting(rules, path: str, header: str) -> list[str]:
    """The patterns of the rules that match path and set header (a host sends each one's value)."""
    return [pattern for pattern, headers in rules
            if _matches(pattern, path) and any(name == header for name, _ in headers)]


def headers_for(rules, path: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for pattern, headers in rules:
        if _matches(pattern, path):
            for name, value in headers:
                found[name] = f"{found[name]}, {value}" if name in found else value
    return found


class HeadersHandler(SimpleHTTPRequestHandler):
    """A static host on 127.0.0.1 that applies the site's _headers, like Netlify or Cloudflare Pages."""

    def end_headers(self):
        rules = parse_headers((Path(self.directory) / "_headers").read_text(encoding="utf-8"))
        for name, value in headers_for(rules, self.path.split("?")[0]).items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args):
        pass


def headers_handler(folder: Path):
    return functools.partial(HeadersHandler, directory=str(folder))
