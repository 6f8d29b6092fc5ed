"""Publish to a branch of a git repository with the system git (GitHub/GitLab/Codeberg Pages, and the git
integrations of Netlify and Cloudflare Pages).

The branch is fetched into a private bare repository under .clinicpress-cache/deploy/, the built site is
staged over the branch's last tree with a private index, and one commit on top of the branch is pushed with
the user's own git setup and credentials. Unchanged files keep their blobs, so a deploy's commit holds
exactly what the build changed. A rejected push leaves the branch as it was.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

from generator.deploy.changes import UNPUBLISHED, Changes
from generator.deploy.ownership import MARKER, marker_bytes, published_files
from generator.errors import DeployError

TIP = "refs/clinicpress/deployed"
FALLBACK_IDENTITY = ("ClinicPress", "clinicpress@localhost")


def is_local_path(location: str) -> bool:
    """A path, not a URL (https://, ssh://, file://) or an scp-like address (git@host:owner/repo.git)."""
    return "://" not in location and not re.match(r"^[^/]+:", location)


def site_origin(site_dir: Path) -> str:
    """The site repository's `origin` remote, the default place to publish."""
    found = subprocess.run(["git", "-C", str(site_dir), "remote", "get-url", "origin"],
                           capture_output=True, text=True)
    if found.returncode != 0 or not found.stdout.strip():
        raise DeployError("there is no repository to publish to: set repository = \"...\" under [deploy] in "
                          "site.toml, pass --repository URL, or run deploy in a git repository with an 'origin'")
    origin = found.stdout.strip()
    return str((site_dir / origin).resolve()) if is_local_path(origin) and not Path(origin).is_absolute() else origin


class GitTarget:
    def __init__(self, repository: str, branch: str, cname: str, site_dir: Path, work_root: Path):
        self.repository, self.branch, self.cname, self.site_dir = repository, branch, cname, site_dir
        name = hashlib.blake2b(f"{repository}\n{branch}".encode(), digest_size=8).hexdigest()
        self.git_dir = work_root.resolve() / f"{name}.git"
        self.tip: str | None = None
        self.tree: str | None = None
        self.owned: frozenset[str] | None = None  # what the last deploy published, from its marker
        self.unowned = False  # the branch exists and no deploy of ours made it

    @property
    def where(self) -> str:
        return f"branch {self.branch} of {self.repository}"

    def _git(self, *args: str, data: bytes | None = None, cwd: Path | None = None,
             env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
        environment = {**os.environ, "GIT_DIR": str(self.git_dir), **(env or {})}
        done = subprocess.run(["git", "-c", "core.autocrlf=false", "-c", "core.excludesFile=/dev/null", *args],
                              input=data, capture_output=True, cwd=cwd, env=environment)
        if check and done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip() or done.stdout.decode("utf-8", "replace").strip()
            raise DeployError(f"git {args[0]} failed for {self.where}:\n{said}")
        return done

    def _out(self, *args: str, **kwargs) -> str:
        return self._git(*args, **kwargs).stdout.decode("utf-8").strip()

    def fetch(self) -> None:
        """The branch's last commit, or none when the branch does not exist yet."""
        if not (self.git_dir / "HEAD").is_file():
            self.git_dir.parent.mkdir(parents=True, exist_ok=True)
            self._git("init", "--quiet", "--bare", str(self.git_dir))
        listed = self._git("ls-remote", "--exit-code", "--", self.repository, f"refs/heads/{self.branch}", check=False)
        if listed.returncode == 2:  # reachable, no such branch: the first deploy starts it
            self._git("update-ref", "-d", TIP, check=False)
            self.tip = None
            return
        if listed.returncode != 0:
            said = listed.stderr.decode("utf-8", "replace").strip()
            raise DeployError(f"cannot reach {self.repository}:\n{said}")
        self._git("fetch", "--quiet", "--no-tags", "--depth=1", "--", self.repository,
                  f"+refs/heads/{self.branch}:{TIP}")
        self.tip = self._out("rev-parse", "--verify", f"{TIP}^{{commit}}")
        self.owned = published_files(self.previous(MARKER))
        self.unowned = self.owned is None

    def previous(self, path: str) -> bytes | None:
        """A file as the branch has it now."""
        if self.tip is None:
            return None
        found = self._git("cat-file", "blob", f"{self.tip}:{path}", check=False)
        return found.stdout if found.returncode == 0 else None

    def stage(self, output_dir: Path) -> Changes:
        """Stage the built site (plus .nojekyll and CNAME) over the branch's tree; what would change."""
        index = self.git_dir / "clinicpress-index"
        index.unlink(missing_ok=True)
        env = {"GIT_INDEX_FILE": str(index), "GIT_WORK_TREE": str(output_dir.resolve())}
        if self.tip:
            self._git("read-tree", self.tip, env=env)
        else:
            self._git("read-tree", "--empty", env=env)
        excluded = [f":(exclude,top){name}" for name in UNPUBLISHED]
        self._git("add", "--all", "--force", "--", ".", *excluded, cwd=output_dir, env=env)
        extra = {".nojekyll": b""}  # GitHub Pages: serve the files as they are (_headers, _redirects too)
        if self.cname:
            extra["CNAME"] = self.cname.encode() + b"\n"
        for name, data in extra.items():
            self._add_blob(name, data, env)
        published = [path for path in self._out("ls-files", "-z", env=env).split("\0") if path]
        self._add_blob(MARKER, marker_bytes(published), env)
        if self.tip and self.owned is not None:
            self._keep_foreign_files(set(published), env)
        self.tree = self._out("write-tree", env=env)
        base = f"{self.tip}^{{tree}}" if self.tip else self._out("mktree", data=b"")
        listed = self._git("diff-tree", "-r", "-z", "--no-renames", "--name-status", base, self.tree).stdout
        fields = listed.decode("utf-8").split("\0")
        kinds: dict[str, list[str]] = {"A": [], "M": [], "D": []}
        for status, path in zip(fields[0::2], fields[1::2]):
            if path == MARKER:
                continue
            kinds.setdefault(status[:1], []).append(path)
        return Changes(tuple(sorted(kinds["A"])), tuple(sorted(kinds["M"] + kinds.get("T", []))),
                       tuple(sorted(kinds["D"])))

    def _add_blob(self, name: str, data: bytes, env: dict[str, str]) -> None:
        blob = self._out("hash-object", "-w", "--stdin", data=data)
        self._git("update-index", "--add", "--cacheinfo", f"100644,{blob},{name}", env=env)

    def _keep_foreign_files(self, published: set[str], env: dict[str, str]) -> None:
        """Files on the branch that no deploy of ours published (a host's verification file, say) stay."""
        listed = self._git("ls-tree", "-r", "-z", "--full-tree", self.tip).stdout.decode("utf-8").split("\0")
        kept = []
        for entry in filter(None, listed):
            info, path = entry.split("\t", 1)
            if path not in published and path not in self.owned and path != MARKER:
                kept.append(f"{info}\t{path}\0")
        if kept:
            self._git("update-index", "-z", "--index-info", data="".join(kept).encode("utf-8"), env=env)

    def publish(self, message: str) -> str:
        """Commit the staged tree on top of the branch and push it; returns the new commit."""
        parents = ["-p", self.tip] if self.tip else []
        commit = self._out("commit-tree", self.tree, *parents, "-F", "-", data=message.encode("utf-8"),
                           env=self._identity())
        self._git("push", "--quiet", "--", self.repository, f"{commit}:refs/heads/{self.branch}")
        self._git("update-ref", TIP, commit)
        self.tip = commit
        return commit

    def _identity(self) -> dict[str, str]:
        """The user's git identity; the site repository's own when only it has one; else a neutral one."""
        if self._git("var", "GIT_COMMITTER_IDENT", check=False).returncode == 0:
            return {}
        local = [subprocess.run(["git", "-C", str(self.site_dir), "config", key], capture_output=True, text=True)
                 .stdout.strip() for key in ("user.name", "user.email")]
        name, email = local if all(local) else FALLBACK_IDENTITY
        return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
                "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
