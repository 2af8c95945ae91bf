"""Linking a day's stories to earlier days (pure functions; the lake round trip is tested in
tests/unit/test_unique_stories.py)."""

from __future__ import annotations

from datetime import date

import numpy as np
from newsflow.clean.fingerprint import content_hash
from newsflow.enrich.duplicates import NUM_PERM, NearIndex, find_duplicates, minhash_signature
from newsflow.enrich.stories import Story, link_day, window_days

STORY = ("Harbour authorities reopened the northern channel on Tuesday after divers cleared the wreck of a "
         "fishing trawler that sank during last week's storm. Shipping lines said the first container "
         "vessels would dock on Wednesday morning, ending a six-day backlog that left more than forty ships "
         "waiting offshore. The port's chief executive, Maria Lindqvist, said repairs to the damaged quay "
         "would take another month and cost an estimated 12 million euros.")
OTHER = ("The city council approved a new cycling plan on Monday that adds forty kilometres of protected "
         "lanes by 2027. Councillors voted 31 to 12 after a four-hour debate in which opponents warned of "
         "lost parking spaces for shops along the ring road.")
EXTRA = " Dock workers said overtime shifts would continue through the weekend."
#: A rewrite: the same text, a later paragraph added by the second outlet (estimated similarity ~0.8).
REWRITE = STORY + EXTRA


def _row(aid: str, body: str, local: str | None = None, **extra: object) -> dict:
    return {"article_id": aid, "local_story_id": local or aid, "document_id": extra.pop("document_id", None),
            "content_hash": content_hash(body), "minhash": minhash_signature(body), **extra}


def test_the_window_is_the_calendar_days_before() -> None:
    assert window_days("2024-12-08", 7) == ("2024-12-01", "2024-12-07")


def test_a_near_copy_of_an_earlier_day_continues_the_earliest_story() -> None:
    earlier = [_row("mon1", STORY, story_id="mon1", story_first_seen=date(2024, 12, 2)),
               # Tuesday's copy already continued Monday's story
               _row("tue1", STORY, story_id="mon1", story_first_seen=date(2024, 12, 2)),
               _row("tue2", OTHER, story_id="tue2", story_first_seen=date(2024, 12, 3))]
    today = [_row("wed1", REWRITE), _row("wed2", REWRITE + " Updated.", local="wed1"),
             _row("wed3", "A completely different story about a library that opens on Sundays now. " * 3)]
    links = link_day("2024-12-04", today, earlier)
    assert links["wed1"] == links["wed2"] == Story("mon1", date(2024, 12, 2))  # the local story joins as a whole
    assert links["wed3"] == Story("wed3", date(2024, 12, 4))


def test_the_same_document_joins_even_when_its_text_changed() -> None:
    earlier = [_row("mon1", STORY, story_id="mon1", story_first_seen=date(2024, 12, 2), document_id="doc-a")]
    links = link_day("2024-12-03", [_row("tue1", OTHER, document_id="doc-a")], earlier)
    assert links["tue1"].story_id == "mon1"


def test_band_collisions_below_the_threshold_do_not_join() -> None:
    base = np.arange(NUM_PERM, dtype="<u4")
    half = base.copy()
    half[NUM_PERM // 2:] += 1000  # equal in the first bands, 50% similar overall
    same = base.copy()
    same[-4:] += 1000  # one band differs: 94% similar
    index = NearIndex([base.tobytes()])
    assert index.query([half.tobytes(), same.tobytes(), None]) == [[], [0], []]


def test_within_a_day_a_rewrite_at_the_threshold_is_found() -> None:
    """16 bands of 4 find a pair near the 0.7 threshold (datasketch's 8 x 8 often missed them)."""
    sim = (np.frombuffer(minhash_signature(STORY), "<u4") == np.frombuffer(minhash_signature(REWRITE), "<u4")).mean()
    assert 0.7 <= sim < 0.9
    bodies = [STORY, OTHER, REWRITE]
    dup = find_duplicates(["a", "b", "c"], [content_hash(b) for b in bodies], [minhash_signature(b) for b in bodies])
    assert dup == {"c": "a"}
