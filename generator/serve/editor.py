"""`serve --edit`: the browser editor's side of the preview server.

Decap CMS's local-repository protocol (the one its decap-server speaks) over the site folder, so a
marketer edits posts/ on a laptop without Node or git, and the findings of `check` for the post being
edited, before it is saved. The editor may touch posts/<lang>/<name>.md and the photos in
static/images/ only; every path is resolved and must stay there, whatever the request says.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from generator.admin.cms_config import MEDIA_FOLDER, TRANSLATED
from generator.check.edited import check_edited_posts
from generator.config.loader import load_config
from generator.content.layout import keep_layout
from generator.content.posts import SAFE_SEGMENT
from generator.errors import BuildError

MAX_BODY = 40 * 1024 * 1024  # a phone photo, base64-encoded, with room to spare


class EditorError(Exception):
    """A request the editor API refuses: (HTTP status, message)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class SiteEditor:
    """Answers the editor's requests for one site folder."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir.resolve()

    def languages(self) -> tuple[str, ...]:
        try:
            return load_config(self.site_dir / "site.toml").language_codes
        except BuildError:
            return ()

    # Paths: only posts/<lang>/<name>.md and static/images/...; a link leading elsewhere is refused too.
    def _resolve(self, relative: str, *, post: bool | None = None) -> Path:
        if not isinstance(relative, str) or not relative or "\x00" in relative or "\\" in relative:
            raise EditorError(400, "a path is missing or malformed")
        parts = relative.strip("/").split("/")
        if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
            raise EditorError(403, f"{relative}: not a file the editor may use")
        is_post = len(parts) == 3 and parts[0] == "posts" and parts[1] in self.languages() \
            and parts[2].endswith(".md") and SAFE_SEGMENT.fullmatch(parts[2][:-3]) is not None
        is_media = "/".join(parts).startswith(MEDIA_FOLDER + "/")
        if not (is_post if post else is_media if post is False else is_post or is_media):
            raise EditorError(403, f"{relative}: the editor keeps to posts/<language>/ and {MEDIA_FOLDER}/")
        target = self.site_dir.joinpath(*parts)
        allowed = self.site_dir / ("posts" if is_post else MEDIA_FOLDER)
        if not target.resolve().is_relative_to(allowed.resolve()) or not allowed.resolve().is_relative_to(
                self.site_dir):
            raise EditorError(403, f"{relative}: leads out of the site folder")
        return target

    def _folder(self, relative: str) -> Path:
        folder = self.site_dir.joinpath(*[p for p in str(relative).strip("/").split("/") if p])
        for allowed in (self.site_dir / "posts", self.site_dir / MEDIA_FOLDER):
            if folder.resolve().is_relative_to(allowed.resolve()) and allowed.resolve().is_relative_to(self.site_dir):
                return folder
        raise EditorError(403, f"{relative}: the editor keeps to posts/ and {MEDIA_FOLDER}/")

    def _entry(self, relative: str) -> dict[str, Any]:
        """A post's text; none for a file that is missing or not one the editor may read (Decap asks
        whether posts/<name>.md exists before it saves a new post), which is never read."""
        try:
            data = self._resolve(relative).read_bytes()
        except (OSError, EditorError):
            return {"data": None, "file": {"path": relative, "id": None}}
        return {"data": data.decode("utf-8", "replace"), "file": {"path": relative, "id": _digest(data)}}

    def _media(self, relative: str) -> dict[str, Any]:
        data = self._resolve(relative, post=False).read_bytes()
        return {"id": _digest(data), "content": base64.b64encode(data).decode("ascii"), "encoding": "base64",
                "path": relative, "name": relative.rpartition("/")[2]}

    def _files_below(self, relative: str, extension: str, depth: int) -> list[str]:
        root = self._folder(relative)
        found = []
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            inside = path.relative_to(root).parts
            if len(inside) <= depth and path.is_file() and path.name.endswith(extension) \
                    and not any(p.startswith(".") for p in inside):
                found.append(path.relative_to(self.site_dir).as_posix())
        return found

    def _write(self, relative: str, data: bytes, post: bool) -> None:
        target = self._resolve(relative, post=post)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".editor-")
        with os.fdopen(handle, "wb") as stream:  # whole or not at all: the watcher never sees half a post
            stream.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as a text editor would save it, not mkstemp's 0600
        os.replace(temporary, target)

    def answer(self, request: Any) -> Any:
        """One request of Decap's local-repository protocol: {"action": ..., "params": {...}}."""
        if not isinstance(request, dict) or not isinstance(request.get("params", {}), dict):
            raise EditorError(400, "expected a JSON object with action and params")
        action, params = request.get("action"), request.get("params") or {}
        if action == "info":
            return {"repo": self.site_dir.name, "publish_modes": ["simple"], "type": "local_fs"}
        if action == "entriesByFolder":
            depth = params.get("depth", 1)
            return [self._entry(p) for p in self._files_below(params.get("folder", ""), str(
                params.get("extension", "")), depth if isinstance(depth, int) else 1)]
        if action == "entriesByFiles":
            return [self._entry(f.get("path", "")) for f in params.get("files", []) if isinstance(f, dict)]
        if action == "getEntry":
            return self._entry(params.get("path", ""))
        if action == "persistEntry":
            files = params.get("dataFiles") or [params.get("entry") or {}]
            for file in files:  # every path is checked before anything is written
                self._resolve(file.get("path", ""), post=True)
            for asset in params.get("assets", []):
                self._resolve(asset.get("path", ""), post=False)
            for asset in params.get("assets", []):
                self._write(asset["path"], _decoded(asset), post=False)
            for file in files:
                raw = str(file.get("raw", ""))
                target = self._resolve(file["path"], post=True)
                if target.is_file():  # keep the post's own layout where the editor changed nothing
                    raw = keep_layout(target.read_text(encoding="utf-8", errors="replace"), raw)
                self._write(file["path"], raw.encode("utf-8"), post=True)
            return {"message": "entry persisted"}
        if action == "getMedia":
            return [self._media(p) for p in self._files_below(params.get("mediaFolder", MEDIA_FOLDER), "", 1)]
        if action == "getMediaFile":
            return self._media(params.get("path", ""))
        if action == "persistMedia":
            asset = params.get("asset") or {}
            self._write(asset.get("path", ""), _decoded(asset), post=False)
            return self._media(asset["path"])
        if action in ("deleteFile", "deleteFiles"):
            for relative in params.get("paths", [params.get("path", "")]):
                self._resolve(relative).unlink(missing_ok=True)
            return {"message": "deleted"}
        if action == "getDeployPreview":
            return None
        raise EditorError(422, f"unknown action {action!r}")

    def findings(self, request: Any) -> dict[str, Any]:
        """What `check` finds in the post being edited, in every language the editor holds."""
        if not isinstance(request, dict) or not isinstance(request.get("data"), dict):
            raise EditorError(400, "expected the entry's data")
        languages = self.languages()
        if not languages:
            raise EditorError(409, "site.toml has errors: run clinicpress check")
        data, translations = request["data"], request.get("i18n") or {}
        name = str(request.get("slug") or data.get("translation_key") or "new-post")
        if not SAFE_SEGMENT.fullmatch(name):
            name = "new-post"
        edited = {f"posts/{languages[0]}/{name}.md": post_text(data)}
        shared = {key: value for key, value in data.items() if key not in TRANSLATED}
        for lang in languages[1:]:
            fields = (translations.get(lang) or {}).get("data") if isinstance(translations, dict) else None
            if isinstance(fields, dict) and str(fields.get("title") or "").strip():  # a translation begun
                edited[f"posts/{lang}/{name}.md"] = post_text({**shared, **{
                    key: value for key, value in fields.items() if key in TRANSLATED}})
        pending = [str(path) for path in request.get("pending") or [] if isinstance(path, str)]
        found = [d for d in check_edited_posts(self.site_dir, edited)  # photos the editor saves with the post
                 if not (d.rule == "missing-image" and any(path.rpartition("/")[2] in d.message for path in pending))]
        return {"findings": [{"severity": d.severity, "rule": d.rule, "location": d.location, "message": d.message,
                              "hint": d.hint} for d in found]}


def post_text(fields: dict[str, Any]) -> bytes:
    """A post file from the editor's fields, the way the editor saves it: front-matter, then the body."""
    front = {key: value for key, value in fields.items() if key != "body" and value not in (None, "", [], {})}
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + str(
        fields.get("body") or "")
    return text.encode("utf-8")


def _decoded(asset: dict) -> bytes:
    try:
        return base64.b64decode(asset.get("content", ""), validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise EditorError(400, f"{asset.get('path')}: the file's content is not base64") from None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise EditorError(400, "the request is not JSON") from None
