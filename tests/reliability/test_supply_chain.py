"""Dependencies are pinned exactly and hash-locked, so what was audited is what gets installed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
def test_every_locked_requirement_is_pinned_with_hashes(lock: str) -> None:
    text = (REPO / lock).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)  # one entry per requirement, continuations included
    reqs = [e for e in entries if e.strip() and not e.lstrip().startswith(("#", "-"))]
    assert reqs
    loose = [e.split()[0] for e in reqs if "==" not in e.split()[0]]
    unhashed = [e.split()[0] for e in reqs if "--hash=sha256:" not in e]
    assert loose == [] and unhashed == []
