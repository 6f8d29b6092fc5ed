"""The [admin] table of site.toml: the browser editor at /admin/ (generator/admin/ writes it).

Without a repository the editor works only beside `clinicpress serve --edit`, on the local folder;
with one, the published /admin/ signs in to GitHub and commits there, and the publish workflow builds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.config.deploy import BRANCH

REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")  # owner/name on GitHub
# https, or plain http to a server on this computer (a test instance of GitHub Enterprise Server)
API_URL = re.compile(r"^(?:https://[^/\s]+|http://(?:127\.0\.0\.1|localhost)(?::\d+)?)(?:/[^\s]*)?$")


@dataclass(frozen=True, slots=True)
class AdminConfig:
    enabled: bool = field(default=True, metadata={"doc": "Write the browser editor at /admin/"})
    repository: str = field(default="", metadata={"doc": "GitHub repository the editor commits to, owner/name"})
    branch: str = field(default="main", metadata={"doc": "Branch the editor commits to (the one the workflow publishes)"})
    auth_url: str = field(default="", metadata={"doc": "Address of the GitHub sign-in service (OAuth client)"})
    api_url: str = field(default="", metadata={
        "doc": "GitHub's API address, for GitHub Enterprise Server (https://HOST/api/v3); default GitHub.com's"})
    review: bool = field(default=False, metadata={
        "doc": "Editorial workflow: a post waits for review as a pull request before it is published"})


def read_admin(reader: Any, data: dict) -> AdminConfig | None:
    """[admin] read with the loader's section reader; the repository, branch and sign-in address checked."""
    admin = reader.read(AdminConfig, data.get("admin", {}), ("admin",))
    if admin is None:
        return None
    if admin.repository and not REPOSITORY.match(admin.repository):
        reader.fail(("admin", "repository"), f"'admin.repository' must be owner/name, got '{admin.repository}'",
                    'write the part of the GitHub address after github.com/, e.g. repository = "clinic/blog"')
    if not BRANCH.match(admin.branch):
        reader.fail(("admin", "branch"), f"'admin.branch' '{admin.branch}' is not a valid branch name",
                    'use the branch the publish workflow runs on, e.g. branch = "main"')
    if admin.auth_url and not re.match(r"^https://[^/\s]+", admin.auth_url):
        reader.fail(("admin", "auth_url"), f"'admin.auth_url' must start with https://, got '{admin.auth_url}'",
                    "write the address of the sign-in service, e.g. https://blog-auth.example.workers.dev")
    if admin.api_url and not API_URL.match(admin.api_url):
        reader.fail(("admin", "api_url"), f"'admin.api_url' must start with https://, got '{admin.api_url}'",
                    "write the API address of your GitHub Enterprise server, e.g. https://github.example.com/api/v3")
    if admin.api_url and not admin.repository:
        reader.fail(("admin", "api_url"), "'admin.api_url' needs 'admin.repository': the editor commits to a "
                    "repository on that server", 'add repository = "owner/name", or remove api_url')
    if admin.review and not admin.repository:
        reader.fail(("admin", "review"), "'admin.review' needs 'admin.repository': posts wait for review "
                    "as pull requests on GitHub", 'add repository = "owner/name", or remove review')
    return admin
