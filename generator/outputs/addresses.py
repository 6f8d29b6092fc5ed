"""Every address a build publishes, taken from the build's own plans: what a link inside the site may
point to (`check`'s broken-link and missing-image rules)."""
from __future__ import annotations

from typing import Iterable

from generator.content.models import Post
from generator.errors import BuildError
from generator.outputs.redirects import plan_aliases
from generator.site.feed_groups import feed_groups
from generator.site.model import Site
from generator.site.pages import Page
from generator.site.urls import Urls


def published_addresses(site: Site, pages: Iterable[Page]) -> dict[str, Post | None]:
    """Site path -> the post shown there (None for other pages and files); pages: the site's page plan."""
    addresses: dict[str, Post | None] = {page.path: page.post for page in pages}
    addresses.update((path, None) for path, _, _, _ in feed_groups(site))
    addresses.update({Urls.sitemap(): None, Urls.robots(): None})
    if site.config.admin.enabled:
        addresses[Urls.admin()] = None
    try:  # an old address still leads to its post
        for alias in plan_aliases(site, taken={}):
            addresses.setdefault(alias.path, alias.post)
    except BuildError:  # two posts claim one old address: `build` reports it
        pass
    return addresses
