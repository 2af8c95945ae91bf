"""Furniture has one home: both cleaners drop what ``is_furniture_line`` names, and the gate catches it."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from newsflow import parse_article
from newsflow.clean import furniture
from newsflow.clean.furniture import BODY_FURNITURE_PATTERNS, body_furniture, is_furniture_line

PROSE = ("The harbour authority reopened the northern channel on Tuesday after divers cleared the wreck.",
         "Shipping companies said the closure had cost them two days of sailings and several late cargoes.")
#: Furniture lines as scrapes and pages show them (one per family, several languages).
FURNITURE = [
    "Follow us on WhatsApp for breaking news", "Sign up for our daily newsletter", "Share this article",
    "Advertisement", "12 comments", "Read more: How the port plans to expand", "Skip to main content",
    "We use cookies to improve your experience.", "© 2024 The Harbour Times. All rights reserved.",
    "Sign up", "Log in", "Trending", "You may also like", "Photo: Getty Images", "3 min read",
    "Get the briefing in your inbox: subscribe to our newsletter", "Artikel teilen", "Suivez-nous sur Facebook",
    "Publicidad", "Tutti i diritti riservati", "Teilen | Drucken | Kommentieren",
    "Zurück zur Übersicht", "« Zurück", "Back to overview", "Retour à la liste", "Volver al inicio",
    "You may also like...", "This slideshow requires JavaScript.",
    "Click to share on Facebook (Opens in new window) Click to share on X (Opens in new window)",
    "Updated Nov 19, 6:55 AM; Posted Nov 19, 6:51 AM", "Posted 19 November 2024 at 14:05 GMT",
    # Calls to action and notices to the reader (is_call_to_action), as sites in several languages print them.
    "You must be logged in to post a comment.", "Sie sind aktuell nicht eingeloggt.",
    "To view the full story, please subscribe to The Harbour Times. Choose an annual or a weekly pass.",
    "Zum Newsletter anmelden", "Never miss the latest news by signing up to our newsletter today!",
    "For the latest stories and breaking news updates download the Harbour Times apps for iOS and Android.",
    "¡Mira lo que tiene nuestro canal de YouTube!", "Harbour Times Would Like To Send You Push Notifications.",
    "*Werbung. Dieser Beitrag enthält Werbung für Hafenmode.", "Pour lire la suite",
    "We may receive compensation when you click on links to those products.", "Lesezeit: 4 Minuten",
    "Submit a letter to the editor or write to letters@harbourtimes.example.", "RSS-Feed abonnieren",
    "Keine Kommentare (Kommentare erscheinen erst nach unserer Freigabe)", "%d Bloggern gefällt das:",
    "HAZTE MIEMBRO Y DISFRUTA DE BENEFICIOS EXCLUSIVOS", "Lesen Sie hier: Streit um den neuen Kai geht weiter",
]
#: Whole-line rules as the cleaners apply them; each one's lines must be flagged by the gate.
LINE_RULES = {"PROMO_LINE": furniture.PROMO_LINE, "PROMO_LINE_I18N": furniture.PROMO_LINE_I18N,
              "SHORT_FURNITURE_LINE": furniture.SHORT_FURNITURE_LINE}
#: Latin text as pages carry it: letters with accents, digits, punctuation, one kind of space.
LATIN = st.characters(codec="latin-1", exclude_categories=("Cc", "Zs"), include_characters=" ")


def in_body(line: str) -> str:
    return f"{PROSE[0]}\n\n{line}\n\n{PROSE[1]}"


@pytest.mark.parametrize("line", FURNITURE)
def test_each_furniture_line_is_dropped_by_the_rule_and_flagged_by_the_gate(line: str) -> None:
    assert is_furniture_line(line)
    assert body_furniture(in_body(line)), line
    assert not body_furniture(in_body("The port said it would publish the figures on Friday."))


@pytest.mark.parametrize("line", ["Back to school: what parents need to know this autumn",
                                  "Zurück zur Natur: Wie Städte grüner werden", "Volver a empezar"])
def test_headlines_that_open_like_a_back_link_are_not_furniture(line: str) -> None:
    assert not is_furniture_line(line)


@pytest.mark.parametrize("line", ["Image caption The ferry left the harbour an hour late on Monday",
                                  "Media caption Divers explain how they cleared the wreck",
                                  "The wreck blocked the northern channel for two days (Image: GETTY )"])
def test_caption_lines_in_the_forms_news_sites_print_them(line: str) -> None:
    assert furniture.is_caption(line)
    assert not is_furniture_line(line)  # a caption is a field, not dropped text


@pytest.mark.parametrize("line", ["Posted on the harbour wall, the notice read 12:30.",
                                  "Updated figures show the port handled 4,000 more containers.",
                                  "The image caption on the front page was wrong, the editor said."])
def test_story_lines_that_mention_posting_or_captions_stay(line: str) -> None:
    assert not is_furniture_line(line)
    assert not furniture.is_caption(line)


@pytest.mark.parametrize("name", sorted(LINE_RULES))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_the_gate_flags_every_line_a_whole_line_rule_drops(name: str, data: st.DataObject) -> None:
    """Lines generated from each rule's own regex: whatever a cleaner drops, the gate would catch."""
    raw = data.draw(st.from_regex(LINE_RULES[name], fullmatch=True, alphabet=LATIN))
    line = " ".join(raw.split())  # cleaners collapse spacing inside a line
    assume(line and is_furniture_line(line))
    assert body_furniture(in_body(line)), (name, line)


