"""Duplicate stories: exact copies by content hash, syndicated near-copies by MinHash (datasketch) and LSH.

The signature is computed per article in the clean stage (parallel, per shard); grouping needs the
whole day and runs once. Near-copies are found with :class:`NearIndex` (the same index matches a day
against earlier days in ``newsflow.enrich.stories``). The first copy in a deterministic order (earliest ``published_at``, then
``source_file``, then ``record_index``) is the story; later copies point at it with ``duplicate_of``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from newsflow.clean.fingerprint import normalise_for_hash

NUM_PERM = 64
SHINGLE_WORDS = 5
#: Estimated Jaccard similarity of word 5-shingles above which two bodies are one story.
THRESHOLD = 0.7
SCHEME = "affine32"


@functools.cache
def _permutations() -> tuple:
    """MinHash permutations for our seed, built once per process (datasketch regenerates them per object)."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME).permutations


def minhash_signature(body: str) -> bytes:
    """MinHash of the body's word 5-shingles as ``NUM_PERM`` little-endian uint32 values."""
    from datasketch import MinHash

    words = normalise_for_hash(body).split()
    shingles = {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}
    mh = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME, permutations=_permutations())
    mh.update_batch([s.encode() for s in sorted(shingles)])
    return np.asarray(mh.hashvalues, dtype="<u4").tobytes()


#: LSH banding of the near-copy index: 16 bands of 4 values make a pair at the threshold (J = 0.7) a
#: candidate with probability 1 - (1 - 0.7**4)**16 = 0.99 (datasketch's default 8 x 8: 0.38);
#: the similarity check after it keeps the precision.
BANDS, ROWS = 16, 4


class NearIndex:
    """Banded MinHash LSH over many signatures in numpy (a day, or the ~7 days of a story window).

    A candidate must share a band with the query, and then its estimated Jaccard similarity (the share of
    equal MinHash values) must reach ``THRESHOLD``: a chance band collision never joins two stories.
    """

    def __init__(self, signatures: Sequence[bytes | None]) -> None:
        self.bands, self.rows = BANDS, ROWS
        self.ids = [i for i, sig in enumerate(signatures) if sig]
        self.matrix = _matrix([signatures[i] for i in self.ids])
        self.buckets: list[dict[bytes, list[int]]] = [{} for _ in range(self.bands)]
        for band, keys in enumerate(self._keys(self.matrix)):
            bucket = self.buckets[band]
            for row, key in enumerate(keys):
                bucket.setdefault(key, []).append(row)

    def _keys(self, matrix: np.ndarray) -> list[list[bytes]]:
        r = self.rows
        return [[bytes(k) for k in np.ascontiguousarray(matrix[:, b * r:(b + 1) * r])] for b in range(self.bands)]

    def query(self, signatures: Sequence[bytes | None]) -> list[list[int]]:
        """For each signature, the indexes (into the constructor's list) of its near-copies, ascending."""
        present = [i for i, sig in enumerate(signatures) if sig]
        out: list[list[int]] = [[] for _ in signatures]
        if not present or not self.ids:
            return out
        matrix = _matrix([signatures[i] for i in present])
        keys = self._keys(matrix)
        for q, i in enumerate(present):
            rows: set[int] = set()
            for band in range(self.bands):
                rows.update(self.buckets[band].get(keys[band][q], ()))
            if rows:
                cand = np.fromiter(sorted(rows), dtype=np.int64)
                similar = (self.matrix[cand] == matrix[q]).mean(axis=1) >= THRESHOLD
                out[i] = [self.ids[c] for c in cand[similar]]
        return out


def _matrix(signatures: Sequence[bytes]) -> np.ndarray:
    if not signatures:
        return np.zeros((0, NUM_PERM), dtype="<u4")
    return np.frombuffer(b"".join(signatures), dtype="<u4").reshape(len(signatures), NUM_PERM)


def find_duplicates(article_ids: Sequence[str], hashes: Sequence[str], signatures: Sequence[bytes]) -> dict[str, str]:
    """{article_id: first copy's article_id} for every duplicate; inputs must be in canonical order.

    An article is a copy of the earliest story whose first copy has the same hash or is a near-copy of it.
    """
    near = NearIndex(signatures).query(signatures)
    first_by_hash: dict[str, str] = {}
    story_rows: set[int] = set()
    duplicate_of: dict[str, str] = {}
    for i, (aid, digest) in enumerate(zip(article_ids, hashes, strict=True)):
        if digest in first_by_hash:
            duplicate_of[aid] = first_by_hash[digest]
            continue
        earlier = [j for j in near[i] if j < i and j in story_rows]
        if earlier:
            first = article_ids[min(earlier)]
            duplicate_of[aid] = first_by_hash[digest] = first
            continue
        first_by_hash[digest] = aid
        story_rows.add(i)
    return duplicate_of
