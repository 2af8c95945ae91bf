"""Generate analyst_quickstart.ipynb from analyst_quickstart.py (percent-format cells), or check it.

The script is the source of truth: it is linted and executed by the tests, and the notebook is
regenerated from it (outputs stripped) so the two can never disagree.
``python examples/sync_notebook.py`` rewrites the notebook; ``--check`` exits 1 if it is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "analyst_quickstart.py"
NOTEBOOK = HERE / "analyst_quickstart.ipynb"
CELL_MARK = "# %%"


def script_cells(text: str) -> list[tuple[str, str]]:
    """``(kind, source)`` for each ``# %%`` cell; markdown cells lose their leading ``# ``."""
    cells: list[tuple[str, str]] = []
    kind, lines = "", []

    def flush() -> None:
        source = "\n".join(lines).strip("\n")
        if kind == "markdown":
            source = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in
                               source.splitlines())
        if kind and source.strip():
            cells.append((kind, source))

    for line in text.splitlines():
        if line.startswith(CELL_MARK):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        else:
            lines.append(line)
    flush()
    return cells


def notebook_cells(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


def build(text: str) -> nbformat.NotebookNode:
    """A clean notebook (no outputs, stable cell ids) holding the script's cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    for i, (kind, source) in enumerate(script_cells(text)):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(source, id=f"cell-{i:02d}"))
    return nb


def render(text: str) -> str:
    return nbformat.writes(build(text)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if the notebook differs from the script")
    args = parser.parse_args(argv)
    expected = render(SCRIPT.read_text(encoding="utf-8"))
    if args.check:
        current = NOTEBOOK.read_text(encoding="utf-8") if NOTEBOOK.exists() else ""
        if current != expected:
            sys.stderr.write(f"{NOTEBOOK.name} is out of date: run `python examples/sync_notebook.py`\n")
            return 1
        sys.stdout.write(f"{NOTEBOOK.name} matches {SCRIPT.name}\n")
        return 0
    NOTEBOOK.write_text(expected, encoding="utf-8")
    sys.stdout.write(f"wrote {NOTEBOOK}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
