"""Duplicate stories: exact copies, syndicated near-copies, distinct stories."""

from __future__ import annotations

from newsflow.clean.fingerprint import content_hash
from newsflow.enrich.duplicates import NUM_PERM, find_duplicates, minhash_signature

STORY = ("Harbour authorities reopened the northern channel on Tuesday after divers cleared the wreck of a "
         "fishing trawler that sank during last week's storm. Shipping lines said the first container "
         "vessels would dock on Wednesday morning, ending a six-day backlog that left more than forty ships "
         "waiting offshore. The port's chief executive, Maria Lindqvist, said repairs to the damaged quay "
         "would take another month and cost an estimated 12 million euros. Insurers are still assessing "
         "claims from three terminal operators whose cranes were idle during the closure.")
SYNDICATED = ("HARBOUR REOPENS - " + STORY.replace("Wednesday morning", "Wednesday")
              + " Reporting by Tom Ellis; editing by Sara Quinn.")
OTHER = ("The city council approved a new cycling plan on Monday that adds forty kilometres of protected "
         "lanes by 2027. Councillors voted 31 to 12 after a four-hour debate in which opponents warned of "
         "lost parking spaces for shops along the ring road. The transport department will publish a "
         "timetable for the first routes in the spring, and residents can comment on the designs online.")


def test_exact_and_near_copies_point_at_the_first_story() -> None:
    ids = ["a1", "a2", "a3", "a4"]
    bodies = [STORY, STORY.upper().replace(".", " ."), SYNDICATED, OTHER]
    dup = find_duplicates(ids, [content_hash(b) for b in bodies], [minhash_signature(b) for b in bodies])
    assert dup == {"a2": "a1", "a3": "a1"}


def test_signatures_are_deterministic_and_sized() -> None:
    sig = minhash_signature(STORY)
    assert len(sig) == NUM_PERM * 4 and sig == minhash_signature(STORY)
    assert sig != minhash_signature(OTHER)
