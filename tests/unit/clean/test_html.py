"""HTML extraction: main text without furniture, metadata from JSON-LD/meta/bylines, decoding, safety."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime

import pytest
from newsflow.clean.html import decode_html, extract_html

PARAGRAPHS = [
    "The harbour council of Port Wenlow voted on Tuesday to rebuild the old stone pier, ending a dispute "
    "that has divided the fishing town for almost a decade and delayed repairs to the sea wall.",
    "Councillor Edith Marrow said the vote was “a promise kept to every family that still fishes from "
    "this harbour”, adding that work on the foundations would begin before the winter storms arrive.",
    "Engineers estimate the project will take two years. The first phase replaces the timber decking, "
    "while the second strengthens the granite blocks that were damaged during the flood three years ago.",
    "Local traders welcomed the decision, although some warned that the closure of the quay during "
    "construction would hurt the summer market that draws visitors from across the northern coast.",
]


def page(head: str = "", body_top: str = "", body_bottom: str = "", lang: str = "en",
         paragraphs: list[str] | None = None) -> str:
    paras = "".join(f"<p>{p}</p>" for p in (PARAGRAPHS if paragraphs is None else paragraphs))
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{head}</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>Port Wenlow votes to rebuild its old stone pier</h1>{body_top}
{paras}{body_bottom}</article></main>
<footer><p>© 2025 The Wenlow Gazette. All rights reserved. Contact us | Privacy policy</p></footer>
</body></html>"""


def jsonld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def test_body_is_article_text_with_paragraphs() -> None:
    result = extract_html(page(), url="https://gazette.example/news/pier")
    assert result["is_article"] is True
    assert result["not_article_reason"] is None
    paragraphs = result["body"].split("\n\n")
    assert paragraphs[0].startswith("The harbour council")
    assert len(paragraphs) == 4
    assert "Privacy policy" not in result["body"]
    assert "Sport" not in result["body"]


def test_jsonld_graph_with_nested_authors() -> None:
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "The Wenlow Gazette"},
        {"@type": ["NewsArticle"], "headline": "Port Wenlow votes to rebuild its old stone pier",
         "datePublished": "2025-03-14T09:30:00+01:00", "dateModified": "2025-03-14T12:00:00Z",
         "author": [{"@type": "Person", "name": "Maria Gonzalez"},
                    {"@type": "Person", "name": "Tom O'Brien"},
                    {"@type": "Organization", "name": "The Wenlow Gazette"}],
         "publisher": {"@type": "NewsMediaOrganization", "name": "The Wenlow Gazette"},
         "articleSection": ["Local news"], "inLanguage": "en-GB"},
    ]}
    result = extract_html(page(head=jsonld(graph)), url="https://gazette.example/news/pier")
    assert result["authors"] == ["Maria Gonzalez", "Tom O'Brien"]
    assert result["published_at"] == datetime(2025, 3, 14, 8, 30, tzinfo=UTC)
    assert result["published_at_source"] == "jsonld"
    assert result["published_at_raw"] == "2025-03-14T09:30:00+01:00"
    assert result["modified_at"] == datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
    assert result["source"] == "The Wenlow Gazette"
    assert result["section"] == "Local news"
    assert result["title"] == "Port Wenlow votes to rebuild its old stone pier"


def test_jsonld_top_level_list_and_string_author() -> None:
    data = [{"@type": "BreadcrumbList"},
            {"@type": "ReportageNewsArticle", "headline": "Pier vote", "datePublished": "2024-12-03",
             "author": {"@type": "Person", "name": "By Ada Stone, Staff Writer"}}]
    result = extract_html(page(head=jsonld(data)))
    assert result["authors"] == ["Ada Stone"]
    assert result["published_at"] == datetime(2024, 12, 3, tzinfo=UTC)


