"""Static files: the theme's static/, then the site's templates/static/ and static/, later ones
replacing earlier ones of the same name.

They are known by name and file-system identity and copied by the operating system, never held in
memory; an unchanged file is not even read (see identity.file_identity)."""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

from generator.config.site_files import static_sources
from generator.errors import BuildError
from generator.incremental.identity import file_identity
from generator.write.writer import StagingFolder

ASSETS = ("assets/clinicpress.css", "assets/clinicpress.js", "assets/search.js",
          "assets/search-rules.json")  # linked with ?v=<content digest>


@dataclass(frozen=True, slots=True)
class StaticFile:
    path: str  # in the output, e.g. "images/lips.png"
    source: Path
    identity: str  # size, times and inode; or the content's digest while the file may still be changing


def discover_static_files(site_dir: Path, theme_dirs: Sequence[Path],
                          skip: Callable[[str], bool] = lambda name: False) -> tuple[StaticFile, ...]:
    """Every static file by output path, sorted, but those whose name `skip` accepts (images, which the
    image stage publishes); a link that leads out of its static folder is an error, skipped or not."""
    found, refused = static_sources(site_dir, theme_dirs)
    if refused:
        raise BuildError(refused)
    return static_files({path: source for path, source in found.items() if not skip(path.rpartition("/")[2])})


def static_files(found: Mapping[str, Path]) -> tuple[StaticFile, ...]:
    """Files to copy as they are, by output path, known by their identity."""
    now_ns = time.time_ns()
    return tuple(StaticFile(path, source, file_identity(source, now_ns) or "content:" + _content_digest(source))
                 for path, source in found.items())


def _content_digest(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "blake2b").hexdigest()


def fingerprinted_assets(static: tuple[StaticFile, ...]) -> dict[str, str]:
    """'assets/clinicpress.css' -> 'assets/clinicpress.css?v=1a2b3c4d' so browsers refetch after a change
    (the theme's two small files are read for it on each build)."""
    by_path = {f.path: f.source for f in static}
    return {name.split("/")[-1].replace(".", "_"):
            f"{name}?v={hashlib.sha256(by_path[name].read_bytes()).hexdigest()[:10]}"
            for name in ASSETS if name in by_path}


def publish_static(file: StaticFile, folder: StagingFolder) -> str:
    """Put one static file into the output. Every file is copied as it is (by the operating system,
    without passing through memory); a kind of file that needs processing on the way, such as a raster
    image to strip or resize, branches off here. Returns the digest of the file written."""
    return folder.copy(file.path, file.source)