@settings(max_examples=150, deadline=None)
@given(words=st.lists(st.from_regex(r"[a-z]{1,9}", fullmatch=True), min_size=0, max_size=12),
       prompt=st.sampled_from(["subscribe to our newsletters", "sign up for the inbox", "newsletter: sign up"]))
def test_the_gate_flags_short_newsletter_prompts_and_only_short_ones(words: list[str], prompt: str) -> None:
    line = " ".join([*words, prompt])
    assert is_furniture_line(line) == (len(line.split()) <= 14)
    assert bool(body_furniture(in_body(line))) == is_furniture_line(line)


@pytest.mark.parametrize("line", [
    "The minister posted the video on his YouTube channel on Monday.",
    "The new ferry app for iOS and Android lets passengers download tickets before they board.",
    "Nichols National Bank will become a member of the group, the companies said.",
    "Readers who want the full story of the pier can find it in the town archive, the council said.",
    "Der Hafenmeister sagte, er sei nicht angemeldet gewesen, als die Fähre anlegte.",
    "We expect our distribution channel to grow, the chief executive said.",
    "Apple added push notifications to the watch in 2015, the company said.",
    "Bund und Länder unterstützen Familien mit 300 Euro im Monat.",
    "Customers must sign in to access their accounts after the breach, the bank said.",
    "The fund will support independent journalism in the region, the foundation said.",
])
def test_story_lines_that_mention_apps_channels_or_members_stay(line: str) -> None:
    assert not is_furniture_line(line)


@settings(max_examples=150, deadline=None)
@given(words=st.lists(st.from_regex(r"[a-z]{1,9}", fullmatch=True), min_size=0, max_size=30),
       prompt=st.sampled_from(["you must be logged in", "zum newsletter anmelden", "get push notifications",
                               "submit a letter to the editor", "pour lire la suite"]))
def test_the_gate_flags_short_calls_to_action_and_only_short_ones(words: list[str], prompt: str) -> None:
    """A notice runs a sentence or two; the same words in a paragraph that says more are story."""
    line = " ".join([*words, prompt])
    assert furniture.is_call_to_action(line) == (len(line.split()) <= furniture.CALL_TO_ACTION_MAX_WORDS)
    assert bool(body_furniture(in_body(line))) == is_furniture_line(line)


