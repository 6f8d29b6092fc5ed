"""Jinja rendering of planned pages, with template errors reported by template file and line."""
from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any, Callable, Iterable

import jinja2

from .errors import BuildError, Diagnostic, error
from .models import OutputFile
from .pages import Page


def make_environment(dirs: list[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # Keep JSON-LD readable (Hangul as is) and in the order it was built; tojson still escapes <, > and &.
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    return env


def _template_location(exc: BaseException, dirs: list[Path], site_dir: Path) -> tuple[str, int | None]:
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


def render_pages(pages: Iterable[Page], context_for: Callable[[Page], dict[str, Any]],
                 env: jinja2.Environment, dirs: list[Path], site_dir: Path,
                 output_path: Callable[[str], str]) -> list[OutputFile]:
    outputs, diagnostics = [], []
    failed_templates: set[str] = set()
    for page in pages:
        if page.template in failed_templates:
            continue
        try:
            html = env.get_template(page.template).render(context_for(page))
        except jinja2.TemplateNotFound as exc:
            failed_templates.add(page.template)
            diagnostics.append(error("templates", None, f"template '{exc.name}' not found",
                                     "the default theme has it; restore the file or remove your override"))
            continue
        except (jinja2.TemplateError, KeyError, TypeError, ValueError, AttributeError) as exc:
            where, line = _template_location(exc, dirs, site_dir)
            subject = page.post.source if page.post else "/" + page.path
            message = getattr(exc, "message", None) or str(exc)
            diagnostics.append(error(where, line, f"template error while rendering {subject}: {message}"))
            if isinstance(exc, jinja2.TemplateSyntaxError):
                failed_templates.add(page.template)
            continue
        outputs.append(OutputFile(output_path(page.path), html.encode("utf-8")))
    if diagnostics:
        raise BuildError(diagnostics)
    return outputs
