"""Jinja rendering of planned pages, with template errors reported by template file and line."""
from __future__ import annotations

import traceback
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import jinja2
from jinja2.loaders import split_template_path

from generator.config.site_files import InputFolder, input_folder, resolve_input
from generator.errors import Diagnostic, error
from generator.content.models import OutputFile
from generator.site.pages import Page
from generator.site.urls import Urls


class TemplateRefused(jinja2.TemplateError):
    """A template that is a link leading out of its theme folder."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class ThemeLoader(jinja2.FileSystemLoader):
    """The templates of one theme folder. Jinja's own loader follows links, also to a file outside the
    site (a partial linked to /etc/passwd would be printed on every page): this one refuses them, also
    for includes and extends, instead of falling back to the next folder's template."""

    def __init__(self, folder: InputFolder):
        super().__init__(str(folder.path))
        self.folder = folder

    def get_source(self, environment: jinja2.Environment, template: str):
        path = Path(self.folder.path, *split_template_path(template))
        _, problem = resolve_input(self.folder, path, f"{self.folder.shown}/{template}")
        if problem:
            raise TemplateRefused(problem)
        return super().get_source(environment, template)


def make_environment(dirs: Sequence[Path], site_dir: Path, compiled_dir: Path | None = None) -> jinja2.Environment:
    """The theme's templates, none through a link that leads out of its folder; compiled_dir keeps
    them compiled between builds (Jinja checks each template's source before reusing it)."""
    if compiled_dir is not None:
        try:
            compiled_dir.mkdir(parents=True, exist_ok=True)
        except OSError:
            compiled_dir = None
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([ThemeLoader(input_folder(site_dir, d)) for d in dirs]),
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled_dir)) if compiled_dir else None,
        autoescape=True,
        auto_reload=False,  # templates do not change during a build: no stat() per include per page
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # Keep JSON-LD readable (Hangul as is) and in the order it was built; tojson still escapes <, > and &.
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    return env


def _template_location(exc: BaseException, dirs: Sequence[Path], site_dir: Path) -> tuple[str, int | None]:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return _shown(exc.filename or exc.name or "?", site_dir), exc.lineno
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt")) and any(
                str(d) in frame.filename for d in dirs):
            return _shown(frame.filename, site_dir), frame.lineno
    return "templates", None


def _shown(filename: str, site_dir: Path) -> str:
    path = Path(filename)
    try:
        return str(path.resolve().relative_to(site_dir.resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class PageRenderer:
    """Everything a worker process needs to render a planned page."""

    context_for: Callable[[Page], dict[str, Any]]
    env: jinja2.Environment
    dirs: Sequence[Path]
    site_dir: Path

    def render(self, page: Page) -> OutputFile | Diagnostic:
        try:
            html = self.env.get_template(page.template).render(self.context_for(page))
        except TemplateRefused as exc:
            return exc.diagnostic
        except jinja2.TemplateNotFound as exc:
            return error("templates", None, f"template '{exc.name}' not found",
                         "the default theme has it; restore the file or remove your override")
        except jinja2.TemplateSyntaxError as exc:
            where, line = _template_location(exc, self.dirs, self.site_dir)
            return error(where, line, f"template syntax error: {exc.message}")
        except (jinja2.TemplateError, KeyError, TypeError, ValueError, AttributeError) as exc:
            where, line = _template_location(exc, self.dirs, self.site_dir)
            subject = page.post.source if page.post else "/" + page.path
            message = getattr(exc, "message", None) or str(exc)
            return error(where, line, f"template error while rendering {subject}: {message}")
        return OutputFile(Urls.output_path(page.path), html.encode("utf-8"))
