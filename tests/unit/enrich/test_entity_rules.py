"""Each entity rule alone, on sentences we wrote, with a blank English tokenizer (no model needed)."""

from __future__ import annotations

import functools

import pytest
from newsflow.enrich.entities import lexicon as lex
from newsflow.enrich.entities import rules as R
from newsflow.enrich.entities.gazetteer import gazetteer


@functools.cache
def _nlp():
    import spacy

    return spacy.blank("en")


def cand(text: str, name: str, label: str, *, regions: bool = True) -> R.Candidate:
    """A candidate over the first occurrence of ``name`` in ``text`` (token-aligned), context set."""
    doc = _nlp()(text)
    at = text.index(name)
    span = doc.char_span(at, at + len(name))
    assert span is not None, name
    c = R.Candidate(doc, span.start, span.start, span.end, label)
    c.set_context(regions=regions)
    return c


def test_coverage_codes_keep_their_stored_values():
    # the codes are stored per token in a bytearray; the names document what 1/2/3 meant
    assert [int(c) for c in R.Coverage] == [0, 1, 2, 3]
    covered = bytearray(3)
    covered[1] = R.Coverage.TABLE
    assert R.Coverage.TABLE in covered and R.Coverage.CAPS_LINE not in covered


def test_lexicon_titles_include_roles_and_cues_once():
    assert "striker" in lex.TITLES and "striker" in lex.PERSON_CUES
    assert "president" in lex.TITLES and "mr." in lex.PERSON_CUES
    assert lex.HONORIFICS == lex.TITLES | lex.PERSON_CUES


@pytest.mark.parametrize(("text", "name", "label", "want"), [
    ("Photo by Sergei Ilnitsky/Pool on Monday", "Sergei Ilnitsky/Pool", "PERSON", "Sergei Ilnitsky"),
    ("Analysis-Trump allies regroup", "Analysis-Trump", "PERSON", "Trump"),
    ("Chelsea 2-1 at home", "Chelsea 2-1", "ORG", "Chelsea"),
    ("President Joe Biden spoke", "President Joe Biden", "PERSON", "Joe Biden"),
    ("visitors from west Jerusalem came", "west Jerusalem", "GPE", "Jerusalem"),
])
def test_clean_span_trims_credits_slugs_scores_titles_and_edges(text, name, label, want):
    c = cand(text, name, label)
    start, end = R.clean_span(c.doc, c.start, c.end, label, R.ALL_RULES)
    assert c.doc[start:end].text == want


def test_clean_span_drops_a_lone_title_and_keeps_surname_titles():
    c = cand("said the President on Friday", "President", "PERSON")
    start, end = R.clean_span(c.doc, c.start, c.end, "PERSON", R.ALL_RULES)
    assert start == end
    c = cand("said John Major on Friday", "Major", "PERSON")
    start, end = R.clean_span(c.doc, c.start, c.end, "PERSON", R.ALL_RULES)
    assert c.doc[start:end].text == "Major"
    # with the rules off, the model's span is left as it came
    c = cand("Photo by Sergei Ilnitsky/Pool on Monday", "Sergei Ilnitsky/Pool", "PERSON")
    assert R.clean_span(c.doc, c.start, c.end, "PERSON", R.NO_RULES) == (c.start, c.end)


def test_junk_spans_emails_and_lowercase_person_tails():
    assert R.is_junk_span(cand("write to desk@example.com today", "desk@example.com", "PERSON"))
    c = cand("at the Zurich cafe on Monday", "Zurich cafe", "PERSON")
    assert not R.is_junk_span(c) and c.text == "Zurich"


def test_has_letters_needs_a_capital_only_under_the_junk_rule():
    c = cand("the minister said", "the minister", "PERSON")
    assert not R.has_letters(c, need_capital=True)
    assert R.has_letters(c, need_capital=False)
    assert not R.has_letters(cand("it ended 2 - 1 there", "2 - 1", "ORG"), need_capital=False)


def test_dateline_city_and_agency_are_not_model_entities():
    text = "LONDON (Reuters) - Shares fell in London on Monday."
    dateline_end = text.index("Shares")
    city_end = len("LONDON")
    assert R.in_dateline(cand(text, "LONDON", "GPE"), dateline_end, city_end)
    assert R.in_dateline(cand(text, "Reuters", "ORG"), dateline_end, city_end)
    assert not R.in_dateline(cand(text, "London", "GPE"), dateline_end, city_end)  # the body's London


