"""What search engines read: head metadata, JSON-LD, sitemap.xml and robots.txt."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from generator.config.loader import Author, SiteConfig
from generator.content.models import OutputFile, Post
from generator.site.pages import Page, SitemapEntry
from generator.site.urls import Urls

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


@dataclass(frozen=True, slots=True)
class HeadMeta:
    """Everything a page's <head> says about it, ready to print."""

    title: str
    description: str
    canonical: str
    alternates: tuple[tuple[str, str], ...]  # (hreflang, absolute URL), x-default last
    meta: tuple[tuple[str, str, str], ...]  # (attribute, name, content)
    feeds: tuple[tuple[str, str, str], ...]  # (MIME type, title, href)
    json_ld: tuple[dict, ...]
    robots: str


def iso(moment: datetime) -> str:
    return moment.isoformat()


def hreflang_links(urls: Urls, alternates: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Every version of a page (itself included) and x-default, as absolute URLs."""
    links = tuple((lang, urls.absolute(path)) for lang, path in alternates)
    return links + (("x-default", urls.absolute(urls.root())),)


def head_meta(config: SiteConfig, urls: Urls, page: Page, title: str, description: str,
              feeds: tuple[tuple[str, str, str], ...], image: str = "", image_alt: str = "",
              json_ld: tuple[dict, ...] = (), preview: tuple[str, int, int] | None = None) -> HeadMeta:
    """preview: the absolute URL and size of the picture link previews show (image, or the clinic logo)."""
    canonical = urls.absolute(page.path)
    lang = page.lang or config.site.default_language
    locale = config.language(lang).locale
    image_url = preview[0] if preview else urls.asset(image or config.clinic.logo)
    meta: list[tuple[str, str, str]] = [
        ("property", "og:type", "article" if page.post else "website"),
        ("property", "og:site_name", config.language(lang).title),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", canonical),
        ("property", "og:locale", locale),
    ]
    for other_lang, _ in page.alternates:
        if other_lang != lang:
            meta.append(("property", "og:locale:alternate", config.language(other_lang).locale))
    if image_url:
        meta.append(("property", "og:image", image_url))
        if preview:
            meta.append(("property", "og:image:width", str(preview[1])))
            meta.append(("property", "og:image:height", str(preview[2])))
        if image_alt:
            meta.append(("property", "og:image:alt", image_alt))
    if page.post:
        meta.append(("property", "article:published_time", iso(page.post.date)))
        meta.append(("property", "article:modified_time", iso(page.post.modified)))
        meta.extend(("property", "article:tag", tag) for tag in page.post.tags)
    meta += [
        ("name", "twitter:card", "summary_large_image" if image else "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    ]
    if image_url:
        meta.append(("name", "twitter:image", image_url))
    for engine, name in (("google", "google-site-verification"), ("naver", "naver-site-verification"),
                         ("bing", "msvalidate.01")):
        content = getattr(config.verification, engine)
        if content:
            meta.append(("name", name, content))
    return HeadMeta(title=title, description=description, canonical=canonical,
                    alternates=hreflang_links(urls, page.alternates) if page.indexable else (),
                    meta=tuple(meta), feeds=feeds,
                    json_ld=json_ld, robots="index, follow" if page.indexable else "noindex, follow")


# JSON-LD ----------------------------------------------------------------------

def clinic_ld(config: SiteConfig, lang: str, urls) -> dict:
    clinic = config.clinic
    data: dict = {"@type": "MedicalClinic", "name": clinic.name.get(lang, config.site.default_language)}
    if clinic.url:
        data["url"] = clinic.url
    if clinic.logo:
        data["logo"] = {"@type": "ImageObject", "url": urls.asset(clinic.logo)}
    if clinic.telephone:
        data["telephone"] = clinic.telephone
    if clinic.email:
        data["email"] = clinic.email
    if clinic.address:
        data["address"] = clinic.address.get(lang, config.site.default_language)
    return data


def person_ld(author: Author, lang: str, config: SiteConfig, urls) -> dict:
    fallback = config.site.default_language
    data: dict = {"@type": author.type, "name": author.name.get(lang, fallback)}
    if author.job_title:
        data["jobTitle"] = author.job_title.get(lang, fallback)
    data["url"] = author.url or urls.absolute(urls.author(lang, author.id))
    if author.image:
        data["image"] = urls.asset(author.image)
    if author.medical_specialty:
        data["medicalSpecialty"] = author.medical_specialty
    if author.same_as:
        data["sameAs"] = list(author.same_as)
    return data


def post_json_ld(config: SiteConfig, urls: Urls, post: Post, word_count: int, breadcrumb: list[tuple[str, str]],
                 faq_answers: tuple[tuple[str, str], ...], series_name: str = "",
                 preview: tuple[str, int, int] | None = None) -> tuple[dict, ...]:
    canonical = urls.absolute(urls.post(post.lang, post.slug))
    article: dict = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage" if post.reviewed_by else "BlogPosting",
        "@id": canonical + "#article",
        "headline": post.title,
        "description": post.description,
        "datePublished": iso(post.date),
        "dateModified": iso(post.modified),
        "inLanguage": post.lang,
        "url": canonical,
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "wordCount": word_count,
    }
    if preview:  # the picture link previews show, as in og:image
        article["image"] = [{"@type": "ImageObject", "url": preview[0], "width": preview[1], "height": preview[2]}]
    elif post.image:
        article["image"] = [urls.asset(post.image)]
    author = config.author(post.author) if post.author else None
    if author:
        article["author"] = person_ld(author, post.lang, config, urls)
    reviewer = config.author(post.reviewed_by) if post.reviewed_by else None
    if reviewer:
        article["reviewedBy"] = person_ld(reviewer, post.lang, config, urls)
        if post.last_reviewed:  # a review date the post states, never one guessed from the file
            article["lastReviewed"] = post.last_reviewed.isoformat()
    article["publisher"] = clinic_ld(config, post.lang, urls)
    if post.tags:
        article["keywords"] = list(post.tags)
    if post.series:
        article["isPartOf"] = {"@type": "CreativeWorkSeries",
                               "name": series_name,
                               "url": urls.absolute(urls.series(post.lang, post.series))}
    crumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": urls.absolute(path)}
            for position, (name, path) in enumerate(breadcrumb, start=1)
        ],
    }
    items: list[dict] = [article, crumbs]
    if faq_answers:
        items.append({
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "mainEntity": [
                {"@type": "Question", "name": question,
                 "acceptedAnswer": {"@type": "Answer", "text": answer}}
                for question, answer in faq_answers
            ],
        })
    return tuple(items)


def home_json_ld(config: SiteConfig, urls: Urls, lang: str) -> tuple[dict, ...]:
    language = config.language(lang)
    clinic = clinic_ld(config, lang, urls)
    clinic = {"@context": "https://schema.org", **clinic}
    website = {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": language.title,
        "description": language.description,
        "url": urls.absolute(urls.home(lang)),
        "inLanguage": lang,
        "publisher": clinic_ld(config, lang, urls),
    }
    return (website, clinic)


# sitemap.xml and robots.txt -----------------------------------------------------

def build_sitemap(urls: Urls, entries: tuple[SitemapEntry, ...]) -> OutputFile:
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "xhtml": XHTML_NS})
    for page in entries:
        entry = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(entry, f"{{{SITEMAP_NS}}}loc").text = urls.absolute(page.path)
        if page.modified:
            etree.SubElement(entry, f"{{{SITEMAP_NS}}}lastmod").text = page.modified
        for hreflang, href in hreflang_links(urls, page.alternates):
            etree.SubElement(entry, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=hreflang, href=href)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return OutputFile(urls.sitemap(), data)


def build_robots(urls: Urls) -> OutputFile:
    sitemap = urls.absolute(urls.sitemap())
    text = (
        "# Every crawler is welcome: Google, Bing, Naver (Yeti), Daum and the rest.\n"
        "User-agent: *\n"
        "Allow: /\n"
        "\n"
        "User-agent: Yeti\n"
        "Allow: /\n"
        "\n"
        f"Sitemap: {sitemap}\n"
    )
    return OutputFile(urls.robots(), text.encode("utf-8"))