def test_meta_only_page() -> None:
    head = """<title>Port Wenlow votes to rebuild its old stone pier | Local | The Wenlow Gazette</title>
    <meta property="og:site_name" content="The Wenlow Gazette">
    <meta property="og:type" content="article">
    <meta property="article:published_time" content="2025-03-14T09:30:00-05:00">
    <meta property="article:modified_time" content="2025-03-15T10:00:00Z">
    <meta property="article:section" content="Local">
    <meta name="author" content="Lorenzo Tondo">
    <meta property="og:url" content="https://gazette.example/news/pier">"""
    result = extract_html(page(head=head), url="https://gazette.example/news/pier?utm=x")
    assert result["title"] == "Port Wenlow votes to rebuild its old stone pier"
    assert result["source"] == "The Wenlow Gazette"
    assert result["published_at"] == datetime(2025, 3, 14, 14, 30, tzinfo=UTC)
    assert result["published_at_source"] == "meta"
    assert result["modified_at"] == datetime(2025, 3, 15, 10, 0, tzinfo=UTC)
    assert result["section"] == "Local"
    assert result["authors"] == ["Lorenzo Tondo"]
    assert result["url"] == "https://gazette.example/news/pier"
    assert result["language_hint"] == "en"


def test_metadata_escaped_twice_is_unescaped() -> None:
    # WordPress escapes og:title twice and JSON-LD once; the parsed values keep the references
    head = ("<meta property=\"og:title\" content=\"Port Wenlow&amp;#8217;s pier &amp;#8216;will be rebuilt&amp;#8217;\">"
            + jsonld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "Ana&#160;Ruiz"},
                      "articleSection": "Local &amp; Region"}))
    result = extract_html(page(head=head))
    assert result["title"] == "Port Wenlow\u2019s pier \u2018will be rebuilt\u2019"
    assert result["authors"] == ["Ana Ruiz"]
    assert result["section"] == "Local & Region"


def test_title_suffix_and_canonical() -> None:
    head = """<title>Port Wenlow votes to rebuild its old stone pier - Springfield Courier</title>
    <link rel="canonical" href="/news/2025/03/14/pier">"""
    result = extract_html(page(head=head), url="https://courier.example/amp/pier")
    assert result["title"] == "Port Wenlow votes to rebuild its old stone pier"
    assert result["url"] == "https://courier.example/news/2025/03/14/pier"
    assert result["published_at"] == datetime(2025, 3, 14, tzinfo=UTC)
    assert result["published_at_source"] == "url"


def test_visible_byline_and_time_element() -> None:
    top = ('<p class="byline">By Angela Giuffrida in Rome and Lorenzo Tondo in Bologna</p>'
           '<time datetime="2025-03-13T17:30:00-05:00">March 13, 2025</time>')
    related = ('<aside class="related"><time datetime="2020-01-01T00:00:00Z">old</time>'
               '<a href="/x">An older story about the pier that nobody should read today</a></aside>')
    result = extract_html(page(body_top=top, body_bottom=related))
    assert result["authors"] == ["Angela Giuffrida", "Lorenzo Tondo"]
    assert result["published_at"] == datetime(2025, 3, 13, 22, 30, tzinfo=UTC)
    assert result["published_at_source"] == "time"
    assert "Angela Giuffrida" not in result["body"]
    assert result["related_headlines"] == ["An older story about the pier that nobody should read today"]


def test_byline_date_used_when_no_metadata() -> None:
    top = '<div class="article-byline">By Ada Stone | Published March 13, 2025 at 5:30 p.m. EST</div>'
    result = extract_html(page(body_top=top))
    assert result["published_at"] == datetime(2025, 3, 13, 22, 30, tzinfo=UTC)
    assert result["published_at_raw"] == "March 13, 2025 at 5:30 p.m. EST"
    assert result["published_at_source"] == "byline"
    assert result["authors"] == ["Ada Stone"]


