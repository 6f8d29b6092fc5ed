"""What `check` needs to know about an image without processing it: its upright size and its file size,
read from the file's header (a few kilobytes, not the pixels)."""
from __future__ import annotations

import os
import warnings
from pathlib import Path

from PIL import Image

from generator.images import process  # noqa: F401 - registers the HEIC/HEIF opener with Pillow
from generator.incremental.identity import fingerprint

Facts = tuple[int, int, int]  # upright width, height, bytes


class ImageFacts:
    """site path -> (width, height, bytes) of the static image there, or None (none there, or unreadable:
    the build reports that)."""

    def __init__(self, files: dict[str, Path]):
        self.files, self._memo = files, {}

    def __call__(self, path: str) -> Facts | None:
        if path not in self._memo:
            self._memo[path] = self._read(self.files[path]) if path in self.files else None
        return self._memo[path]

    @staticmethod
    def _read(file: Path) -> Facts | None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with Image.open(file) as image:
                    width, height = image.size
                    orientation = image.getexif().get(0x0112, 1) if image.format in ("JPEG", "MPO", "WEBP", "PNG") else 1
            size = os.stat(file).st_size
        except Exception:  # noqa: BLE001 - any failure of a damaged file is the build's to report
            return None
        return (height, width, size) if orientation in (5, 6, 7, 8) else (width, height, size)

    def digest(self) -> str:
        """Of every image's name, size and modification time: while it holds, every answer holds."""
        stats = []
        for path, file in sorted(self.files.items()):
            try:
                info = os.stat(file)
                stats.append(f"{path}:{info.st_size}:{info.st_mtime_ns}")
            except OSError:
                stats.append(f"{path}:-")
        return fingerprint(*stats)
