"""Every lake table's explicit pyarrow schema, in one place, with a meaning for each column.

Data is cast to these schemas on every write, so a partition's types never depend on what a day's
data happened to contain. Changes must be additive (new nullable columns at the end) and bump
``SCHEMA_VERSION``; readers of older partitions keep working because missing columns read as null.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

SCHEMA_VERSION = "2"
UTC_TS = pa.timestamp("us", tz="UTC")
_STR_LIST = pa.list_(pa.string())

CREDIT = pa.struct([("name", pa.string()), ("role", pa.string()), ("location", pa.string())])


def _field(name: str, type_: pa.DataType, doc: str, *, nullable: bool = True, example: str = "") -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"doc": doc, "example": example})


ARTICLES = pa.schema([
    _field("article_id", pa.string(), "Stable id: hash of ingest day, source file and record index.",
           nullable=False, example="3f2a9c0d1e4b5a67"),
    _field("source_file", pa.string(), "Path of the input file relative to the landing day folder.",
           nullable=False, example="wire/reuters-0001.txt"),
    _field("record_index", pa.int64(), "0-based line/element of a JSON/JSONL file; null for other files.",
           example="3"),
    _field("url", pa.string(), "Canonical URL when the page declares one, else the record's URL.",
           example="https://www.example.com/world/pact-2024-12-03/"),
    _field("source", pa.string(), "Publisher or agency (site name, record source, or dateline agency).",
           example="Reuters"),
    _field("section", pa.string(), "Section of the site the story ran in.", example="World"),
    _field("title", pa.string(), "Headline without site suffixes.", example="Russia, Belarus to sign pact"),
    _field("published_at", UTC_TS, "Publication time in UTC; null when no trustworthy evidence exists.",
           example="2024-12-03 00:00:00+00:00"),
    _field("published_at_source", pa.string(),
           "Where published_at came from: record, jsonld, meta, time, byline, url, header, dateline; "
           "'unknown' when no trustworthy evidence exists.",
           example="header"),
    _field("published_at_raw", pa.string(), "The exact string published_at was parsed from (evidence), or why "
           "it is unknown.",
           example="Tuesday, 03 Dec 2024"),
    _field("modified_at", UTC_TS, "Last modification time in UTC, when the page declares one."),
    _field("dateline", pa.string(), "Place of the dateline as written.", example="WASHINGTON"),
    _field("authors", _STR_LIST, "Everyone credited for reporting or writing, in credit order.",
           example='["Lidia Kelly"]'),
    _field("editors", _STR_LIST, "Everyone credited for editing.", example='["Clarence Fernandez"]'),
    _field("credits", pa.list_(CREDIT), "Every credit with its role (author, reporter, writer, contributor, "
           "editor, photographer) and location.", example='[{"name": "Lidia Kelly", "role": "reporter", '
           '"location": "Melbourne"}]'),
    _field("language", pa.string(), "ISO 639-1 code detected from the text (declared language is a hint).",
           example="en"),
    _field("body", pa.string(), "Clean article text; paragraphs separated by one blank line.",
           nullable=False),
    _field("word_count", pa.int32(), "Words in body.", nullable=False, example="301"),
    _field("paragraph_count", pa.int32(), "Paragraphs in body.", nullable=False, example="10"),
    _field("sentence_count", pa.int32(), "Sentences in body (rows in the sentences table).",
           nullable=False, example="12"),
    _field("image_captions", _STR_LIST, "Photo captions and credits removed from the text."),
    _field("related_headlines", _STR_LIST, "Headline lists scraped with the page (Next In ..., Related)."),
    _field("content_hash", pa.string(), "SHA-256 of the body normalised for case, accents and punctuation.",
           nullable=False),
    _field("document_id", pa.string(), "Stable id of the document whatever day or file it landed in: a hash of "
           "the canonical URL (lower-case host without www., no fragment or tracking parameters, http = https) "
           "when the article has a URL, else of content_hash. A re-delivery of the same page gets the same "
           "document_id and a new article_id.", nullable=False, example="5b0e2f9a1c7d3e4f8a21"),
    _field("story_id", pa.string(), "article_id of the first copy of this story (itself when first), on this "
           "day or on one of the NEWSFLOW_STORY_WINDOW_DAYS (default 7) days before: exact copies, re-deliveries "
           "of the same document_id and near-copies (MinHash) are one story.", nullable=False),
    _field("duplicate_of", pa.string(), "article_id of the first copy of the same story (may be an article of "
           "an earlier day, see story_first_seen), else null."),
    _field("entities_status", pa.string(),
           "'ok', or why entity extraction was skipped (e.g. 'no model for language de')."),
    _field("processed_at", UTC_TS, "When this row was published. The one column that differs between "
           "reruns of the same day.", nullable=False),
    _field("pipeline_version", pa.string(), "newsflow version that produced the row.", nullable=False,
           example="0.1.0"),
    _field("story_first_seen", pa.date32(), "ingest_date of the story's first copy (story_id): this day for a "
           "new story, an earlier day when the story continues. Null in partitions written before schema 2.",
           example="2024-12-03"),
])

SENTENCES = pa.schema([
    _field("article_id", pa.string(), "The article the sentence belongs to.", nullable=False),
    _field("paragraph_index", pa.int32(), "0-based paragraph of body.", nullable=False, example="0"),
    _field("sentence_index", pa.int32(), "0-based sentence within the article.", nullable=False, example="0"),
    _field("text", pa.string(), "The sentence; equals body[start_char:end_char].", nullable=False),
    _field("start_char", pa.int32(), "Offset of the first character in body.", nullable=False, example="0"),
    _field("end_char", pa.int32(), "Offset after the last character in body.", nullable=False,
           example="222"),
])

ENTITIES = pa.schema([
    _field("article_id", pa.string(), "The article mentioning the entity.", nullable=False),
    _field("entity", pa.string(), "Canonical name within the article (a later 'Putin' joins 'Vladimir "
           "Putin').", nullable=False, example="Vladimir Putin"),
    _field("label", pa.string(), "OntoNotes label: PERSON, ORG, GPE, LOC, NORP, FAC, EVENT, PRODUCT, "
           "WORK_OF_ART, LAW, LANGUAGE.", nullable=False, example="PERSON"),
    _field("mentions", pa.int32(), "Mentions in body and title.", nullable=False, example="3"),
    _field("first_char", pa.int32(), "Offset in body of the first mention; -1 when only in the title or the "
           "dateline (the cleaner strips the dateline place from body and records it in articles.dateline).",
           nullable=False, example="10"),
    _field("surface_forms", _STR_LIST, "Every distinct way the text wrote it.",
           example='["Putin", "Vladimir Putin"]'),
    _field("country_code", pa.string(), "ISO 3166-1 alpha-2 code for places that resolve to a country.",
           example="BY"),
    _field("in_title", pa.bool_(), "Mentioned in the title.", example="true"),
    _field("first_sentence_index", pa.int32(), "Sentence of the first mention in body (null if title only).",
           example="0"),
    _field("salience", pa.float32(), "Importance in [0, 1] from mentions, position and title presence.",
           example="0.82"),
])

QUARANTINE = pa.schema([
    _field("source_file", pa.string(), "Path of the input file relative to the landing day folder.",
           nullable=False),
    _field("record_index", pa.int64(), "0-based line/element of a JSON/JSONL file; null for other files."),
    _field("reason", pa.string(), "Reason code (see the data dictionary's list of reasons).",
           nullable=False, example="EMPTY"),
    _field("detail", pa.string(), "Human explanation of the reason.", example="only whitespace"),
    _field("size_bytes", pa.int64(), "Size of the unit in bytes.", nullable=False, example="0"),
    _field("sha256", pa.string(), "SHA-256 of the unit's bytes (null when they could not be read)."),
])

TABLE_SCHEMAS: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "sentences": SENTENCES,
    "entities": ENTITIES,
    "quarantine": QUARANTINE,
}
#: Sort keys: deterministic row order makes reruns byte-identical and row groups prunable.
SORT_KEYS: dict[str, list[str]] = {
    "articles": ["published_at", "article_id"],
    "sentences": ["article_id", "sentence_index"],
    "entities": ["article_id", "entity", "label"],
    "quarantine": ["source_file", "record_index"],
}


def staging_schema(name: str) -> pa.Schema:
    """The table's schema with every column nullable: staged shards lack columns filled at publish."""
    schema = TABLE_SCHEMAS[name]
    return pa.schema([f.with_nullable(True) for f in schema], metadata=schema.metadata)


def table_from_rows(name: str, rows: list[dict[str, Any]], *, staging: bool = False) -> pa.Table:
    """Build a table of ``name``'s schema from row dicts (missing keys become null)."""
    schema = staging_schema(name) if staging else TABLE_SCHEMAS[name]
    columns = {f.name: [row.get(f.name) for row in rows] for f in schema}
    return pa.Table.from_pydict(columns, schema=schema)


def conform(name: str, table: pa.Table) -> pa.Table:
    """Cast ``table`` to the table's schema, adding missing columns as nulls and dropping extras."""
    schema = TABLE_SCHEMAS[name]
    arrays: list[pa.Array | pa.ChunkedArray] = []
    for f in schema:
        if f.name in table.column_names:
            arrays.append(table.column(f.name).cast(f.type))
        else:
            arrays.append(pa.nulls(table.num_rows, f.type))
    return pa.Table.from_arrays(arrays, schema=schema)
