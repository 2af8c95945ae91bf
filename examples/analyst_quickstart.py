# %% [markdown]
# # newsflow analyst quickstart
#
# Reads the lake the daily pipeline publishes (`make run` fills `data/lake` with the sample days) and
# answers four everyday questions: which entities led each day, where two people are mentioned
# together, how many articles each source sent, and what was *published* (not ingested) on a day.
#
# Every read returns a pandas DataFrame with Arrow-backed dtypes and an `ingest_date` column. Column
# meanings are in `docs/data-dictionary.md`. Run it as a script (`python examples/analyst_quickstart.py`)
# or open `examples/analyst_quickstart.ipynb`, which holds the same cells
# (`python examples/sync_notebook.py` regenerates it after editing this file).
# Set `NEWSFLOW_LAKE_ROOT` to read another lake and `NEWSFLOW_EXAMPLE_OUT` to put the chart elsewhere.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import newsflow
import pandas as pd
from newsflow.config import Settings
from newsflow.reader import partition_days

plt.switch_backend("Agg")  # files only: works without a display, in CI and in the notebook alike
pd.set_option("display.width", 140)
pd.set_option("display.max_colwidth", 60)

LAKE = Settings.from_env().lake_root  # $NEWSFLOW_LAKE_ROOT, else data/lake in the repository
OUT = Path(os.environ.get("NEWSFLOW_EXAMPLE_OUT", LAKE.parent / "examples"))
OUT.mkdir(parents=True, exist_ok=True)
DAYS = partition_days(LAKE, "articles")
if not DAYS:
    raise SystemExit(f"no articles in {LAKE}: run `make run` first, or set NEWSFLOW_LAKE_ROOT")
print(f"lake {LAKE}: {len(DAYS)} days of articles, {DAYS[0]} .. {DAYS[-1]}")

# %% [markdown]
# ## Articles per source
#
# Read only the columns you need: the files are columnar, so the article bodies are never touched.
# `start`/`end` select `ingest_date` partitions (inclusive); leave them out to read everything.

# %%
articles = newsflow.read("articles", start=DAYS[0], end=DAYS[-1],
                         columns=["article_id", "title", "source", "published_at", "duplicate_of"])
articles["source"] = articles["source"].fillna("(unknown)")
per_source = articles.groupby("source").size().sort_values(ascending=False).rename("articles")
per_source_day = articles.pivot_table(index="source", columns="ingest_date", values="article_id",
                                      aggfunc="count", fill_value=0)
print(per_source.to_string())
print(f"{len(articles)} articles, {articles['duplicate_of'].notna().sum()} duplicates of an earlier copy")

# %% [markdown]
# ## Top entities per day
#
# `entities` has one row per entity per article, so counting rows counts articles mentioning it.

# %%
entities = newsflow.read("entities", start=DAYS[0], end=DAYS[-1], columns=["article_id", "entity", "label"])
top_per_day = (entities.groupby(["ingest_date", "entity", "label"]).size().rename("articles").reset_index()
               .sort_values(["ingest_date", "articles", "entity"], ascending=[True, False, True])
               .groupby("ingest_date").head(3))
print(top_per_day.to_string(index=False))

# %% [markdown]
# ## Co-mentions of two people
#
# Pairs of people named in the same article, then the articles behind the most frequent pair.
# Set `PEOPLE = ("First Person", "Second Person")` to look at a pair of your choice.

# %%
people = newsflow.read("entities", filters=[("label", "==", "PERSON")], columns=["article_id", "entity"])
pairs = people.merge(people, on=["article_id", "ingest_date"], suffixes=("_a", "_b"))
pairs = pairs[pairs["entity_a"] < pairs["entity_b"]]
pair_counts = pairs.groupby(["entity_a", "entity_b"]).size().rename("articles").sort_values(ascending=False)
print(pair_counts.head(5).to_string())
PEOPLE = tuple(pair_counts.index[0]) if len(pair_counts) else ("", "")
both = set(people.loc[people["entity"] == PEOPLE[0], "article_id"]) & set(
    people.loc[people["entity"] == PEOPLE[1], "article_id"])
together = articles[articles["article_id"].isin(both)][["ingest_date", "source", "title"]]
print(f"{PEOPLE[0]} and {PEOPLE[1]} appear together in {len(together)} article(s):")
print(together.to_string(index=False))

# %% [markdown]
# ## What was published on a day
#
# `read_published` selects articles by `published_at` whatever day they were ingested; files are
# sorted by `published_at`, so row groups outside the range are skipped without being read.

# %%
published = newsflow.read_published(DAYS[0], DAYS[0], columns=["published_at", "source", "title"])
print(f"published on {DAYS[0]} (UTC): {len(published)} article(s), ingested on "
      f"{sorted(str(d) for d in published['ingest_date'].unique())}")
print(published.sort_values("published_at").to_string(index=False))

# %% [markdown]
# ## Chart
#
# Articles per source and ingest day, next to the most mentioned entities, saved as a PNG.

# %%
top_entities = (entities.groupby(["entity", "label"]).size().sort_values(ascending=False).head(10)
                .rename("articles"))
fig, (left, right) = plt.subplots(1, 2, figsize=(13, 6), layout="constrained")
per_source_day.loc[per_source.index[::-1]].astype("int64").plot.barh(stacked=True, ax=left)
left.set(title="Articles per source", xlabel="articles", ylabel="")
left.legend(title="ingest date", fontsize="small")
right.barh([f"{e} ({label})" for e, label in top_entities.index[::-1]], top_entities.to_numpy()[::-1])
right.set(title="Most mentioned entities", xlabel="articles mentioning")
CHART = OUT / "analyst_quickstart.png"
fig.savefig(CHART, dpi=100)
plt.close(fig)
print(f"chart saved to {CHART}")
