"""The link collection: extraction from real statuses, normalising, deduplicating, grouping."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml
from factories import make_post
from tag_digest.archive.records import Card, Mention, Post
from tag_digest.archive.statuses import from_status
from tag_digest.digest.grouping import zone
from tag_digest.digest.links import (
    TRACKING_PARAMETERS,
    by_domain,
    by_month,
    collect_links,
    display_url,
    domain_of,
    normalise_url,
    post_links,
    wayback_url,
)

CORPUS = Path(__file__).parents[1] / "fixtures" / "corpus" / "rtoot"
FETCHED = "2025-07-20T00:00:00.000Z"


def statuses(name: str) -> list[dict[str, object]]:
    data = yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))
    found = []
    for interaction in data["http_interactions"]:
        found.extend(json.loads(interaction["response"]["body"]["string"]))
    return found


def corpus_posts(name: str) -> list[Post]:
    return [from_status(s, "https://mastodon.social", FETCHED) for s in statuses(name)]


def by_uri(posts: list[Post], uri: str) -> Post:
    return next(p for p in posts if p.uri == uri)


def digest_url(post: Post) -> str:
    return f"days/{post.created_at[:10]}/#{post.uri.rsplit('/', 1)[-1]}"


@pytest.fixture(scope="module")
def hanna() -> list[Post]:
    return corpus_posts("handle_params_max_id.yml")


@pytest.fixture(scope="module")
def rstats() -> list[Post]:
    return corpus_posts("get_timeline_hashtag_anonymous.yml")


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        (
            "HTTPS://Habr.COM:443/ru/articles/869674/?utm_source=mastodon&UTM_Medium=social#comments",
            "https://habr.com/ru/articles/869674/",
        ),
        ("http://Example.com:80", "http://example.com/"),
        ("http://example.com:8080/a?b=2&fbclid=x&a=1&gclid=y", "http://example.com:8080/a?b=2&a=1"),
        (
            "https://example.com/p?yclid=1&ysclid=2&mc_eid=3&igshid=4&ref_src=twsrc",
            "https://example.com/p",
        ),
        ("https://example.com/p?z=1&utm_campaign=x&y=&x", "https://example.com/p?z=1&y=&x"),
        ("https://example.com/a%7eb%2fc%2Fd", "https://example.com/a~b%2Fc%2Fd"),
        (
            "https://ru.wikipedia.org/wiki/Обучение_с_учителем",
            "https://ru.wikipedia.org/wiki/%D0%9E%D0%B1%D1%83%D1%87%D0%B5%D0%BD%D0%B8%D0%B5_%D1%81_"
            "%D1%83%D1%87%D0%B8%D1%82%D0%B5%D0%BB%D0%B5%D0%BC",
        ),
        ("https://пример.рф/", "https://xn--e1afmkfd.xn--p1ai/"),
        ("https://example.com/100%", "https://example.com/100%25"),
        ("  https://example.com/x  ", "https://example.com/x"),
    ],
)
def test_normalise_url(raw: str, normal: str) -> None:
    assert normalise_url(raw) == normal
    assert normalise_url(normal) == normal  # idempotent


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "mailto:a@example.com",
        "ftp://example.com/",
        "/tags/x",
        "",
        "https://",
    ],
)
def test_only_http_links_are_links(raw: str) -> None:
    assert normalise_url(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "https://../x",  # no host at all once the dots go
        "http://.../a",
        "https://a..b/",
        "https://%2e%2e/x",  # '..' once decoded, as a browser decodes it
        "https://ex%2fample.com/",
        "https://exa\\mple.com/../",  # a browser reads the backslash as '/': host 'exa'
        "https://ex ample.com/",
        'https://a"b/',
        "https://<script>/",
    ],
)
def test_a_url_without_a_real_host_is_not_a_link(raw: str) -> None:
    # Each would be a hostless or bogus entry in the exports, and a bogus domain page path.
    assert normalise_url(raw) is None


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("https://%65xample.com/a", "https://example.com/a"),
        ("https://[0:0::1]:8443/x", "https://[::1]:8443/x"),
        ("https://127.0.0.1/", "https://127.0.0.1/"),
        ("https://my_host.example/", "https://my_host.example/"),
    ],
)
def test_hosts_in_other_spellings(raw: str, normal: str) -> None:
    assert normalise_url(raw) == normal
    assert normalise_url(normal) == normal


def test_spellings_of_one_address_become_one_url() -> None:
    spellings = [
        "https://ru.wikipedia.org/wiki/Машинное_обучение",
        "https://ru.wikipedia.org/wiki/%D0%9C%D0%B0%D1%88%D0%B8%D0%BD%D0%BD%D0%BE%D0%B5_%D0%BE%D0%B1%D1%83%D1%87%D0%B5%D0%BD%D0%B8%D0%B5",
        "https://RU.Wikipedia.org:443/wiki/%d0%9c%d0%b0%d1%88%d0%b8%d0%bd%d0%bd%d0%be%d0%b5_%d0%be%d0%b1%d1%83%d1%87%d0%b5%d0%bd%d0%b8%d0%b5#История",
        "https://ru.wikipedia.org/wiki/Машинное_обучение?utm_source=mastodon",
    ]
    assert len({normalise_url(s) for s in spellings}) == 1


def test_domains_and_display() -> None:
    assert domain_of("https://www.habr.com/ru/") == "habr.com"
    assert domain_of("https://xn--e1afmkfd.xn--p1ai/") == "пример.рф"
    assert display_url("https://ru.wikipedia.org/wiki/%D0%9C%D0%B0") == "ru.wikipedia.org/wiki/Ма"
    assert wayback_url("https://habr.com/ru/articles/869674/") == (
        "https://web.archive.org/web/https://habr.com/ru/articles/869674/"
    )


def test_a_status_with_mention_hashtags_and_a_card(hanna: list[Post]) -> None:
    post = by_uri(hanna, "https://ruhr.social/users/Trkisblau/statuses/114365477667260172")
    assert post_links(post) == ("https://cfp.eh22.easterhegg.eu/eh22/talk/G3M9AG/",)


def test_a_link_to_another_post_is_a_link_but_mentions_are_not(hanna: list[Post]) -> None:
    post = by_uri(hanna, "https://historians.social/users/LenaOetzel/statuses/114307035128331913")
    assert post_links(post) == ("https://mstdn.science/@laborjournal/114306943144175413",)


def test_bridged_hashtags_and_repeated_links(rstats: list[Post]) -> None:
    bridged = next(p for p in rstats if p.uri.startswith("https://bsky.brid.gy/"))
    assert post_links(bridged) == ("https://github.com/mailund/tailr",)
    no_links = by_uri(
        rstats, "https://corteximplant.com/users/donnagen/statuses/114869166140148790"
    )
    assert post_links(no_links) == ()


def test_media_links_are_not_links(rstats: list[Post]) -> None:
    post = by_uri(rstats, "https://rstats.me/users/simonpcouch/statuses/114870142137562212")
    media_link = f'<a href="{post.media[0].url}">{post.media[0].url}</a>'
    assert post_links(replace(post, content=post.content + media_link)) == (
        "https://www.simonpcouch.com/blog/2025-07-17-claude-code-2/",
    )


@pytest.mark.parametrize(
    "spelled",
    [
        "HTTPS://WWW.SIMONPCOUCH.COM/blog/2025-07-17-claude-code-2/",  # case
        "https://www.simonpcouch.com./blog/2025-07-17-claude-code-2/#top",  # a trailing dot
        " https://www.simon\tpcouch.com/blog/2025-07-17-claude-code-2/?utm_source=x",  # a tab
        "https://www%2Esimonpcouch.com/blog/2025-07-17-claude-code-2/",  # an escape in the host
    ],
)
def test_a_link_that_is_a_mention_however_spelled_is_no_link(
    rstats: list[Post], spelled: str
) -> None:
    post = by_uri(rstats, "https://rstats.me/users/simonpcouch/statuses/114870142137562212")
    (link,) = post_links(post)
    assert normalise_url(spelled) == link
    mention = Mention(acct="simonpcouch@simonpcouch.com", url=spelled)
    assert post_links(replace(post, mentions=(mention, *post.mentions))) == ()


def test_a_mention_of_an_idn_or_ipv6_host_is_no_link() -> None:
    for href, mention_url in [
        ("https://xn--e1afmkfd.xn--p1ai/@a", "https://ПРИМЕР.рф/@a"),
        ("http://[2001:db8::1]/@a", "http://[2001:DB8:0::1]:80/@a"),
    ]:
        post = make_post(1, content=f'<p>see <a href="{href}">them</a></p>')
        assert post_links(post) == (normalise_url(href),)
        mentioned = replace(post, mentions=(Mention(acct="a", url=mention_url),))
        assert post_links(mentioned) == ()


def test_every_corpus_link_is_external_and_normal(hanna: list[Post], rstats: list[Post]) -> None:
    posts = hanna + rstats
    links = collect_links(posts, digest_url)
    assert len(links) > 50
    mention_urls = {normalise_url(m.url) for p in posts for m in p.mentions}
    media_urls = {normalise_url(m.url) for p in posts for m in p.media}
    for link in links:
        parts = urlsplit(link.url)
        assert parts.scheme in ("http", "https") and not parts.fragment
        assert normalise_url(link.url) == link.url
        assert link.url not in mention_urls and link.url not in media_urls
        assert not any(
            k.lower().startswith("utm_") or k.lower() in TRACKING_PARAMETERS
            for k, _ in parse_qsl(parts.query)
        )
        own_hosts = {urlsplit(s.uri).hostname for s in link.posts} | {"mastodon.social"}
        assert not (parts.hostname in own_hosts and parts.path.startswith("/tags/"))
        assert link.count == len(link.posts) >= 1
        assert link.first_seen <= link.last_seen
    assert sum(link.count for link in links) == sum(len(post_links(p)) for p in posts)
    assert len({link.url for link in links}) == len(links)


def test_card_titles_name_their_links(rstats: list[Post]) -> None:
    links = {link.url: link for link in collect_links(rstats, digest_url)}
    pr = links["https://github.com/cloudyr/aws.s3/pull/438"]
    assert pr.title == (
        "Deprecate Owner DisplayName field. by snystrom · Pull Request #438 · cloudyr/aws.s3"
    )
    assert pr.domain == "github.com"
    untitled = links["https://user2025.r-project.org/register"]
    assert untitled.title is None and untitled.label == "user2025.r-project.org/register"


def _shared(
    uri: str, when: str, html: str, tags: tuple[str, ...], card: Card | None = None
) -> Post:
    return from_status(
        {
            "uri": uri,
            "url": uri,
            "created_at": when,
            "content": html,
            "tags": [{"name": t} for t in tags],
            "card": card and {"url": card.url, "title": card.title, "provider_name": card.provider},
        },
        "https://mastodon.social",
        FETCHED,
    )


def test_one_link_shared_by_several_posts() -> None:
    a = _shared(
        "https://mastodon.social/users/a/statuses/1",
        "2024-07-22T08:30:05.000Z",
        '<p><a href="https://habr.com/ru/articles/829936/?utm_source=mastodon">habr</a></p>',
        ("LLM",),
        Card("https://habr.com/ru/articles/829936/", "Старое название", "", "Хабр"),
    )
    b = _shared(
        "https://fosstodon.org/users/b/statuses/2",
        "2024-12-27T09:41:12.000Z",
        '<p><a href="https://HABR.com/ru/articles/829936/#comments">x</a> '
        '<a href="https://example.org/other">y</a></p>',
        ("Машинное_обучение", "llm"),
        Card("https://habr.com/ru/articles/829936/", "Supervised Fine-Tuning", "", "Хабр"),
    )
    gone = replace(a, uri="https://mastodon.social/users/a/statuses/3").tombstone(FETCHED)
    links = collect_links([b, a, gone], digest_url)
    assert [link.url for link in links] == [  # both last seen in b: by URL
        "https://example.org/other",
        "https://habr.com/ru/articles/829936/",
    ]
    habr = next(link for link in links if link.domain == "habr.com")
    assert habr.count == 2
    assert [s.uri for s in habr.posts] == [a.uri, b.uri]  # oldest first
    assert (habr.first_seen, habr.last_seen) == (a.created_at, b.created_at)
    assert habr.tags == ("llm", "машинное_обучение")
    assert habr.title == "Supervised Fine-Tuning"  # the newest card wins
    assert habr.posts[0].digest_url == "days/2024-07-22/#1"
    assert habr.wayback == "https://web.archive.org/web/https://habr.com/ru/articles/829936/"
    other = next(link for link in links if link.domain == "example.org")
    assert other.title is None  # the card belongs to the habr link, and b shares two links


def test_a_card_title_loses_the_control_characters_html_and_xml_forbid() -> None:
    post = _shared(
        "https://mastodon.social/users/a/statuses/1",
        "2024-07-22T08:30:05.000Z",
        '<p><a href="https://habr.com/ru/articles/1/">habr</a></p>',
        ("LLM",),
        Card("https://habr.com/ru/articles/1/", "\x01Заголовок\x0b\x7f\ufffe\nвторая\x00", "", ""),
    )
    (link,) = collect_links([post], digest_url)
    assert link.title == "Заголовок\nвторая"
    no_title = replace(post, card=Card("https://habr.com/ru/articles/1/", "\x01\x02 ", "", ""))
    assert collect_links([no_title], digest_url)[0].title is None


def test_newest_links_first_and_groups() -> None:
    posts = [
        _shared(f"https://m.example/s/{i}", when, f'<p><a href="{url}">l</a></p>', ("t",))
        for i, (when, url) in enumerate(
            [
                ("2024-07-31T21:30:00.000Z", "https://b.example/1"),  # 1 August in Moscow
                ("2024-07-22T08:00:00.000Z", "https://www.a.example/1"),
                ("2024-12-27T09:00:00.000Z", "https://a.example/2"),
                ("2024-12-27T09:00:00.000Z", "https://b.example/0"),
            ]
        )
    ]
    links = collect_links(posts, digest_url)
    assert [link.url for link in links] == [
        "https://a.example/2",
        "https://b.example/0",  # same instant: by URL
        "https://b.example/1",
        "https://www.a.example/1",
    ]
    months = by_month(links, zone("Europe/Moscow"))
    assert [(g.key, [link.url for link in g.links]) for g in months] == [
        ("2024-12", ["https://a.example/2", "https://b.example/0"]),
        ("2024-08", ["https://b.example/1"]),
        ("2024-07", ["https://www.a.example/1"]),
    ]
    assert [g.key for g in by_month(links, dt.UTC)] == ["2024-12", "2024-07"]
    domains = by_domain(links)
    assert [(g.key, g.count) for g in domains] == [("a.example", 2), ("b.example", 2)]


@pytest.mark.parametrize("bad", ["https://[oops/x", "https://example.social:99999/@a/1"])
def test_a_post_url_no_parser_accepts_does_not_break_link_extraction(
    bad: str, hanna: list[Post]
) -> None:
    """An archive line edited by hand (or from an older version) must not crash a build."""
    post = replace(hanna[0], url=bad, uri=bad)
    assert post_links(post) == post_links(hanna[0])
