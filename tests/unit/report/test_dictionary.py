"""docs/data-dictionary.md is generated from newsflow.schemas and must never drift from it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from newsflow import schemas
from newsflow.errors import REASONS
from newsflow.lake.layout import TABLES
from newsflow.report import dictionary
from newsflow_testkit import REPO

DOC = REPO / "docs" / "data-dictionary.md"


def test_committed_dictionary_matches_the_schemas() -> None:
    diff = dictionary.check(DOC)
    assert diff == [], "docs/data-dictionary.md is stale: run `python -m newsflow.dictionary`\n" + "\n".join(diff)


def test_check_command_passes_on_the_repository() -> None:
    done = subprocess.run([sys.executable, "-m", "newsflow.report.dictionary", "--check"], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "matches the schemas" in done.stdout


def test_every_column_is_documented_with_type_meaning_and_example() -> None:
    assert dictionary.missing_docs() == []
    text = dictionary.render()
    for table in TABLES:
        assert f"\n## {table}\n" in text
        section = text.split(f"\n## {table}\n", 1)[1].split("\n## ", 1)[0]
        for field in schemas.TABLE_SCHEMAS[table]:
            row = next(line for line in section.splitlines() if line.startswith(f"| `{field.name}` |"))
            cells = [c.strip() for c in row.strip("|").split(" | ")]
            assert cells[1] == f"`{field.type}`"
            assert cells[2] == ("no" if field.nullable else "yes")
            assert cells[3] == " ".join(field.metadata[b"doc"].decode().split())
            example = field.metadata.get(b"example", b"").decode()
            assert cells[4] == (f"`{example}`" if example else "")
        assert "| `ingest_date` | `date32[day]` | partition |" in section
    assert "| `published_at` | `timestamp[us, tz=UTC]` | no |" in text


def test_every_quarantine_reason_is_listed() -> None:
    text = dictionary.render()
    section = text.split("## Quarantine reasons", 1)[1]
    for code, meaning in REASONS.items():
        assert f"| `{code}` | {meaning} |" in section


def test_a_schema_change_is_detected_as_drift(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dictionary.md"
    assert dictionary.main(["--output", str(out)]) == 0
    assert dictionary.main(["--check", "--output", str(out)]) == 0
    changed = schemas.ARTICLES.append(pa.field("sentiment", pa.float32(), metadata={
        "doc": "Tone of the article from -1 (negative) to 1 (positive).", "example": "0.2"}))
    monkeypatch.setitem(schemas.TABLE_SCHEMAS, "articles", changed)
    capsys.readouterr()
    assert dictionary.main(["--check", "--output", str(out)]) == 1
    err = capsys.readouterr().err
    assert "+| `sentiment` | `float` | no | Tone of the article" in err
    assert "out of date" in err
    assert dictionary.main(["--output", str(out)]) == 0
    assert dictionary.main(["--check", "--output", str(out)]) == 0


def test_a_changed_doc_or_a_hand_edit_is_drift(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "dictionary.md"
    out.write_text(dictionary.render().replace("Headline without site suffixes.", "The headline."))
    assert dictionary.check(out)
    assert dictionary.main(["--check", "--output", str(tmp_path / "missing.md")]) == 1
    field = schemas.ARTICLES.field("title")
    renamed = schemas.ARTICLES.set(schemas.ARTICLES.get_field_index("title"), field.with_metadata(
        {"doc": "Headline.", "example": ""}))
    monkeypatch.setitem(schemas.TABLE_SCHEMAS, "articles", renamed)
    assert any(line.startswith("+| `title` | `string` | no | Headline. |") for line in dictionary.check(DOC))


def test_an_undocumented_column_fails_the_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(schemas.TABLE_SCHEMAS, "sentences", schemas.SENTENCES.append(pa.field("score", pa.int8())))
    assert dictionary.missing_docs() == ["sentences.score"]
    assert dictionary.main(["--output", str(tmp_path / "d.md")]) == 1
