"""A stand-in for the part of GitHub's REST API that Decap CMS's GitHub backend calls, over a real bare
repository, for tests/test_admin_github.py.

Blobs, trees, commits and refs are written with git's own plumbing, so what the editor commits is a real
commit a runner can clone; pull requests are kept in memory, their heads read from the branches, and a
merge is git's (`merge-tree`), as on GitHub. It answers as GitHub does where Decap reads the answer
(status codes, the messages Decap compares, CORS for a page on another origin) and nothing more.
"""
from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, unquote, urlsplit

API_PREFIX = "/api/v3"  # as on GitHub Enterprise Server
ZERO = "0" * 40


class Failure(Exception):
    """An answer other than 2xx, with GitHub's message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class PullRequest:
    number: int
    title: str
    body: str
    head: str
    base: str
    user: str
    labels: list[str] = field(default_factory=list)
    state: str = "open"
    created_at: str = ""
    updated_at: str = ""
    merged_at: str | None = None
    merged_sha: str = ""  # the head's commit when it was merged or closed, once the branch may be gone


@dataclass
class GitHubStandIn:
    """GitHub for one repository (owner/name) kept in the bare repository origin, one signed-in user."""
    origin: Path
    repository: str
    login: str
    token: str
    name: str = "Park Marketing"
    email: str = "marketing@clinic.example"
    pulls: dict[int, PullRequest] = field(default_factory=dict)
    unanswered: list[str] = field(default_factory=list)  # requests it has no route for
    answered: list[str] = field(default_factory=list)  # "METHOD path status", in order
    lock: threading.Lock = field(default_factory=threading.Lock)

    # git ---------------------------------------------------------------------------------------------------

    def git(self, *args: str, data: bytes | None = None, env: dict[str, str] | None = None,
            check: bool = True) -> str:
        done = subprocess.run(["git", "--git-dir", str(self.origin), *args], input=data, capture_output=True,
                              env={**os.environ, **(env or {})})
        if check and done.returncode != 0:
            raise Failure(422, done.stderr.decode("utf-8", "replace").strip() or "git failed")
        return done.stdout.decode("utf-8", "surrogateescape")

    def resolve(self, name: str) -> str | None:
        """A commit's sha from a branch, `owner:branch` or a sha; None when there is none."""
        name = name.split(":", 1)[1] if name.startswith(self.owner + ":") else name
        done = self.git("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}", check=False).strip()
        return done or None

    def is_ancestor(self, older: str, newer: str) -> bool:
        return subprocess.run(["git", "--git-dir", str(self.origin), "merge-base", "--is-ancestor", older, newer],
                              capture_output=True).returncode == 0

    @property
    def owner(self) -> str:
        return self.repository.split("/")[0]

    def commit_json(self, sha: str) -> dict[str, Any]:
        fields = self.git("show", "-s", "--format=%H%x00%P%x00%T%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B",
                          sha).split("\x00")
        sha, parents, tree, an, ae, ad, cn, ce, cd, message = fields
        return {"sha": sha, "parents": [{"sha": p} for p in parents.split()],
                "commit": {"message": message.rstrip("\n"), "tree": {"sha": tree},
                           "author": {"name": an, "email": ae, "date": ad},
                           "committer": {"name": cn, "email": ce, "date": cd}}}

    def ref_json(self, ref: str, sha: str) -> dict[str, Any]:
        return {"ref": ref, "object": {"sha": sha, "type": "commit"}}

    # the routes ------------------------------------------------------------------------------------------

    @cached_property
    def routes(self) -> list[tuple[str, str, Callable[..., Any]]]:
        repo = re.escape(f"/repos/{self.repository}")
        return [
            ("GET", r"/user", lambda q, b: self.user_json()),
            ("GET", r"/users/([^/]+)", lambda q, b, login: {"login": login, "name": self.name}),
            ("GET", r"/search/issues", lambda q, b: {"total_count": 0, "items": []}),
            ("GET", repo, lambda q, b: self.repository_json()),
            ("GET", repo + r"/collaborators/([^/]+)/permission", lambda q, b, user: {"permission": "write"}),
            ("GET", repo + r"/branches/(.+)", self.get_branch),
            ("GET", repo + r"/git/refs/(.+)", self.get_ref),
            ("POST", repo + r"/git/refs", self.create_ref),
            ("PATCH", repo + r"/git/refs/(.+)", self.update_ref),
            ("DELETE", repo + r"/git/refs/(.+)", self.delete_ref),
            ("GET", repo + r"/git/trees/(.+)", self.get_tree),
            ("POST", repo + r"/git/trees", self.create_tree),
            ("GET", repo + r"/git/blobs/([0-9a-f]{40})", self.get_blob),
            ("POST", repo + r"/git/blobs", self.create_blob),
            ("POST", repo + r"/git/commits", self.create_commit),
            ("GET", repo + r"/commits", self.list_commits),
            ("GET", repo + r"/commits/([^/]+)/status", lambda q, b, sha: {"state": "pending", "statuses": []}),
            ("GET", repo + r"/compare/(.+)\.\.\.(.+)", self.compare),
            ("GET", repo + r"/contents/(.+)", lambda q, b, path: self.missing()),
            ("GET", repo + r"/pulls", self.list_pulls),
            ("POST", repo + r"/pulls", self.create_pull),
            ("PATCH", repo + r"/pulls/(\d+)", self.update_pull),
            ("GET", repo + r"/pulls/(\d+)/commits", self.pull_commits),
            ("PUT", repo + r"/pulls/(\d+)/merge", self.merge_pull),
            ("PUT", repo + r"/issues/(\d+)/labels", self.set_labels),
        ]

    def answer(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        for route_method, pattern, action in self.routes:
            if route_method == method and (match := re.fullmatch(pattern, path)):
                with self.lock:
                    try:
                        result = action(query, body, *match.groups())
                    except Failure as failure:
                        self.answered.append(f"{method} {path} {failure.status}")
                        return failure.status, {"message": str(failure)}
                status = 201 if method == "POST" else 204 if result is None else 200
                self.answered.append(f"{method} {path} {status}")
                return status, result
        self.unanswered.append(f"{method} {path}")
        return 404, {"message": "Not Found"}

    @staticmethod
    def missing() -> Any:
        raise Failure(404, "Not Found")

    def user_json(self) -> dict[str, Any]:
        return {"login": self.login, "name": self.name, "email": self.email}

    def repository_json(self) -> dict[str, Any]:
        return {"full_name": self.repository, "name": self.repository.split("/")[1], "owner": {"login": self.owner},
                "default_branch": "main", "private": True, "fork": False,
                "permissions": {"admin": False, "push": True, "pull": True}}

    def get_branch(self, query, body, branch: str) -> dict[str, Any]:
        sha = self.resolve(f"refs/heads/{branch}")
        if not sha:
            raise Failure(404, "Branch not found")
        return {"name": branch, "commit": self.commit_json(sha), "protected": False}

    def get_ref(self, query, body, ref: str) -> dict[str, Any]:
        sha = self.resolve(f"refs/{ref}")
        if not sha:
            raise Failure(404, "Not Found")
        return self.ref_json(f"refs/{ref}", sha)

    def create_ref(self, query, body) -> dict[str, Any]:
        ref, sha = body["ref"], body["sha"]
        if self.resolve(ref):
            raise Failure(422, "Reference already exists")
        self.git("update-ref", ref, sha, ZERO)
        return self.ref_json(ref, sha)

    def update_ref(self, query, body, ref: str) -> dict[str, Any]:
        full, sha = f"refs/{ref}", body["sha"]
        old = self.resolve(full)
        if not old:
            raise Failure(422, "Reference does not exist")
        if not body.get("force") and not self.is_ancestor(old, sha):
            raise Failure(422, "Update is not a fast forward")
        self.git("update-ref", full, sha, old)
        return self.ref_json(full, sha)

    def delete_ref(self, query, body, ref: str) -> None:
        full = f"refs/{ref}"
        if not self.resolve(full):
            raise Failure(422, "Reference does not exist")
        self.git("update-ref", "-d", full)

    def get_tree(self, query, body, treeish: str) -> dict[str, Any]:
        tree = self.tree_of(treeish)
        listing = self.git("ls-tree", "-l", "-z", *(["-r", "-t"] if query.get("recursive") else []), tree)
        entries = []
        for line in filter(None, listing.split("\x00")):
            meta, path = line.split("\t", 1)
            mode, kind, sha, size = meta.split()
            entry = {"path": path, "mode": mode, "type": kind, "sha": sha}
            if kind == "blob":
                entry["size"] = int(size)
            entries.append(entry)
        return {"sha": tree, "tree": entries, "truncated": False}

    def tree_of(self, treeish: str) -> str:
        """The tree a sha, a branch or `branch:folder` names (a commit's is its root tree)."""
        sha = self.git("rev-parse", "--verify", "--quiet", treeish, check=False).strip()
        kind = self.git("cat-file", "-t", sha, check=False).strip() if sha else ""
        if kind == "commit":
            return self.git("rev-parse", f"{sha}^{{tree}}").strip()
        if kind != "tree":
            raise Failure(404, "Not Found")
        return sha

    def create_tree(self, query, body) -> dict[str, Any]:
        with tempfile.TemporaryDirectory() as folder:
            env = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
            if body.get("base_tree"):
                self.git("read-tree", body["base_tree"], env=env)
            else:
                self.git("read-tree", "--empty", env=env)
            for entry in body["tree"]:
                if entry.get("sha") is None and "content" not in entry:
                    self.git("update-index", "--force-remove", "--", entry["path"], env=env)
                    continue
                sha = entry.get("sha") or self.git("hash-object", "-w", "--stdin",
                                                   data=entry["content"].encode("utf-8")).strip()
                self.git("update-index", "--add", "--cacheinfo", f"{entry['mode']},{sha},{entry['path']}", env=env)
            tree = self.git("write-tree", env=env).strip()
        return {"sha": tree, "tree": self.get_tree({}, None, tree)["tree"]}

    def get_blob(self, query, body, sha: str) -> dict[str, Any]:
        if self.git("cat-file", "-t", sha, check=False).strip() != "blob":
            raise Failure(404, "Not Found")
        content = subprocess.run(["git", "--git-dir", str(self.origin), "cat-file", "blob", sha],
                                 capture_output=True, check=True).stdout
        return {"sha": sha, "size": len(content), "encoding": "base64",
                "content": base64.encodebytes(content).decode("ascii")}

    def create_blob(self, query, body) -> dict[str, Any]:
        content = body["content"]
        data = base64.b64decode(content) if body.get("encoding") == "base64" else content.encode("utf-8")
        return {"sha": self.git("hash-object", "-w", "--stdin", data=data).strip()}

    def create_commit(self, query, body) -> dict[str, Any]:
        person = {"name": self.name, "email": self.email}
        author, committer = body.get("author") or person, body.get("committer") or body.get("author") or person
        env = {"GIT_AUTHOR_NAME": author["name"], "GIT_AUTHOR_EMAIL": author["email"],
               "GIT_COMMITTER_NAME": committer["name"], "GIT_COMMITTER_EMAIL": committer["email"]}
        if author.get("date"):
            env["GIT_AUTHOR_DATE"] = author["date"]
        if committer.get("date"):
            env["GIT_COMMITTER_DATE"] = committer["date"]
        parents = [arg for parent in body.get("parents", []) for arg in ("-p", parent)]
        sha = self.git("commit-tree", body["tree"], *parents, "-F", "-", data=body["message"].encode("utf-8"),
                       env=env).strip()
        return self.commit_json(sha)

    def list_commits(self, query, body) -> list[dict[str, Any]]:
        start = self.resolve(query.get("sha", "main"))
        if not start:
            raise Failure(404, "No commit found for SHA")
        shas = self.git("log", "--format=%H", "-n", "30", start, "--", *([query["path"]] if "path" in query else []))
        return [self.commit_json(sha) for sha in shas.split()]

    def compare(self, query, body, base: str, head: str) -> dict[str, Any]:
        base_sha, head_sha = self.resolve(base), self.resolve(head)
        if not base_sha or not head_sha:
            raise Failure(404, "Not Found")
        merge_base = self.git("merge-base", base_sha, head_sha).strip()
        commits = self.git("rev-list", "--reverse", "--topo-order", f"{merge_base}..{head_sha}").split()
        files = []
        raw = self.git("diff-tree", "-r", "-M", "--raw", "-z", merge_base, head_sha).split("\x00")
        position = 0
        while position < len(raw) - 1:
            _, _, _, new_sha, status = raw[position].lstrip(":").split()
            kind = status[0]
            paths = raw[position + 1: position + (3 if kind in "RC" else 2)]
            position += 3 if kind in "RC" else 2
            entry = {"filename": paths[-1], "sha": new_sha if kind != "D" else None,
                     "status": {"A": "added", "D": "removed", "R": "renamed"}.get(kind, "modified")}
            if kind == "R":
                entry["previous_filename"] = paths[0]
            patch = self.git("diff", "--no-color", merge_base, head_sha, "--", *paths)
            if kind != "D" and "Binary files" not in patch and "@@" in patch:
                entry["patch"] = patch[patch.index("@@"):]
            files.append(entry)
        return {"status": "ahead" if commits else "identical", "ahead_by": len(commits),
                "base_commit": self.commit_json(base_sha), "merge_base_commit": self.commit_json(merge_base),
                "commits": [self.commit_json(sha) for sha in commits], "files": files}

    # pull requests -----------------------------------------------------------------------------------------

    def pull_json(self, pull: PullRequest) -> dict[str, Any]:
        head = self.resolve(f"refs/heads/{pull.head}") or pull.merged_sha
        repo = {"full_name": self.repository, "fork": False}
        return {"number": pull.number, "title": pull.title, "body": pull.body, "state": pull.state,
                "html_url": f"https://github.example/{self.repository}/pull/{pull.number}",
                "user": {"login": pull.user}, "labels": [{"name": name} for name in pull.labels],
                "head": {"ref": pull.head, "sha": head, "label": f"{self.owner}:{pull.head}", "repo": repo},
                "base": {"ref": pull.base, "sha": self.resolve(f"refs/heads/{pull.base}"), "repo": repo},
                "created_at": pull.created_at, "updated_at": pull.updated_at, "merged_at": pull.merged_at}

    def pull(self, number: str) -> PullRequest:
        if int(number) not in self.pulls:
            raise Failure(404, "Not Found")
        return self.pulls[int(number)]

    def list_pulls(self, query, body) -> list[dict[str, Any]]:
        state = query.get("state", "open")
        head = query.get("head", "").split(":", 1)[-1]
        return [self.pull_json(p) for p in self.pulls.values()
                if (state == "all" or p.state == state) and (not head or p.head == head)
                and p.base == query.get("base", p.base)]

    def create_pull(self, query, body) -> dict[str, Any]:
        head = body["head"].split(":", 1)[-1]
        if not self.resolve(f"refs/heads/{head}"):
            raise Failure(422, "Validation Failed")
        if any(p.head == head and p.state == "open" for p in self.pulls.values()):
            raise Failure(422, f"A pull request already exists for {self.owner}:{head}.")
        now = _now()
        pull = PullRequest(len(self.pulls) + 1, body["title"], body.get("body", ""), head, body["base"], self.login,
                           created_at=now, updated_at=now)
        self.pulls[pull.number] = pull
        return self.pull_json(pull)

    def update_pull(self, query, body, number: str) -> dict[str, Any]:
        pull = self.pull(number)
        if body.get("state") in ("open", "closed"):
            pull.state = body["state"]
        pull.updated_at = _now()
        return self.pull_json(pull)

    def pull_commits(self, query, body, number: str) -> list[dict[str, Any]]:
        pull = self.pull(number)
        return self.compare({}, None, pull.base, pull.head)["commits"]

    def merge_pull(self, query, body, number: str) -> dict[str, Any]:
        pull = self.pull(number)
        head, base = self.resolve(f"refs/heads/{pull.head}"), self.resolve(f"refs/heads/{pull.base}")
        if pull.state != "open" or not head or not base:
            raise Failure(405, "Pull Request is not mergeable")
        if body.get("sha") and body["sha"] != head:
            raise Failure(409, "Head branch was modified. Review and try the merge again.")
        merged = subprocess.run(["git", "--git-dir", str(self.origin), "merge-tree", "--write-tree", base, head],
                                capture_output=True, text=True)
        if merged.returncode != 0:
            raise Failure(405, "Pull Request is not mergeable")
        tree = merged.stdout.split()[0]
        parents = ["-p", base] if body.get("merge_method") == "squash" else ["-p", base, "-p", head]
        message = body.get("commit_message") or f"Merge pull request #{pull.number} from {self.owner}/{pull.head}"
        sha = self.create_commit({}, {"tree": tree, "parents": parents[1::2], "message": message,
                                      "committer": {"name": "GitHub", "email": "noreply@github.example"}})["sha"]
        self.git("update-ref", f"refs/heads/{pull.base}", sha, base)
        pull.state, pull.merged_at, pull.merged_sha, pull.updated_at = "closed", _now(), head, _now()
        return {"sha": sha, "merged": True, "message": "Pull Request successfully merged"}

    def set_labels(self, query, body, number: str) -> list[dict[str, str]]:
        pull = self.pull(number)
        pull.labels = list(body["labels"])
        pull.updated_at = _now()
        return [{"name": name} for name in pull.labels]


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _handler(standin: GitHubStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet test output
            pass

        def _send(self, status: int, payload: Any) -> None:
            data = b"" if status == 204 else json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Expose-Headers", "Link")
            if data:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_OPTIONS(self) -> None:  # noqa: N802 (the browser's CORS preflight)
            self.send_response(204)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "GET, POST, PATCH, PUT, DELETE")
            self.send_header("Access-Control-Allow-Headers",
                             self.headers.get("Access-Control-Request-Headers", "Authorization, Content-Type"))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            if not parts.path.startswith(API_PREFIX):
                return self._send(404, {"message": "Not Found"})
            if self.headers.get("Authorization") != f"token {standin.token}":
                return self._send(401, {"message": "Bad credentials"})
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null") if length else None
            query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
            status, payload = standin.answer(self.command, unquote(parts.path[len(API_PREFIX):]), query, body)
            self._send(status, payload)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle  # noqa: N815

    return Handler


@contextmanager
def github_standin(origin: Path, repository: str, login: str, token: str) -> Iterator[tuple[GitHubStandIn, str]]:
    """The stand-in served on 127.0.0.1; yields it and its API root (what [admin] api_url takes)."""
    standin = GitHubStandIn(origin, repository, login, token)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(standin))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield standin, f"http://127.0.0.1:{server.server_address[1]}{API_PREFIX}"
    finally:
        server.shutdown()
        server.server_close()
