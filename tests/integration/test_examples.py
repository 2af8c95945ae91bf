"""The analyst quickstart runs, as a script and as a notebook, on a lake the real pipeline built."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import matplotlib.image
import nbformat
import newsflow
import pyarrow.parquet as pq
import pytest
from newsflow import schemas
from newsflow_testkit import SAMPLE_DAYS, SAMPLE_LANDING, run_day

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
SCRIPT = EXAMPLES / "analyst_quickstart.py"
NOTEBOOK = EXAMPLES / "analyst_quickstart.ipynb"
CHART = "analyst_quickstart.png"
CELL_TIMEOUT_S = 180

pytestmark = pytest.mark.slow


def _sync_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sync_notebook", EXAMPLES / "sync_notebook.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sample_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample landing days run through every pipeline step (as the DAG does) into a fresh lake."""
    lake = tmp_path_factory.mktemp("sample") / "lake"
    for day in SAMPLE_DAYS:
        run_day(SAMPLE_LANDING, lake, day)
    return lake


def _assert_png(path: Path) -> None:
    assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = matplotlib.image.imread(path)
    assert pixels.ndim == 3 and pixels.shape[0] > 300 and pixels.shape[1] > 600
    assert pixels.std() > 0.05  # a chart, not a blank canvas


def test_notebook_has_the_same_cells_as_the_script() -> None:
    sync = _sync_module()
    script_cells = sync.script_cells(SCRIPT.read_text(encoding="utf-8"))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nb_cells = sync.notebook_cells(notebook)
    assert [s for k, s in nb_cells if k == "code"] == [s for k, s in script_cells if k == "code"]
    assert nb_cells == script_cells
    assert NOTEBOOK.read_text(encoding="utf-8") == sync.render(SCRIPT.read_text(encoding="utf-8")), \
        "run `python examples/sync_notebook.py`"
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    assert len([k for k, _ in script_cells if k == "code"]) >= 5


def test_sample_lake_reads_through_the_public_api(sample_lake: Path) -> None:
    articles = newsflow.read("articles", lake=sample_lake)
    assert sorted({d.isoformat() for d in articles["ingest_date"]}) == SAMPLE_DAYS
    assert articles["article_id"].is_unique and articles["body"].str.len().min() > 0
    day = date.fromisoformat(SAMPLE_DAYS[0])
    published = newsflow.read_published(day, day, columns=["published_at"], lake=sample_lake)
    assert len(published) > 0
    assert all(ts.date() == day for ts in published["published_at"])
    assert len(newsflow.read("entities", SAMPLE_DAYS[0], SAMPLE_DAYS[0], lake=sample_lake)) > 0


def test_published_sample_files_carry_versions_statistics_and_sort_order(sample_lake: Path) -> None:
    for table in schemas.TABLE_SCHEMAS:
        for path in sorted((sample_lake / table).glob("ingest_date=*/*.parquet")):
            pf = pq.ParquetFile(path)
            meta = pf.schema_arrow.metadata
            assert meta[b"newsflow.pipeline_version"] == newsflow.PIPELINE_VERSION.encode()
            assert meta[b"newsflow.schema_version"] == schemas.SCHEMA_VERSION.encode()
            for i in range(pf.metadata.num_row_groups):
                if not pf.metadata.row_group(i).num_rows:  # an empty day's file: nothing to describe
                    continue
                for j in range(pf.metadata.num_columns):
                    column = pf.metadata.row_group(i).column(j)
                    assert column.compression == "ZSTD" and column.is_stats_set, (path, column.path_in_schema)
            if table == "articles" and pf.metadata.num_rows:
                times = pq.read_table(path, columns=["published_at"])["published_at"].to_pylist()
                known = [t for t in times if t is not None]
                assert known == sorted(known) and times[:len(times) - len(known)] == [None] * (len(times) - len(known))


def test_quickstart_script_runs_and_saves_a_chart(sample_lake: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "NEWSFLOW_LAKE_ROOT": str(sample_lake), "NEWSFLOW_EXAMPLE_OUT": str(out),
           "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(SCRIPT)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"lake {sample_lake}: {len(SAMPLE_DAYS)} days of articles" in done.stdout
    assert "appear together in" in done.stdout
    assert f"published on {SAMPLE_DAYS[0]} (UTC)" in done.stdout
    _assert_png(out / CHART)


def test_quickstart_notebook_executes(sample_lake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient

    out = tmp_path / "nb-out"
    monkeypatch.setenv("NEWSFLOW_LAKE_ROOT", str(sample_lake))
    monkeypatch.setenv("NEWSFLOW_EXAMPLE_OUT", str(out))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    text = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "chart saved to" in text and "appear together in" in text
    _assert_png(out / CHART)