def test_both_cleaners_drop_the_furniture_the_gate_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [line for line in FURNITURE if line != "Photo: Getty Images"]  # captions become image_captions
    scrape = "\n\n".join(["Harbour channel reopens after wreck is cleared", PROSE[0], *lines[:10], PROSE[1],
                          *lines[10:], "The authority expects full traffic by the weekend, a spokeswoman said."])
    paragraphs = "".join(f"<p>{line}</p>" for line in [PROSE[0], *lines[:10], PROSE[1], *lines[10:]])
    page = (f"<html><head><title>Harbour channel reopens</title></head><body><article>"
            f"<h1>Harbour channel reopens after wreck is cleared</h1>{paragraphs}"
            f"<p>The authority expects full traffic by the weekend, a spokeswoman said.</p></article></body></html>")
    with_model = parse_article(scrape, filename="harbour.txt")
    monkeypatch.setenv("NEWSFLOW_SCRAPE_LINE_MODEL", "off")
    for fields in (parse_article(scrape, filename="harbour.txt"), parse_article(page, filename="harbour.html"),
                   with_model):
        body = fields["body"]
        assert not body_furniture(body), body_furniture(body)
        kept = [line for line in lines if line in body.split("\n\n")]
        assert not kept, kept
        assert PROSE[0] in body
    # The rules keep every story line. The line model keeps the lede but may drop a lone sentence walled in
    # by twenty furniture lines after a copyright notice, as it drops such lines on rendered pages.
    for fields in (parse_article(scrape, filename="harbour.txt"), parse_article(page, filename="harbour.html")):
        assert PROSE[1] in fields["body"]


def test_the_quality_gate_checks_the_furniture_module_list() -> None:
    from newsflow.validate.suites import checks

    check = next(c for c in checks() if c.name == "articles.body_free_of_furniture")
    assert check.kwargs["regex_list"] == list(BODY_FURNITURE_PATTERNS)
    for pattern in BODY_FURNITURE_PATTERNS:
        re.compile(pattern)  # GX's pandas engine searches with Python's re


@pytest.mark.parametrize("line", [
    "The old stone pier at Port Wenlow in the morning fog © Harbour Gazette / Ana Ruiz",
    "Foto: Ana Ruiz",
    "Was kostet die neue Fähre? (Foto: Pixabay.com / harbourfan)",
    "The ferry leaves the northern quay. Credit: Ana Ruiz/Harbour Gazette",
    "Ein Fährschiff im Hafen von Bergen. EFE",
    "Die Fähre im Hafen von BergenBild: AFP/SID/ANA RUIZ",
    "Harbour workers on the pier (c) Wenlow Tourism | pixelhaus.example",
    "Bild: shutterstock",
])
def test_photo_credits_in_the_forms_captions_carry_them(line: str) -> None:
    assert furniture.has_photo_credit(line)


@pytest.mark.parametrize("line", [
    "PHOTOS: Flooding hits downtown Wenlow as the river crests at a record level",
    "Neuer Blick auf das „Blue Marble“-Foto: Forscher simulieren das Klimasystem mit 1 km Auflösung",
    "Court weighs Section 230(c) immunity for the harbour forum",
    "Ferry workers vote to strike over winter timetable",
    "Von Tobias Reinhardt, dpa",
    "By Ana Ruiz, Reuters",
])
def test_headlines_and_bylines_carry_no_photo_credit(line: str) -> None:
    assert not furniture.has_photo_credit(line)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_the_call_to_action_look_up_never_rules_out_a_match(data: st.DataObject) -> None:
    """Lines generated from the pattern itself: each holds one of the words the cheap look-up asks for."""
    raw = data.draw(st.from_regex(furniture.CALL_TO_ACTION, alphabet=LATIN))
    line = " ".join(raw.split())
    assume(furniture.CALL_TO_ACTION.search(line) and len(line.split()) <= furniture.CALL_TO_ACTION_MAX_WORDS)
    assert furniture.is_call_to_action(line), line
