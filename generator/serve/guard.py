"""Which requests the preview answers at all, judged before any file is looked up.

Host: a page on another site can point its own name at this computer (DNS rebinding); the browser
then treats the preview as that site and lets the page read it, drafts included. So the preview
answers only to the names it was started for: localhost, the loopback addresses and the --host
value, with any port (a tunnel or a forwarded port changes it). An address written as digits
cannot be pointed elsewhere, so when bound to every address (0.0.0.0 or ::) any of them is answered,
which covers this computer's own addresses without listing them, and so is its host name
(socket.gethostname(), which asks no name server).
"""
from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urlsplit

EVERY_ADDRESS = ("", "0.0.0.0", "::")
LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")
_AUTHORITY = re.compile(r"(\[[0-9a-f:.]+\]|[^\[\]:@/\\\s]+)(?::[0-9]{1,5})?")


@dataclass(frozen=True, slots=True)
class Refusal:
    status: HTTPStatus
    reason: str


@dataclass(frozen=True, slots=True)
class HostNames:
    """The names a Host header may give, lower case, IPv6 addresses in brackets."""

    names: frozenset[str]
    any_address: bool = False  # bound to every address: any address in digits is answered

    @classmethod
    def bound_to(cls, host: str) -> HostNames:
        names = set(LOCAL_NAMES)
        if host in EVERY_ADDRESS:
            machine = socket.gethostname().lower()
            names |= {machine, machine.split(".")[0]}
        else:
            names.add(f"[{host.lower()}]" if ":" in host else host.lower().rstrip("."))
        return cls(frozenset(names), host in EVERY_ADDRESS)

    def refuse(self, authority: str) -> Refusal | None:
        """None when a request for authority (host[:port]) is one for this preview."""
        match = _AUTHORITY.fullmatch(authority.strip().lower())
        if match is None:
            return Refusal(HTTPStatus.BAD_REQUEST, "malformed Host header")
        name = match.group(1).rstrip(".")
        if name in self.names:
            return None
        try:
            address = ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            address = None
        if address is not None and (address.is_loopback or self.any_address):
            return None
        return Refusal(HTTPStatus.MISDIRECTED_REQUEST,
                       "this preview answers to localhost and the --host it was started with")

    def refuse_request(self, version: str, hosts: list[str], target: str) -> Refusal | None:
        """Judge a request's Host headers (hosts) and, when its target is a whole address, that too."""
        if len(hosts) > 1:
            return Refusal(HTTPStatus.BAD_REQUEST, "more than one Host header")
        if not hosts and version >= "HTTP/1.1":
            return Refusal(HTTPStatus.BAD_REQUEST, "an HTTP/1.1 request needs a Host header")
        given = hosts + ([urlsplit(target).netloc] if not target.startswith("/") else [])
        return next(filter(None, map(self.refuse, given)), None)


def refuse_request_line(raw: bytes) -> Refusal | None:
    """A request line without a version (HTTP/0.9) has no headers to wait for and no status line in
    its answer: it is refused as soon as it is read."""
    if len(raw.split()) == 2:
        return Refusal(HTTPStatus.BAD_REQUEST, "HTTP/0.9 requests are not served")
    return None