def test_captions_never_in_body() -> None:
    figure = ('<figure><img src="pier.jpg" alt=""><figcaption>The old stone pier at low tide on Monday. '
              'Photograph: Ada Stone/Wenlow Gazette</figcaption></figure>'
              '<p class="photo-credit">Photo: Harbour Trust archive</p>')
    paras = [*PARAGRAPHS[:2], figure, *PARAGRAPHS[2:]]
    result = extract_html(page(paragraphs=paras).replace("<p><figure>", "<figure>")
                          .replace("</figure></p>", "</figure>"))
    assert "The old stone pier at low tide on Monday. Photograph: Ada Stone/Wenlow Gazette" in \
        result["image_captions"]
    assert "low tide" not in result["body"]
    assert "Harbour Trust archive" not in result["body"]
    assert "Engineers estimate" in result["body"]


def test_furniture_lines_removed() -> None:
    extra = ("<p>Share this article</p><p>Advertisement</p>"
             "<p>Sign up to the Morning Tide newsletter</p>")
    paras = [PARAGRAPHS[0], extra, *PARAGRAPHS[1:]]
    result = extract_html(page(paragraphs=paras))
    body = result["body"]
    assert "Share this article" not in body
    assert "Advertisement" not in body
    assert "Morning Tide newsletter" not in body
    assert "Councillor Edith Marrow" in body


def test_cp1252_bytes_declared_latin1() -> None:
    html = page(paragraphs=[p.replace("harbour", "café harbour") for p in PARAGRAPHS]).replace(
        '<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">')
    result = extract_html(html.encode("cp1252"))
    assert "café harbour" in result["body"]
    assert "“a promise kept" in result["body"]  # 0x93 is a curly quote in cp1252, a control in Latin-1


def test_undeclared_cp1252_bytes_detected() -> None:
    text = "Le café du port a rouvert ses portes après les travaux, à la grande joie des pêcheurs."
    html = page(paragraphs=[text * 3, *PARAGRAPHS]).replace('<meta charset="utf-8">', "")
    assert "café du port" in decode_html(html.encode("cp1252"))


def test_utf8_bom_and_entities() -> None:
    html = page(paragraphs=[*PARAGRAPHS[:3], "Caf&eacute; owners &amp; traders said &ldquo;finally&rdquo; "
                            "as the vote passed by twelve votes to three in the packed town hall meeting."])
    result = extract_html(b"\xef\xbb\xbf" + html.encode("utf-8"))
    assert "Café owners & traders said “finally”" in result["body"]
    utf16 = extract_html(html.encode("utf-16"))
    assert "Café owners" in utf16["body"]


def test_non_latin_language_is_article() -> None:
    text = ["港の古い石の桟橋を再建することが火曜日の議会で決まり、十年近く続いた論争に終止符が打たれた。" * 2] * 3
    result = extract_html(page(paragraphs=text, lang="ja"))
    assert result["is_article"] is True
    assert result["language_hint"] == "ja"


