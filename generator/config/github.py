"""GitHub logins of authors (`github = "login"` in [authors.<id>]): how an approval given on GitHub is
traced back to the physician who gave it (`clinicpress approve --github-login`).

GitHub compares logins without regard to case, so the checks and the look-up here do too.
"""
from __future__ import annotations

import re
from typing import Any, Sequence

# Letters, digits and '-', not first, at most 39 characters: what GitHub accepts (older accounts may
# have a '-' at the end or two in a row, so those are not refused).
LOGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}$")
_PROFILE = re.compile(r"^(?:https?://)?(?:www\.)?github\.com/([^/?#\s]+)/?$", re.IGNORECASE)


def same_login(first: str, second: str) -> bool:
    return first.casefold() == second.casefold()


def author_with_login(authors: Sequence[Any], login: str) -> Any | None:
    """The author whose `github` is login, or None."""
    return next((a for a in authors if a.github and same_login(a.github, login)), None)


def login_hint(value: str) -> str:
    """What to write instead of a value that is not a login: the login inside a profile address or
    after an '@' when there is one, else the rule."""
    profile = _PROFILE.match(value.strip())
    candidate = profile.group(1) if profile else value.strip().lstrip("@")
    if candidate != value and LOGIN.match(candidate):
        return f'write the login alone: github = "{candidate}"'
    return ("a GitHub login has letters, digits and '-' only (at most 39), as in github.com/<login>; "
            'e.g. github = "kim-md"')


def check_github_logins(reader: Any, authors: Sequence[Any]) -> None:
    """Each author's login, read with the loader's section reader: a login's characters, and no login
    given to two authors (an approval must name one physician)."""
    owners: dict[str, Any] = {}
    for author in authors:
        login, where = author.github, ("authors", author.id, "github")
        if not login:
            continue
        if not LOGIN.match(login):
            reader.fail(where, f"'authors.{author.id}.github' '{login}' is not a GitHub login", login_hint(login))
            continue
        owner = owners.setdefault(login.casefold(), author)
        if owner is not author:
            spelt = "" if owner.github == login else f" (written '{owner.github}': GitHub ignores upper and lower case)"
            reader.fail(where, f"'authors.{author.id}.github' '{login}' is also the login of [authors.{owner.id}]"
                               f"{spelt}: an approval on GitHub must name one author",
                        f"keep it under [authors.{owner.id}] or [authors.{author.id}], whichever uses that GitHub "
                        "account, and remove it from the other")
