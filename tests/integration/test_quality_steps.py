"""Through the steps: a corrupted staged day fails validate and the published partition stays as it was."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from newsflow.errors import DataQualityError

pytestmark = pytest.mark.slow
DAY = "2024-12-03"


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_corrupted_stage_fails_validate_and_keeps_yesterdays_partition(tmp_path: Path, run_day) -> None:
    from newsflow import steps
    from newsflow.config import Settings
    from newsflow_testkit import SAMPLE_LANDING

    lake = tmp_path / "lake"
    run_day(SAMPLE_LANDING, lake, DAY, run_id="first")
    published = {t: _digest(lake / t / f"ingest_date={DAY}") for t in ("articles", "sentences", "entities",
                                                                          "quarantine")}
    assert published["articles"]

    settings = Settings(landing_root=SAMPLE_LANDING, lake_root=lake)
    shards = steps.ingest_landing(DAY, "rerun", settings)
    cleaned = [steps.clean_and_segment(p, settings) for p in shards]
    for manifest in cleaned:
        steps.extract_entities(manifest, settings)
    upstream = steps.detect_duplicates(cleaned, settings)
    # corrupt the staged shard: a duplicated article id, and a body full of furniture
    path = Path(cleaned[0]["paths"]["articles"])
    staged = pq.read_table(path)
    rows = staged.to_pylist()
    rows[1]["article_id"] = rows[0]["article_id"]
    rows[2]["body"] = "Follow us on X\n\nShare this article\n\nAdvertisement\n\n" + rows[2]["body"]
    pq.write_table(pa.Table.from_pylist(rows, schema=staged.schema), path)

    with pytest.raises(DataQualityError) as err:
        steps.validate_day(upstream, settings)
    message = str(err.value)
    assert "articles.article_id_unique" in message and "validation.json" in message
    report_path = Path(message.rsplit("report: ", 1)[1])
    report = json.loads(report_path.read_text())
    assert report["success"] is False
    failed = {c["name"] for c in report["checks"] if not c["success"]}
    assert {"articles.article_id_unique", "articles.body_free_of_furniture"} <= failed
    # publish never ran: the lake's partitions are byte-for-byte what the first run published
    for table, digest in published.items():
        assert _digest(lake / table / f"ingest_date={DAY}") == digest, table


def test_run_params_override_the_day_thresholds(tmp_path: Path) -> None:
    """The DAG's rate Params reach the gate: a day without warnings by default warns at a threshold of 0."""
    from newsflow import steps
    from newsflow.config import Settings
    from newsflow_testkit import SAMPLE_LANDING

    day = "2024-12-05"  # the sample day with quarantined units
    settings = Settings(landing_root=SAMPLE_LANDING, lake_root=tmp_path / "lake")
    cleaned = [steps.clean_and_segment(p, settings) for p in steps.ingest_landing(day, "params", settings)]
    assert sum(m["quarantined"] for m in cleaned) > 0
    for manifest in cleaned:
        steps.extract_entities(manifest, settings)
    upstream = steps.detect_duplicates(cleaned, settings)
    default = steps.validate_day(upstream, settings)
    assert "day.quarantine_rate" not in default["warnings"]
    strict = steps.validate_day(upstream, settings, max_quarantine_rate=0.0)
    assert strict["success"] is True and "day.quarantine_rate" in strict["warnings"]
    report = json.loads(Path(strict["report"]).read_text())
    assert report["thresholds"]["max_quarantine_rate"] == 0.0
    # counts are integers in the report and on the run report page ("input units 12", not "12.0")
    units = report["day"]["expected_units"]
    assert isinstance(units, int) and isinstance(report["day"]["units_accounted"], int)
    page = (Path(strict["report"]).parent / "run_report.html").read_text()
    assert f'input units</td><td class="n">{units}</td>' in page
