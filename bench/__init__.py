"""``make bench``: newsflow's throughput, memory and scaling next to what users would write instead.

Run ``python -m bench.run --help``. Landing zones and lakes go to ``bench/work/`` (git-ignored: the
corpora are research-only and must never be committed); results go to ``bench/results/``.
"""
