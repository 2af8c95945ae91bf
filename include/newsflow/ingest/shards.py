"""Shard planning: a day's input units dealt into equal shards, one mapped task each.

Every shard is a task process that pays its imports and the model load before its first article, so
shards are large; a day still splits so that the workers share it, and every shard gets the same mix of
inputs, because a day waits for its slowest shard.
"""

from __future__ import annotations

import heapq
from typing import Any

#: A day is not split below this many units per shard: a shard task costs ~3 s before its first article.
MIN_SPLIT_UNITS = 200


def shard_target(units: int, shard_size: int, min_shards: int) -> int:
    """Units per shard: at most ``shard_size``, and small enough for ``min_shards`` shards.

    Every shard is a task process that pays its imports and the spaCy load (~3 s), so shards are large;
    but a day of 1,000 units still splits into ``min_shards`` so the workers share it (not below
    ``MIN_SPLIT_UNITS``: a 12-unit day stays one shard).
    """
    return max(1, min(shard_size, max(MIN_SPLIT_UNITS, -(-units // max(1, min_shards)))))


def plan_shards(files: list[tuple[str, list[int] | None, int]], target: int,
                workers: int = 1) -> list[list[dict[str, Any]]]:
    """Deal the day's units into ``ceil(units / target)`` shards with the same mix of inputs each.

    ``files`` holds (path, JSONL line numbers or None, units) in listing order. Shards run in parallel
    and a day waits for its slowest shard, so each gets an equal slice of every JSONL file and every
    n-th single-unit file, not a contiguous run of the listing (which put all of one crawler's long
    records, or all HTML pages, into one shard). Each piece goes to the shard holding the fewest units
    so far (ties: the lowest index; a heap, so a day of a million files plans in seconds), so the plan is
    deterministic and shards stay within ``target`` (a JSON list file larger than that is kept whole).
    More than one shard is rounded up to a multiple of ``workers``: three equal shards on two workers
    take two full rounds, four smaller ones take two half-as-long rounds.
    """
    total = sum(n for *_, n in files)
    count = max(1, -(-total // max(1, target)))
    if count > 1 and workers > 1:
        count = -(-count // workers) * workers
    shards: list[list[dict[str, Any]]] = [[] for _ in range(count)]
    fill = [(0, k) for k in range(count)]  # (units so far, shard index): already a heap

    def place(piece: dict[str, Any], n: int) -> None:
        units, k = heapq.heappop(fill)
        shards[k].append(piece)
        heapq.heappush(fill, (units + n, k))

    for rel, lines, n in files:
        if lines is None:  # one unit (or a JSON list, kept whole)
            place({"file": rel, "start": None, "end": None}, n)
            continue
        step = -(-len(lines) // count)
        for i in range(0, len(lines), step):
            chunk = lines[i:i + step]
            place({"file": rel, "start": chunk[0], "end": chunk[-1] + 1}, len(chunk))
    return shards
