"""Which requests the preview answers at all, judged before any file is looked up."""
from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus


@dataclass(frozen=True, slots=True)
class Refusal:
    status: HTTPStatus
    reason: str


def refuse_request_line(raw: bytes) -> Refusal | None:
    """A request line without a version (HTTP/0.9) has no headers to wait for and no status line in
    its answer: it is refused as soon as it is read."""
    if len(raw.split()) == 2:
        return Refusal(HTTPStatus.BAD_REQUEST, "HTTP/0.9 requests are not served")
    return None
