"""Duplicate stories: exact copies by content hash, syndicated near-copies by MinHash/LSH (datasketch).

The signature is computed per article in the clean stage (parallel, per shard); grouping needs the
whole day and runs once. The first copy in a deterministic order (earliest ``published_at``, then
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


def find_duplicates(article_ids: Sequence[str], hashes: Sequence[str], signatures: Sequence[bytes]) -> dict[str, str]:
    """{article_id: first copy's article_id} for every duplicate; inputs must be in canonical order."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    first_by_hash: dict[str, str] = {}
    story_of: dict[str, str] = {}
    duplicate_of: dict[str, str] = {}
    order = {aid: i for i, aid in enumerate(article_ids)}
    for aid, digest, sig in zip(article_ids, hashes, signatures, strict=True):
        if digest in first_by_hash:
            duplicate_of[aid] = first_by_hash[digest]
            continue
        first_by_hash[digest] = aid
        mh = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME, permutations=_permutations(), hashvalues=np.frombuffer(sig, dtype="<u4").astype(np.uint64))
        candidates = [c for c in lsh.query(mh) if c in story_of]
        if candidates:
            first = min((story_of[c] for c in candidates), key=order.__getitem__)
            duplicate_of[aid] = first
            first_by_hash[digest] = first
            continue
        story_of[aid] = aid
        lsh.insert(aid, mh)
    # Exact copies of a near-duplicate point at the story's first copy too.
    return {aid: (duplicate_of.get(first, first)) for aid, first in duplicate_of.items()}
