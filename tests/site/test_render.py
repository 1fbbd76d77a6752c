"""One post rendered with the theme's ``digest/post.html``: real statuses from the corpus."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import lxml.html
import mf2py
import pytest
from digest_support import corpus_statuses, post_template, status_by_uri_part, visible_text
from tag_digest.archive.records import Card, Media, Post, parse_time
from tag_digest.archive.statuses import from_status
from tag_digest.digest.strings import catalogue
from tag_digest.digest.urls import ROOT as ROOT_MARKER
from tag_digest.digest.urls import Urls, tag_page_path
from tag_digest.site.render import RenderContext, post_view, render_fragment, valid_lang

RSTATS = "rtoot/get_timeline_hashtag_anonymous.yml"
MAX_ID = "rtoot/handle_params_max_id.yml"
CW = "mastodon-py/test_status_post(Content_warning-public).yaml"
MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture(scope="module")
def template():  # type: ignore[no-untyped-def]
    return post_template()


def context(*tags: str, lang: str = "en") -> RenderContext:
    urls = Urls(relative=True, site_url="")
    return RenderContext(
        tz=MOSCOW, tag_hrefs={t: urls.rooted(tag_page_path(t)) for t in tags}, words=catalogue(lang)
    )


def post_from(name: str, part: str, server: str = "https://mastodon.social") -> Post:
    return from_status(status_by_uri_part(name, part), server, "2025-07-18T00:00:00.000Z")


def render(template, post: Post, ctx: RenderContext) -> lxml.html.HtmlElement:  # type: ignore[no-untyped-def]
    html = render_fragment(template, post, ctx)
    return lxml.html.fragment_fromstring(html)


def test_link_shown_without_scheme_cut_with_ellipsis(template) -> None:  # type: ignore[no-untyped-def]
    post = post_from(RSTATS, "simonpcouch")
    article = render(template, post, context())
    content = article.find_class("e-content")[0]
    assert "simonpcouch.com/blog/2025-07-1…" in visible_text(content)
    assert "https://www." not in visible_text(content)
    link = content.xpath('.//a[contains(@href, "claude-code-2")]')[0]
    assert link.get("href") == "https://www.simonpcouch.com/blog/2025-07-17-claude-code-2/"
    assert link.get("rel") == "nofollow noopener ugc"


def test_hashtags_link_to_our_page_when_configured_else_to_origin(template) -> None:  # type: ignore[no-untyped-def]
    post = post_from(RSTATS, "zkamvar")  # #AWS and #Rstats, from hachyderm.io
    ours = render(template, post, context("rstats"))
    hrefs = {a.text_content(): a.get("href") for a in ours.find_class("hashtag")}
    assert hrefs == {
        "#Rstats": ROOT_MARKER + "tags/rstats/index.html",
        "#AWS": "https://hachyderm.io/tags/AWS",
    }
    theirs = render(template, post, context())
    assert {a.get("href") for a in theirs.find_class("hashtag")} == {
        "https://hachyderm.io/tags/AWS",
        "https://hachyderm.io/tags/Rstats",
    }


def test_mentions_link_to_the_account_without_foreign_microformats(template) -> None:  # type: ignore[no-untyped-def]
    post = post_from(RSTATS, "zkamvar")
    article = render(template, post, context())
    mention = article.find_class("mention")[0]
    assert mention.get("href") == "https://genomic.social/@snystrom"
    assert mention.text_content() == "@snystrom"
    content = article.find_class("e-content")[0]
    assert not content.xpath('.//*[contains(@class, "h-card") or contains(@class, "u-url")]')


def test_author_and_link_to_the_original(template) -> None:  # type: ignore[no-untyped-def]
    local = post_from(RSTATS, "useR_conf")
    article = render(template, local, context())
    author = article.find_class("p-author")[0]
    assert author.get("href") == "https://mastodon.social/@useR_conf"
    assert author.find_class("p-name")[0].text == "useR! 2025 Conference"
    assert author.find_class("p-nickname")[0].text == "@useR_conf@mastodon.social"
    original = article.find_class("u-url")[0]
    assert original.get("href") == "https://mastodon.social/@useR_conf/114869631572884594"
    time = original.find(".//time")
    assert time.get("datetime") == "2025-07-17T16:57:57.865Z"
    assert time.text == "19:57"  # Europe/Moscow
    remote = render(template, post_from(RSTATS, "zkamvar"), context())
    assert remote.find_class("p-nickname")[0].text == "@zkamvar@hachyderm.io"


def test_custom_emoji_stay_shortcodes(template) -> None:  # type: ignore[no-untyped-def]
    post = post_from(RSTATS, "donnagen")
    assert post.emojis  # the status does carry a custom emoji
    article = render(template, post, context())
    assert article.find_class("p-name")[0].text == "Donnagen :hehehmuhar:"
    assert "sparks joy :maxheadroom:" in visible_text(article.find_class("e-content")[0])
    assert not article.xpath(".//img")


def test_content_warning_is_a_closed_details(template) -> None:  # type: ignore[no-untyped-def]
    for post in (
        post_from(CW, "117020586000687987", "http://localhost:3000"),
        post_from(MAX_ID, "LenaOetzel/statuses/114176839134109627"),
    ):
        article = render(template, post, context())
        details = article.find_class("cw")[0]
        assert details.tag == "details" and details.get("open") is None
        assert details.find("summary").text_content() == post.spoiler_text
        assert details.find_class("e-content"), "the text sits behind the warning"


def test_media_with_alt_text(template) -> None:  # type: ignore[no-untyped-def]
    post = post_from(RSTATS, "useR_conf")
    article = render(template, post, context())
    image = article.find_class("media")[0].find(".//img")
    assert image.get("alt") == post.media[0].description
    assert image.get("src") == post.media[0].preview_url
    assert image.getparent().get("href") == post.media[0].url
    undescribed = post_from(MAX_ID, "AKellerGEW/statuses/113780321148371675")
    images = render(template, undescribed, context()).xpath(".//img")
    assert len(images) == 3
    assert {i.get("alt") for i in images} == {catalogue("en")["no_description"]}


def test_sensitive_media_without_warning_is_folded(template) -> None:  # type: ignore[no-untyped-def]
    post = replace(post_from(RSTATS, "useR_conf"), sensitive=True)
    details = render(template, post, context()).find_class("cw")[0]
    assert details.xpath(".//img")
    assert details.find("summary").text == catalogue("en")["sensitive_media"]


def test_card_as_plain_text_and_never_its_html(template) -> None:  # type: ignore[no-untyped-def]
    status = status_by_uri_part(RSTATS, "zkamvar")
    status = {**status, "card": {**status["card"], "html": '<iframe src="https://evil.example/">'}}
    post = from_status(status, "https://mastodon.social", "2025-07-18T00:00:00.000Z")
    card = render(template, post, context()).find_class("card")[0]
    assert card.get("href") == "https://github.com/cloudyr/aws.s3/pull/438"
    assert card.find_class("card-title")[0].text == status["card"]["title"]
    assert card.find_class("card-text")[0].text == status["card"]["description"]
    assert card.find_class("card-provider")[0].text == "GitHub"
    assert "iframe" not in lxml.html.tostring(card, encoding="unicode")


def test_plain_text_fields_are_escaped(template) -> None:  # type: ignore[no-untyped-def]
    post = post_from(RSTATS, "useR_conf")
    evil = "<b>bold</b> & <i>"
    post = replace(
        post,
        spoiler_text=evil,
        account=replace(post.account, display_name=evil),
        card=Card("https://e.example/", evil, evil, evil),
        media=(Media("image", "https://e.example/a.png", "https://e.example/a.png", evil),),
    )
    html = render_fragment(template, post, context())
    assert "<b>" not in html and "<i>" not in html
    # warning, display name, card title, description and provider, alt text
    assert html.count("&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;") == 6


def test_microformats_of_one_post(template) -> None:  # type: ignore[no-untyped-def]
    post = post_from(RSTATS, "zkamvar")
    html = render_fragment(template, post, context("rstats")).replace(
        ROOT_MARKER, "https://d.example/"
    )
    items = mf2py.parse(doc=html, url="https://d.example/")["items"]
    assert len(items) == 1 and items[0]["type"] == ["h-entry"]
    props = items[0]["properties"]
    assert props["url"] == [post.url]
    assert [parse_time(v) for v in props["published"]] == [post.created.replace(microsecond=0)]
    assert sorted(props["category"]) == sorted(post.tags)
    author = props["author"][0]
    assert author["properties"]["name"] == ["Zhian N. Kamvar"]
    assert author["properties"]["url"] == ["https://hachyderm.io/@zkamvar"]
    assert "e-content" in html and props["content"][0]["html"]


def test_tags_missing_from_the_text_get_a_hashtag_bar(template) -> None:  # type: ignore[no-untyped-def]
    post = replace(post_from(RSTATS, "zkamvar"), tags=("aws", "rstats", "unwritten"))
    article = render(template, post, context("rstats"))
    bar = article.find_class("tagbar")[0]
    assert [a.text_content() for a in bar.iter("a")] == ["#unwritten"]
    assert bar.find("a").get("href") == "https://mastodon.social/tags/unwritten"


def test_a_hashtag_links_to_a_server_only_over_http(template) -> None:  # type: ignore[no-untyped-def]
    post = replace(post_from(RSTATS, "zkamvar"), tags=("aws", "rstats", "unwritten"))
    no_web = replace(post, server="javascript:alert(1)//")
    bar = render(template, no_web, context()).find_class("tagbar")[0]
    assert bar.xpath(".//a") == [] and bar.text_content() == "#unwritten"
    for server in ("data:text/html,x", "vbscript:x", "", "mastodon.social"):
        bar = render(template, replace(post, server=server), context()).find_class("tagbar")[0]
        assert bar.xpath(".//a/@href") == [], server


def test_post_language_and_time_zone() -> None:
    post = post_from(RSTATS, "useR_conf")
    assert post_view(post, context()).lang == "en"
    assert valid_lang("pt-BR") == "pt-BR"
    assert valid_lang('en" onload="x') is None and valid_lang("") is None
    late = replace(post, created_at="2024-12-27T23:30:00.000Z")
    view = post_view(late, context())
    assert view.local.date() == dt.date(2024, 12, 28) and view.time == "02:30"


def test_fingerprint_follows_what_changes_fragments() -> None:
    base = context("rstats")
    assert base.fingerprint == context("rstats").fingerprint
    assert base.fingerprint != context("rstats", "llm").fingerprint
    assert base.fingerprint != context("rstats", lang="ru").fingerprint
    assert base.fingerprint != replace(base, tz=ZoneInfo("UTC")).fingerprint


def test_tags_written_with_diacritics_are_not_repeated(template) -> None:  # type: ignore[no-untyped-def]
    # The server files #KünstlicheIntelligenz as "kunstlicheintelligenz": the text shows it already.
    post = post_from(MAX_ID, "laborjournal/statuses/114856169522394793")
    assert "kunstlicheintelligenz" in post.tags
    article = render(template, post, context("ichbinhanna"))
    assert not article.find_class("tagbar")
    hashtags = {a.text_content(): a.get("href") for a in article.find_class("hashtag")}
    assert hashtags["#IchBinHanna"] == ROOT_MARKER + "tags/ichbinhanna/index.html"
    assert hashtags["#KünstlicheIntelligenz"].startswith("https://mstdn.science/tags/")


def test_every_link_to_elsewhere_is_nofollow_noopener_ugc(template) -> None:  # type: ignore[no-untyped-def]
    # The author's page, the original post, media, cards, the hashtag bar: all from the network.
    posts = [
        from_status(s, "https://mastodon.social", "2025-07-18T00:00:00.000Z")
        for name in (RSTATS, MAX_ID)
        for s in corpus_statuses(name)
    ]
    assert len(posts) > 100
    checked = 0
    for post in posts:
        post = replace(post, tags=(*post.tags, "unwritten"))  # a hashtag bar on every post
        for link in render(template, post, context("rstats")).iter("a"):
            if link.get("href", "").startswith(ROOT_MARKER):
                continue  # our own tag page
            assert {"nofollow", "noopener", "ugc"} <= set((link.get("rel") or "").split()), (
                post.uri,
                lxml.html.tostring(link, encoding="unicode"),
            )
            checked += 1
    assert checked > 500
