"""The [deploy] table of site.toml: where `clinicpress deploy` (generator/deploy/) publishes the built site.

config/loader.py calls read_deploy() with its section reader, so [deploy] is validated and
reported like every other table; this module never imports the loader.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

TARGETS = ("git", "rsync")
DEFAULT_BRANCH = "gh-pages"
DEFAULT_INDEXNOW_ENDPOINT = "https://api.indexnow.org/indexnow"
HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# What git accepts as a branch name, less the rarities: no spaces, '..', '~^:?*[\', no leading '-' or '/'.
BRANCH = re.compile(r"^(?!-)(?!/)(?!.*\.\.)(?!.*//)(?!.*@\{)[^\s~^:?*\[\\\x00-\x1f\x7f]+(?<![/.])(?<!\.lock)$")


@dataclass(frozen=True, slots=True)
class DeployConfig:
    target: str = field(default="git", metadata={"doc": "git (a branch of a repository) or rsync (a server or folder)"})
    repository: str = field(default="", metadata={"doc": "Git URL or local path; default: the site repository's origin"})
    branch: str = field(default=DEFAULT_BRANCH, metadata={"doc": "Branch the built site is committed to"})
    cname: str = field(default="", metadata={"doc": "Custom domain written to the CNAME file"})
    destination: str = field(default="", metadata={"doc": "rsync destination: user@host:/path/ or a local folder"})
    indexnow: bool = field(default=False, metadata={"doc": "Send changed URLs to IndexNow after a deploy"})
    indexnow_endpoint: str = field(default=DEFAULT_INDEXNOW_ENDPOINT, metadata={"doc": "IndexNow API address"})


def deploy_problems(deploy: DeployConfig) -> list[tuple[str, str, str | None]]:
    """(key, message, hint) for every value that cannot work; shared by site.toml and the command line."""
    problems: list[tuple[str, str, str | None]] = []
    if deploy.target not in TARGETS:
        problems.append(("target", f"'deploy.target' must be \"git\" or \"rsync\", got '{deploy.target}'", None))
    for key in ("repository", "destination"):
        value = getattr(deploy, key)
        if value.startswith("-") or any(ord(c) < 32 for c in value):
            problems.append((key, f"'deploy.{key}' '{value}' cannot start with '-' or contain control characters",
                             "write the address or path itself, e.g. ./public-site/"))
    if deploy.target == "rsync" and not deploy.destination.strip():
        problems.append(("destination", "missing required key 'deploy.destination' for target = \"rsync\"",
                         'add destination = "deploy@host:/var/www/blog/" (or a local folder) under [deploy]'))
    if not BRANCH.match(deploy.branch):
        problems.append(("branch", f"'deploy.branch' '{deploy.branch}' is not a valid branch name",
                         'use letters, digits, "-", "_" or "/", e.g. branch = "gh-pages"'))
    if deploy.cname and not HOSTNAME.match(deploy.cname):
        problems.append(("cname", f"'deploy.cname' must be a domain name such as \"blog.example-clinic.com\", "
                                  f"got '{deploy.cname}'", "write the domain alone, without https:// or a path"))
    endpoint = urlsplit(deploy.indexnow_endpoint)
    if endpoint.scheme not in ("http", "https") or not endpoint.netloc:
        problems.append(("indexnow_endpoint", f"'deploy.indexnow_endpoint' must be an absolute URL, got "
                                              f"'{deploy.indexnow_endpoint}'", f'e.g. "{DEFAULT_INDEXNOW_ENDPOINT}"'))
    return problems


def read_deploy(reader: Any, data: dict) -> DeployConfig | None:
    """[deploy] read with the loader's section reader (typed keys, unknown keys with suggestions)."""
    deploy = reader.read(DeployConfig, data.get("deploy", {}), ("deploy",))
    if deploy is None:
        return None
    for key, message, hint in deploy_problems(deploy):
        reader.fail(("deploy", key) if key in data.get("deploy", {}) else ("deploy",), message, hint)
    return deploy
