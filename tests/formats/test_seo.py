"""sitemap.xml against the sitemaps.org protocol, robots.txt read by Python's robots parser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.robotparser import RobotFileParser

import pytest
from lxml import etree
from tag_digest.formats.feeds import absolute_url
from tag_digest.formats.seo import SITEMAP_NS, SitemapUrl, robots_txt, sitemap_files, urlset

BASE = "https://example.github.io/tagdigest"
NS = {"s": SITEMAP_NS}
WEEK_MODIFIED = dt.datetime(2024, 12, 27, 9, 41, 12, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(Path(__file__).parents[1] / "fixtures" / "sitemap.xsd")))


def site_urls() -> list[SitemapUrl]:
    return [
        SitemapUrl(absolute_url(BASE, ""), dt.date(2024, 12, 27)),
        SitemapUrl(absolute_url(BASE, "tags/машинное_обучение/"), dt.date(2024, 12, 27)),
        SitemapUrl(absolute_url(BASE, "weeks/2024-W52/"), WEEK_MODIFIED),
        SitemapUrl(absolute_url(BASE, "links/?a=1&b=2")),
        SitemapUrl(absolute_url(BASE, "weeks/2024-W52/")),  # repeated: listed once
    ]


def test_sitemap_is_valid_and_lists_each_page_once(schema: etree.XMLSchema) -> None:
    files = sitemap_files(site_urls(), BASE)
    assert list(files) == ["sitemap.xml"]
    root = etree.fromstring(files["sitemap.xml"])
    assert schema.validate(root), schema.error_log
    locs = root.xpath("s:url/s:loc/text()", namespaces=NS)
    assert locs == [
        "https://example.github.io/tagdigest/",
        "https://example.github.io/tagdigest/tags/"
        "%D0%BC%D0%B0%D1%88%D0%B8%D0%BD%D0%BD%D0%BE%D0%B5_%D0%BE%D0%B1%D1%83%D1%87%D0%B5%D0%BD%D0%B8%D0%B5/",
        "https://example.github.io/tagdigest/weeks/2024-W52/",
        "https://example.github.io/tagdigest/links/?a=1&b=2",
    ]
    assert all(loc.isascii() for loc in locs)
    assert b"&amp;" in files["sitemap.xml"]  # entity-escaped as the protocol asks
    assert root.xpath("s:url/s:lastmod/text()", namespaces=NS) == [
        "2024-12-27",
        "2024-12-27",
        "2024-12-27T09:41:12Z",
    ]


def test_the_schema_is_not_a_rubber_stamp(schema: etree.XMLSchema) -> None:
    bad = [SitemapUrl("weeks/2024-W52/")]  # relative: the protocol wants absolute URLs
    assert not schema.validate(etree.fromstring(urlset(bad)))
    dated = etree.fromstring(urlset([SitemapUrl(BASE + "/", dt.date(2024, 12, 27))]))
    dated.find("s:url/s:lastmod", NS).text = "27.12.2024"
    assert not schema.validate(dated)


def test_too_many_urls_become_an_index_of_parts(schema: etree.XMLSchema) -> None:
    urls = [SitemapUrl(f"{BASE}/days/2024-01-{d:02d}/", dt.date(2024, 1, d)) for d in range(1, 8)]
    files = sitemap_files(urls, BASE, max_urls=3)
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = etree.fromstring(files["sitemap.xml"])
    assert schema.validate(index), schema.error_log
    assert index.xpath("s:sitemap/s:loc/text()", namespaces=NS) == [
        f"{BASE}/sitemap-1.xml",
        f"{BASE}/sitemap-2.xml",
        f"{BASE}/sitemap-3.xml",
    ]
    assert index.xpath("s:sitemap/s:lastmod/text()", namespaces=NS) == [
        "2024-01-03",
        "2024-01-06",
        "2024-01-07",
    ]
    parts = [etree.fromstring(files[f"sitemap-{n}.xml"]) for n in (1, 2, 3)]
    assert all(schema.validate(p) for p in parts)
    assert sum(len(p.xpath("s:url", namespaces=NS)) for p in parts) == 7


def test_robots_txt_allows_everything_and_names_the_sitemap() -> None:
    text = robots_txt(f"{BASE}/sitemap.xml")
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    assert parser.can_fetch("Googlebot", f"{BASE}/weeks/2024-W52/")
    assert parser.can_fetch("*", f"{BASE}/links.json")
    assert parser.site_maps() == [f"{BASE}/sitemap.xml"]
    bare = RobotFileParser()
    bare.parse(robots_txt(None).splitlines())
    assert bare.site_maps() is None and bare.can_fetch("*", "/anything")
