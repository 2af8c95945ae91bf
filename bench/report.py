"""The bench's stdout table (Markdown, pasteable into the README) built from the results JSON."""

from __future__ import annotations

from typing import Any

STAGE_LABELS = {"ingest": "ingest (list, furniture, shards)", "clean": "clean+segment+metadata",
                "entities": "entities", "duplicates": "duplicates (day)", "validate": "validate (day)",
                "publish": "publish (day)"}


def _rate(n: float, seconds: float) -> str:
    return f"{n / seconds:,.0f}" if seconds > 0 else "-"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


def stage_table(day: dict[str, Any]) -> list[str]:
    """One row per stage of a single-process run: step seconds, articles/s, words/s, peak RSS."""
    n, words = day["articles"], day["words"]
    lines = ["| stage | seconds | articles/s | words/s | + setup s | peak RSS/process MB |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, label in STAGE_LABELS.items():
        st = day["stages"][name]
        note = " (see notes)" if st.get("notes") else ""
        lines.append(f"| {label}{note} | {st['compute_s']:.2f} | {_rate(n, st['compute_s'])} | "
                     f"{_rate(words, st['compute_s'])} | {st['setup_s']:.1f} | {st['max_rss_mb']:.0f} |")
    lines.append(f"| **end to end** (wall, incl. process start and model load) | {day['wall_s']:.2f} | "
                 f"{_rate(n, day['wall_s'])} | {_rate(words, day['wall_s'])} | "
                 f"{sum(st['setup_s'] for st in day['stages'].values()):.1f} | {day['max_rss_mb']:.0f} |")
    return lines


def format_table(results: dict[str, Any]) -> str:
    """Headline ratios, scaling, stages of the smallest day, baselines, Airflow overhead, reader."""
    out: list[str] = []
    m = results["machine"]
    out.append(f"newsflow bench {results['date']} on {m['name']}: {m['nproc']} cores, {m['ram_gib']} GiB, "
               f"{m['cpu']}")
    sizes = results["sizes"]
    out += ["", "### Scaling (input units per day)", "",
            "| day size | task processes | processes | articles | seconds | articles/s | words/s | "
            "of which setup s | peak RSS/process MB |", "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for size in sizes:
        for run in results["runs"].get(str(size), []):
            out.append(f"| {size:,} | {run.get('workers', 'cold')} | {run['processes']} | {run['articles']:,} | "
                       f"{run['wall_s']:.1f} | "
                       f"{_rate(run['articles'], run['wall_s'])} | {_rate(run['words'], run['wall_s'])} | "
                       f"{sum(st['setup_s'] for st in run['stages'].values()):.1f} | {run['max_rss_mb']:.0f} |")
    repeats = [f"{size:,} {r.get('workers', 'cold')} {r['processes']}p: {', '.join(f'{w:.1f}' for w in r['repeat_wall_s'])} s"
               for size in sizes for r in results["runs"].get(str(size), []) if len(r.get("repeat_wall_s", [])) > 1]
    if repeats:
        out += ["", "Repeated days, the median run shown: " + "; ".join(repeats)]
    head = results.get("headline", {})
    if head:
        out += ["", "### Headline", ""]
        out += [f"- {k}: {v}" for k, v in head.items()]
    first = results["runs"].get(str(results["baseline_size"]), [])
    for kind, title in (("cold", "one fresh process per stage"), ("warm", "tasks forked from one warm worker")):
        single = next((r for r in first if r["processes"] == 1 and r.get("workers", "cold") == kind), None)
        if single:
            out += ["", f"### Stages, {results['baseline_size']:,}-unit day, {title}", ""]
            out += stage_table(single)
    base = results.get("baselines", {})
    if base:
        out += ["", f"### Baselines on the same {results['baseline_size']:,}-unit day", "",
                "| baseline | seconds | units/s | words/s | peak RSS MB | newsflow vs baseline |",
                "|---|---:|---:|---:|---:|---:|"]
        for key, entry in base.items():
            if "error" in entry:
                out.append(f"| {key} | failed: {entry['error']} | | | | |")
        a = base.get("a_user_script")
        if a and "error" not in a:
            out.append(f"| (a) trafilatura + full en_core_web_sm per article + pandas | {a['wall_s']:.1f} | "
                       f"{_rate(a['units'], a['wall_s'])} | {_rate(a['words'], a['wall_s'])} | "
                       f"{a['max_rss_mb']:.0f} | " + ", ".join(
                           f"{head[f'end_to_end_vs_a_{m}']} ({m.replace('_', ' ')})" for m in
                           ("1p", "2p", "1p_warm", "2p_warm") if f"end_to_end_vs_a_{m}" in head) + " |")
        b = base.get("b_ner_pipe")
        if b and "error" not in b:
            out.append(f"| (b) bare nlp.pipe, NER only (bodies) | {b['seconds']:.1f} | "
                       f"{_rate(b['articles'], b['seconds'])} | {_rate(b['words'], b['seconds'])} | "
                       f"{b['max_rss_mb']:.0f} | entities stage at {head.get('entities_vs_b', '-')} |")
        c = base.get("c_html")
        if c and "error" not in c:
            for label in ("newspaper4k", "trafilatura", "newsflow"):
                r = c[label]
                out.append(f"| (c) {label} on {c['pages']} HTML pages | {r['seconds']:.2f} | "
                           f"{r['pages_per_s']} | {_rate(r['words'], r['seconds'])} | {c['max_rss_mb']:.0f} | "
                           f"newsflow {_ratio(c[label]['seconds'], c['newsflow']['seconds'])} as fast |")
    by_size = results.get("baseline_a_by_size") or {}
    if len(by_size) > 1:
        modes = [(kind, p) for kind in ("cold", "warm") for p in (1, 2)
                 if any(r.get("workers", "cold") == kind and r["processes"] == p
                        for runs_ in results["runs"].values() for r in runs_)]
        labels = [f"{kind} {p} proc{'s' if p > 1 else ''}" for kind, p in modes]
        out += ["", "### End to end vs baseline (a) by day size (same articles, same run)", "",
                "| day size | baseline (a) s | " + " | ".join(f"newsflow {lb} s" for lb in labels) + " | "
                + " | ".join(f"ratio {lb}" for lb in labels) + " |",
                "|---:|---:|" + "---:|" * (2 * len(modes))]
        for size in sorted(by_size, key=int):
            a = by_size[size]
            if "error" in a:
                out.append(f"| {int(size):,} | failed: {a['error']} |" + " |" * (2 * len(modes)))
                continue
            runs = {(r.get("workers", "cold"), r["processes"]): r for r in results["runs"].get(size, [])}
            cells = [f"{runs[m]['wall_s']:.1f}" if m in runs else "-" for m in modes]
            ratios = [_ratio(a["wall_s"], runs[m]["wall_s"]) if m in runs else "-" for m in modes]
            out.append(f"| {int(size):,} | {a['wall_s']:.1f} | " + " | ".join(cells + ratios) + " |")
    af = results.get("airflow")
    if af:
        out += ["", "### Airflow", ""]
        if af.get("wall_s") is not None:
            out.append(f"- `airflow dags test` of the {af['size']:,}-unit day: {af['wall_s']:.1f}s wall, "
                       f"steps {af['steps_s']:.1f}s, overhead {af['overhead_s']:.1f}s "
                       f"({af['overhead_share']:.0%}); state {af['state']}")
        else:
            out.append(f"- not measured: {af.get('reason')}")
        st = af.get("stack")
        if st and st.get("wall_s") is not None:
            out.append(f"- `make run`'s default path (short-lived scheduler + api-server + dag-processor, warm "
                       f"executor, 2 slots) on the same day: {st['wall_s']:.1f}s wall, of which {st['startup_s']:.1f}s "
                       f"start-up and {st['runs_s']:.1f}s the run; state {st['state']}")
        elif st:
            out.append(f"- `make run`'s default path: {st.get('state')}")
    sw = results.get("story_window")
    if sw and "error" not in sw:
        full = sw["full_window"]
        out += ["", "### Stories across days", "",
                f"- matching a {sw['per_day']:,}-article day against {sw['window']} earlier days of signatures: "
                f"{full['link_s']:.2f}s ({full['joined']:,} articles continue a story), peak RSS "
                f"{full['max_rss_mb']:.0f} MB; by window size: "
                + ", ".join(f"{d['earlier_days']}: {d['link_s']:.2f}s" for d in sw["days"])]
    rd = results.get("reader")
    if rd is not None:
        out += ["", "### Reader", ""]
        if not rd.get("available"):
            out.append(f"- {rd.get('reason', 'not available')}")
        else:
            out.append(f"- synthetic lake of {rd.get('days')} days x {rd.get('per_day'):,} articles "
                       f"({rd.get('articles_bytes_on_disk', 0) / 1e6:.1f} MB of articles), built in {rd.get('build_s')}s")
            out += [f"- {k}: {v['median']}s median, {v['first']}s first" + (f", {v['rows']:,} rows" if "rows" in v else "")
                    for k, v in sorted(rd.items()) if isinstance(v, dict) and "median" in v]
    return "\n".join(out) + "\n"