def test_credit_names_are_dropped_full_and_surname():
    full, surnames = {"lidia kelly"}, {"kelly"}
    assert R.is_credit(cand("Reporting by Lidia Kelly in Melbourne", "Lidia Kelly", "PERSON"), full, surnames)
    assert R.is_credit(cand("Kelly wrote it", "Kelly", "PERSON"), full, surnames)
    assert not R.is_credit(cand("Grace Kelly starred", "Grace Kelly", "PERSON"), full, surnames)


def test_demonym_becomes_norp_without_the_title_words():
    c = cand("the British Agriculture Minister said", "British Agriculture", "ORG")
    assert R.demonym_span(c, gazetteer())
    assert (c.text, c.label) == ("British", "NORP")
    assert not R.demonym_span(cand("Britain said", "Britain", "GPE"), gazetteer())


def test_gazetteer_place_countries_always_cities_only_in_context():
    gaz = gazetteer()
    c = cand("talks with Germany ended", "Germany", "PERSON")
    assert R.gazetteer_place(c, gaz) and c.label == "GPE" and c.place is not None and c.place.is_country
    c = cand("Chicago beat Boston", "Chicago", "ORG")
    assert R.gazetteer_place(c, gaz) and c.label == "ORG" and c.place is None
    c = cand("a storm in Chicago overnight", "Chicago", "ORG")
    assert c.locative and R.gazetteer_place(c, gaz) and c.label == "GPE"
    assert not R.gazetteer_place(cand("Zorblax said", "Zorblax", "PERSON"), gaz)


def test_region_before_a_place_noun_is_a_location():
    c = cand("farms on the Algarve coast were hit", "Algarve", "ORG")
    assert c.place_noun
    R.region_place(c, gazetteer())
    assert c.label in ("LOC", "GPE")
    c = cand("said Algarve yesterday", "Algarve", "PERSON")
    R.region_place(c, gazetteer())
    assert c.label == "PERSON"  # a person without place context is left alone


@pytest.mark.parametrize(("rule", "text", "name", "label", "want"), [
    (R.club_name, "Harrowby Town won again", "Harrowby Town", "PERSON", "ORG"),
    (R.club_name, "Mary Town spoke", "Mary Town", "GPE", "GPE"),  # "town" only makes persons clubs
    (R.street_name, "a fire on Mill Road last night", "Mill Road", "PERSON", "FAC"),
    (R.event_name, "he won the British Open on Sunday", "British Open", "NORP", "EVENT"),
    (R.event_name, "the Tour de France starts", "Tour de France", "ORG", "EVENT"),
    (R.event_name, "the Tour Operators group said", "Tour Operators", "ORG", "ORG"),
])
def test_club_street_and_event_names(rule, text, name, label, want):
    c = cand(text, name, label)
    rule(c)
    assert c.label == want


def test_sports_cities_are_clubs_unless_context_keeps_a_place():
    gaz = gazetteer()
    c = cand("Atletico Madrid drew", "Atletico Madrid", "GPE")
    R.city_club_name(c, gaz)
    assert c.label == "ORG"
    c = cand("Barcelona signed a striker", "Barcelona", "GPE")
    assert R.gazetteer_place(c, gaz) and c.label == "GPE"
    R.city_as_team(c)
    assert (c.label, c.place) == ("ORG", None)
    c = cand("the Barcelona club said", "Barcelona", "GPE")
    R.gazetteer_place(c, gaz)
    R.city_as_team(c)
    assert c.label == "GPE"


def test_generic_one_word_orgs_and_portfolios_are_dropped():
    assert R.is_generic_org(cand("Council approved it", "Council", "ORG"))
    assert R.is_generic_org(cand("the Interior Minister said", "Interior", "ORG"))
    assert not R.is_generic_org(cand("Siemens approved it", "Siemens", "ORG"))


def test_titles_make_persons_and_context_decides_person_or_org():
    c = cand("said chief Murat Demir on Monday", "chief Murat Demir", "ORG")
    R.cued_person(c)
    assert (c.text, c.label) == ("Murat Demir", "PERSON")
    c = cand("Fair Fares North , which says it has 3,000 members", "Fair Fares North", "PERSON")
    R.person_or_org_by_context(c)
    assert c.label == "ORG"
    c = cand("Dean Holt , the group 's chairman , said", "Dean Holt", "ORG")
    R.person_or_org_by_context(c)
    assert c.label == "PERSON"


@pytest.mark.parametrize(("text", "trusted"), [
    ("Mr. Holt declined to comment", True),
    ("Holt said the deal was done", True),
    ("according to Holt , prices rose", True),
    ("Holt , 54 , runs the firm", True),
    ("Volumes were thin and Holt rose", False),
])
def test_lone_surnames_need_corroboration(text, trusted):
    c = cand(text, "Holt", "PERSON")
    assert R.lone_name_cued(c.doc, c.start, c.start, c.end) is trusted