def test_never_touches_network_or_files(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    html = ('<?xml version="1.0"?><!DOCTYPE html SYSTEM "http://dtd.invalid/evil.dtd" '
            '[<!ENTITY leak SYSTEM "file:///etc/passwd"><!ENTITY remote SYSTEM "http://dtd.invalid/x">]>'
            + page(paragraphs=[*PARAGRAPHS, "Entity here: &leak; and &remote; end."]).split("\n", 1)[1])
    result = extract_html(html.encode("utf-8"))
    assert "root:" not in result["body"]
    assert "The harbour council" in result["body"]


@pytest.mark.parametrize("garbage", [b"", b"\x00\xff\xfe\x00" * 100, bytes(range(256)) * 20, "   ", "<<<>>>",
                                     b"\x1f\x8b\x08\x00garbage", "<html><body></body></html>"])
def test_garbage_never_raises(garbage: bytes | str) -> None:
    result = extract_html(garbage)
    assert result["is_article"] is False
    assert result["not_article_reason"]
    assert result["body"] == "" or isinstance(result["body"], str)


def test_paywall_stub() -> None:
    stub = page(paragraphs=[PARAGRAPHS[0], "Subscribe to read the full story. Already a subscriber? Log in."])
    result = extract_html(stub)
    assert result["is_article"] is False
    assert result["not_article_reason"] == "paywall stub"


def test_error_page() -> None:
    html = ("<html><head><title>404 - Page not found | The Wenlow Gazette</title></head><body>"
            "<h1>Page not found</h1><p>Sorry, we couldn't find that page.</p></body></html>")
    result = extract_html(html)
    assert result["is_article"] is False
    assert result["not_article_reason"] == "error page"


def test_index_page() -> None:
    links = "".join(f'<li><a href="/news/{i}">Headline number {i} about the harbour</a></li>' for i in range(40))
    html = (f'<html><head><title>Local news | The Wenlow Gazette</title>'
            f'<meta property="og:type" content="website"></head><body><h1>Local news</h1><ul>{links}</ul>'
            f"</body></html>")
    result = extract_html(html)
    assert result["is_article"] is False
    assert result["not_article_reason"] in {"index page", "no main text"}


def test_section_front_without_article_markup_is_not_an_article() -> None:
    cards = "".join(
        f'<li class="card"><a href="/world/story-{i}"><h3>Regional story number {i} makes the front page today</h3>'
        f'</a><p class="teaser">Short teaser {i}</p></li>' for i in range(12))
    html = f"""<html><head><title>World news | The Ledger</title><meta property="og:type" content="website">
    </head><body><main><h1>World news</h1><ul class="cards">{cards}</ul></main></body></html>"""
    result = extract_html(html, url="https://ledger.example/world")
    assert result["is_article"] is False
    assert result["not_article_reason"] == "index page"


def test_article_with_many_related_links_stays_an_article() -> None:
    related = "".join(f'<li><a href="/s/{i}">Another story headline about the harbour number {i}</a></li>'
                      for i in range(20))
    result = extract_html(page(body_bottom=f'<aside class="related"><ul>{related}</ul></aside>'),
                          url="https://gazette.example/news/pier")
    assert result["is_article"] is True


def test_short_post_on_a_link_heavy_page_stays_an_article() -> None:
    """A 45-word brief amid 60 menu and archive links is an article: its text is not link text."""
    menu = "".join(f'<li><a href="/archive/{i}">Archive {2000 + i}</a></li>' for i in range(60))
    brief = ("The ferry to Little Wenlow will not run on Saturday because of the storm warning, the harbour "
             "office said on Friday. Passengers with tickets can travel on Sunday or ask for a refund at "
             "the quay kiosk, which opens at eight in the morning.")
    html = (f'<html><head><title>Ferry cancelled | Wenlow Notes</title><meta property="og:type" content="article">'
            f'</head><body><div class="sidebar"><ul>{menu}</ul></div><div class="post"><h1>Ferry cancelled</h1>'
            f"<p>{brief}</p></div></body></html>")
    result = extract_html(html, url="https://notes.example/2025/03/ferry")
    assert result["is_article"] is True, result["not_article_reason"]
    assert "quay kiosk" in result["body"]


def test_hidden_hover_card_inside_paragraph_is_dropped() -> None:
    card = ('<span class="rollover-people-block" style="display:none"><a href="/p/1">Edith Marrow profile</a>'
            '<a href="/s/9">Marrow backs new ferry timetable in heated council debate</a></span>')
    paragraphs = [PARAGRAPHS[0], PARAGRAPHS[1].replace("Edith Marrow", f"Edith Marrow{card}"), *PARAGRAPHS[2:]]
    result = extract_html(page(paragraphs=paragraphs), url="https://gazette.example/news/pier")
    assert "ferry timetable" not in result["body"]
    assert "Councillor Edith Marrow said the vote" in result["body"]
    assert "before the winter storms arrive" in result["body"]


def test_quoted_tweet_is_kept_in_body() -> None:
    tweet = ('<div class="social-media-embed"><blockquote class="twitter-tweet"><p lang="en">The pier vote is '
             'the best news this harbour has had in years, and the fishing families deserve it</p>'
             '— Harbour Watch (@harbourwatch) March 3, 2025</blockquote></div>')
    paragraphs = [PARAGRAPHS[0], PARAGRAPHS[1], tweet, *PARAGRAPHS[2:]]
    result = extract_html(page(paragraphs=paragraphs), url="https://gazette.example/news/pier")
    assert "best news this harbour has had in years" in result["body"]


def test_title_prefers_headline_over_social_variant_and_truncation() -> None:
    social = page(head='<title>Port Wenlow votes to rebuild its old stone pier — Wenlow Gazette</title>'
                       '<meta name="twitter:title" content="Pier vote: a promise kept">')
    assert extract_html(social)["title"] == "Port Wenlow votes to rebuild its old stone pier"
    cut = page(head='<meta property="og:title" content="Port Wenlow votes to rebuild">')
    assert extract_html(cut)["title"] == "Port Wenlow votes to rebuild its old stone pier"


def blog_post(title: str, blog_heading: str = "Harbour Notes", post_heading: str = "") -> str:
    paras = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>
<header><h1>{blog_heading}</h1><p>Notes from a small port town</p></header>
<main><article><h2>{post_heading}</h2>{paras}</article></main></body></html>"""


@pytest.mark.parametrize("title", [
    "Harbour Notes » Blog Archive » The ferry timetable changes again in spring",
    "The ferry timetable changes again in spring : Harbour Notes | Notes from a small port town",
    "Archive - Posts - The ferry timetable changes again in spring",
])
def test_title_keeps_the_part_of_a_labelled_title_the_page_shows_as_its_heading(title: str) -> None:
    # Which end of a <title> holds the blog's name differs by theme; the post's own heading tells.
    html = blog_post(title, post_heading="The ferry timetable changes again in spring")
    assert extract_html(html)["title"] == "The ferry timetable changes again in spring"


def test_title_parts_stay_whole_when_no_heading_or_only_the_site_name_matches() -> None:
    # A French headline puts a space before its colon: without a heading showing a cut it stays whole.
    french = "Retraites : le gouvernement recule sur la réforme des pensions"
    assert extract_html(blog_post(french, post_heading=french))["title"] == french
    # The blog's name is a heading too, but the longer part beside it is the post's title.
    shown_name = blog_post("Harbour Notes » Ferry timetable changes again", post_heading="Spring at the quay")
    assert extract_html(shown_name)["title"] == "Harbour Notes » Ferry timetable changes again"


def test_source_and_section_from_page_when_metadata_lacks_them() -> None:
    html = page(head="<title>Port Wenlow votes to rebuild its old stone pier | Wenlow Gazette</title>",
                body_top='<div class="kicker"><a href="/news">Coast</a></div>')
    result = extract_html(html)
    assert result["source"] == "Wenlow Gazette"
    assert result["section"] == "Coast"
    logo = page(body_top='<div class="kicker"><a href="/news">Coast</a></div>').replace(
        '<header><nav>', '<header><a class="logo" href="/">The Wenlow Gazette</a><nav>')
    assert extract_html(logo)["source"] == "The Wenlow Gazette"


# ---------------------------------------------------------------------------------------------
# Speed paths: each must give exactly what the plain computation gives.
# ---------------------------------------------------------------------------------------------

FURNISHED = page(
    head='<title>Pier | Gazette</title><link rel="stylesheet" href="/s.css"><style>p { color: red }</style>'
         + jsonld({"@type": "DiscussionForumPosting", "headline": "x"}),
    body_top='<script>var tracking = "subscribe to continue";</script>after script '
             '<nav class="share"><a href="/share">Share</a></nav>between <svg><path d="M0"/></svg>'
             '<time datetime="2025-03-14">14 March</time> tail of time',
    body_bottom='<aside><h1>Boxed headline</h1><nav><a href="/x">More</a></nav><p>Kept aside text.</p></aside>'
                '<noscript><p>Enable JavaScript</p></noscript><footer>Bottom <button>Go</button></footer>after footer')


def test_set_aside_detaches_cleaned_elements_and_restores_the_tree_exactly() -> None:
    from lxml import etree
    from newsflow.clean.html import _CLEANED_TAGS, _outermost, _parse, _SetAside

    tree = _parse(FURNISHED)
    before = etree.tostring(tree, encoding="unicode")
    with _SetAside(_outermost(tree, _CLEANED_TAGS)):
        during = etree.tostring(tree, encoding="unicode")
        head_tags = [node.tag for node in tree.find("head")]
        body_text = tree.find("body").text_content()
    assert etree.tostring(tree, encoding="unicode") == before
    # The head keeps only the ld+json script trafilatura reads to recognise forum threads.
    assert head_tags == ["script"] and "DiscussionForumPosting" in during
    assert "tracking" not in during and "<svg" not in during and "<time" not in during
    # Tails stay in the page, where trafilatura's own deletion would leave them.
    for tail in ("after script", "between", "tail of time", "after footer"):
        assert tail in body_text
    assert "Bottom" not in body_text and "Enable JavaScript" not in body_text
    # A box holding an <h1> stays (trafilatura asks whether a container holds one); its children may go.
    assert "Boxed headline" in during and "Kept aside text." in during and 'href="/x"' not in during


def test_set_aside_changes_no_extraction() -> None:
    from newsflow.clean.html import _CLEANED_TAGS, _outermost, _parse, _run_trafilatura, _SetAside

    tree = _parse(FURNISHED)
    for fast in (True, False):
        plain = _run_trafilatura(tree, "https://gazette.example/pier", fast=fast)
        with _SetAside(_outermost(tree, _CLEANED_TAGS)):
            aside = _run_trafilatura(tree, "https://gazette.example/pier", fast=fast)
        assert aside == plain
        assert PARAGRAPHS[0] in plain


def test_parser_gives_html_elements_and_drops_invalid_characters() -> None:
    from lxml.html import HtmlElement
    from newsflow.clean.html import _parse

    tree = _parse("<html><body><form><input name=q><label>Find\x0c it</label></form>"
                  "<p>Bell\x07 and \ufffe noise</p></body></html>")
    assert all(isinstance(node, HtmlElement) for node in tree.iter())
    assert tree.find(".//label").text == "Find it"
    assert tree.find(".//p").text == "Bell and  noise"


@pytest.mark.parametrize("label", ["Byline author-name", "BYLINE", "ſtory-byline", "Photo-Credit", "related-STORIES"])
def test_attribute_scan_matches_case_insensitively_ascii_or_not(label: str) -> None:
    import re

    from newsflow.clean.html import _MARK_I, _parse, _scan

    tree = _parse(f'<html><body><div class="{label}"><span id="Most-Read">Jane Doe</span></div>'
                  f'<p class="x" style="DISPLAY: NONE">hidden</p><p class="{label}">k</p></body></html>')
    found = _scan(tree)
    kinds = {"bylines": 1, "captions": 2, "related": 3}
    for name, kind in kinds.items():
        expected = [node for node in tree.iter()
                    if (m := _MARK_I.search(f"{node.get('class') or ''} {node.get('id') or ''}"))
                    and m.lastindex == kind and (kind < 3 or node.tag in {"div", "ul", "ol", "section", "aside", "nav"})]
        assert getattr(found, name) == expected, name
    assert [node.text for node in found.hidden] == ["hidden"]
    assert bool(re.search("[^\x00-\x7f]", label)) == (found.ascii_blob is None)


def test_kicker_from_scanned_labels_matches_a_full_walk() -> None:
    from newsflow.clean.html import _KICKER, _kicker, _parse, _scan, _text

    html = ('<html><body><div class="Top-Nav"><a href="/">Home</a></div>'
            '<ol class="c-Breadcrumb"><li><a href="/">Home</a></li><li><a href="/w">World</a></li>'
            '<li><a href="/w/eu">Europe</a></li></ol><span id="story_section">Politics</span></body></html>')
    for markup in (html, html.replace("Top-Nav", "Tōp-Nav")):  # ASCII labels, then the fallback walk
        tree = _parse(markup)
        assert _kicker(tree, _scan(tree)) == "Europe"
    tree = _parse(html)
    first = next(node for node in tree.iter("div", "p", "span", "nav", "ol", "ul", "a")
                 if _KICKER.search(f"{node.get('class') or ''} {node.get('id') or ''}"))
    assert _text(first).startswith("Home")


@pytest.mark.parametrize("text", ["", "word " * 249, "word " * 250, "a" * 5000 + " b", "日本語の記事" * 100,
                                  " ".join(["x"] * 2999), "tail-cut " * 400])
def test_size_at_least_agrees_with_a_full_count(text: str) -> None:
    from newsflow.clean.html import _size, _size_at_least

    for minimum in (120, 150, 250):
        assert _size_at_least(text, minimum) == (_size(text) >= minimum)


LEAD = ("The town's fishermen have waited ten years for this decision. Now the council has found the money, "
        "and the builders could start before the first winter storm reaches the northern coast.")


def lead_page(lead_html: str, description: str = LEAD[:120] + " …", first: str = PARAGRAPHS[0]) -> str:
    """A page whose lead sits with the headline, outside the article box the extractor takes."""
    paras = "".join(f"<p>{p}</p>" for p in [first, *PARAGRAPHS[1:]])
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="description" content="{description}"><title>Pier vote | Wenlow Gazette</title></head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<div class="page-top"><h1>Port Wenlow votes to rebuild its old stone pier</h1>{lead_html}</div>
<main><article><div class="article-body">{paras}</div></article></main>
<footer><p>© 2025 The Wenlow Gazette. All rights reserved.</p></footer></body></html>"""


def test_lead_paragraph_the_description_repeats_opens_the_body() -> None:
    result = extract_html(lead_page(f'<div class="teaser-text"><p>{LEAD}</p></div>'),
                          url="https://gazette.example/news/pier")
    paragraphs = result["body"].split("\n\n")
    assert result["lead"] == LEAD  # the element's whole text, not the description cut at 120 characters
    assert paragraphs[0] == LEAD
    assert paragraphs[1].startswith("The harbour council")
    assert len(paragraphs) == 5


def test_deck_under_the_headline_and_invisible_description_stay_out() -> None:
    for lead_html in (f'<h2 class="article-subheadline">{LEAD}</h2>',  # a deck belongs to the headline
                      f'<p class="standfirst-sub">{LEAD}</p>',
                      ""):  # only in the <head>: search-engine text, not the page's
        result = extract_html(lead_page(lead_html), url="https://gazette.example/news/pier")
        assert result["lead"] is None
        assert result["body"].startswith("The harbour council")
        assert "fishermen have waited" not in result["body"]


def test_description_of_a_slogan_is_no_lead() -> None:
    result = extract_html(lead_page('<p class="claim">News from the northern coast.</p>',
                                    description="News from the northern coast."),
                          url="https://gazette.example/news/pier")
    assert result["lead"] is None
    assert "northern coast." not in result["body"].split("\n\n")[0]


def test_site_blurb_in_the_footer_is_no_lead() -> None:
    """A site-wide description that the footer prints is about the site, not the story."""
    blurb = ("The Wenlow Gazette has covered the harbour, the council and the northern coast since 1884, "
             "independent and reader-funded.")
    html = lead_page("", description=blurb).replace(
        "<footer><p>", f'<footer><p class="about">{blurb}</p><p>')
    result = extract_html(html, url="https://gazette.example/news/pier")
    assert blurb in html and result["lead"] is None
    assert "since 1884" not in result["body"]


def test_caption_that_repeats_the_description_is_no_lead() -> None:
    result = extract_html(lead_page(f'<figure><img src="pier.jpg"><figcaption>{LEAD}</figcaption></figure>'),
                          url="https://gazette.example/news/pier")
    assert result["lead"] is None
    assert LEAD in result["image_captions"]
    assert result["body"].startswith("The harbour council")


def test_a_credited_caption_in_a_plain_paragraph_is_a_caption_not_body() -> None:
    """Captions outside ``<figcaption>`` ("Chloe Kim will es wissen. © AFP / KIRILL KUDRYAVTSEV", "Foto: Michael
    Bönte") are plain paragraphs to the extractor; their photo credit says what they are. A long paragraph that
    ends with its agency's mark stays story."""
    caption = "The old stone pier at low tide on Monday. © Wenlow Gazette / Ada Stone"
    credit = "Foto: Harbour Trust"
    story = PARAGRAPHS[2] + " The work will be paid for from the harbour fund. (dpa)"
    result = extract_html(page(paragraphs=[PARAGRAPHS[0], caption, PARAGRAPHS[1], credit, story, PARAGRAPHS[3]]))
    assert caption not in result["body"] and credit not in result["body"]
    assert caption in result["image_captions"] and credit in result["image_captions"]
    assert story in result["body"] and PARAGRAPHS[1] in result["body"]


def test_link_boxes_leave_the_body_while_boxed_story_text_stays() -> None:
    """trafilatura's default mode keeps a teaser that is one link, a short box around a link and a linked
    related headline; they are set aside before it runs. Its precision mode, which deletes those, also deletes
    a bordered fact box and a box classed 'bottom' that hold the story's own paragraphs: these must stay."""
    import trafilatura

    teaser = "Harbour festival returns to Wenlow with tall ships and a night market"
    related = "Key moments from the council's pier debate"
    fact_box = ("The pier was first built in 1868 from granite quarried at Carn Edra, and it was last "
                "rebuilt after the storm of 1953 swept away its seaward end.")
    closing = ("Applications for stalls at the summer market during the works open on 1 April, the "
               "harbour master said, and traders displaced by the closure will be offered space first.")
    body = [PARAGRAPHS[0], PARAGRAPHS[1]]
    html = page(
        paragraphs=body,
        body_top="",
        body_bottom=(f'<p><a href="/news/festival">{teaser}</a></p>'
                     f'<div style="border: 1px solid #ccc"><p>{fact_box}</p></div>'
                     f'<div class="promo"><span>More:</span> <a href="/sport">Wenlow win the derby</a></div>'
                     f'<h3><a href="/news/debate">{related}</a></h3>'
                     f'<div class="article-bottom"><p>{closing}</p></div>'),
    )
    result = extract_html(html, url="https://gazette.example/news/pier")
    assert fact_box in result["body"] and closing in result["body"]
    assert teaser not in result["body"] and related not in result["body"] and "derby" not in result["body"]
    precise = trafilatura.extract(html, favor_precision=True) or ""
    assert fact_box not in precise and closing not in precise  # what the default mode is chosen for


def test_deck_in_the_article_header_is_not_body() -> None:
    """A deck (standfirst) or timestamp in the article's <header>, next to the headline, opens the
    extracted text; the article body leaves it out. A header that wraps the whole story is no deck."""
    deck = "The council's vote ends a decade of dispute over who pays for the harbour's repairs."
    stamp = "UPDATED: Tue., Mar. 14, 2025"
    paras = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    html = ("<html><head><title>Pier vote</title></head><body><main><article>"
            f'<header><h1>Port Wenlow votes to rebuild its old stone pier</h1><p class="standfirst">{deck}</p>'
            f"<p>{stamp}</p></header>{paras}</article></main></body></html>")
    result = extract_html(html, url="https://gazette.example/news/pier")
    assert deck not in result["body"] and stamp not in result["body"]
    assert result["body"].startswith(PARAGRAPHS[0])
    wrapped = html.replace("</header>", "").replace("</article>", "</header></article>")
    assert extract_html(wrapped, url="https://gazette.example/news/pier")["body"].startswith(deck)
