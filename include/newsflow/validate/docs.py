"""Make GX Data Docs render with no internet: drop CDN tags, inline a small stylesheet, plain index.

GX's pages pull Bootstrap, jQuery, Font Awesome and Vega from CDNs and render the index table with
bootstrap-table JavaScript, so offline (or under a strict CSP) they are unstyled and the index is empty.
The validation and suite pages are server-rendered HTML, so removing the remote tags and adding a few
CSS rules is enough for them; the index is rewritten as a static list of links.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref=[\"']?(?:https?:)?//[^>]*>", re.I)
_REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"']?(?:https?:)?//[^>]*>\s*</script>", re.I)
_REMOTE_IMG = re.compile(r"<img\b[^>]*\bsrc=[\"']?(?:https?:)?//[^>]*>", re.I | re.S)
_REMOTE_CSS_URL = re.compile(r"url\(\s*['\"]?(?:https?:)?//[^)]*\)", re.I)
#: Static files the rewritten pages still use; GX copies ~4 MB of images and fonts we do not need.
KEEP_STATIC = ("images/favicon.ico", "styles")

OFFLINE_CSS = """
/* newsflow offline stylesheet: replaces Bootstrap/Font Awesome from CDNs */
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#212529;font-size:14px}
.container-fluid{padding:0 1rem}.row{display:flex;flex-wrap:wrap}
.col-12{flex:0 0 100%;max-width:100%}.col-6{flex:0 0 50%;max-width:50%}
.col-md-2,.col-lg-2{flex:0 0 16%;max-width:16%}.col-md-10,.col-lg-10{flex:0 0 82%;max-width:82%}
.collapse,.fade,.tab-pane{display:block!important;opacity:1!important}
.d-none{display:none}.navbar{padding:.5rem 1rem;border-bottom:1px solid #dee2e6}
.alert{padding:.5rem .75rem;margin:.5rem 0;border-radius:4px}.alert-secondary{background:#e2e3e5}
table{border-collapse:collapse;margin:.5rem 0;width:100%}td,th{border:1px solid #dee2e6;padding:.25rem .5rem;
vertical-align:top;text-align:left}thead[hidden]{display:none}
.text-danger{color:#c0392b}.text-success{color:#1e8449}.text-warning{color:#b9770e}
.badge{display:inline-block;padding:0 .35rem;border-radius:3px;background:#6c757d;color:#fff;font-size:.85em}
.nav,.breadcrumb{list-style:none;padding-left:0}.nav-link{display:block;padding:.15rem 0}
.btn{display:none}.sticky-top{position:static}.show-scrollbars{overflow-x:auto}
.fas.fa-check-circle::before{content:"\\2714";color:#1e8449}.fas.fa-times::before{content:"\\2718"}
.fas.fa-exclamation-triangle::before{content:"\\26A0"}.fas.fa-info-circle::before{content:"\\2139"}
pre,code{white-space:pre-wrap;word-break:break-word}
"""


def make_offline(html_text: str) -> str:
    """The page without remote link/script/img tags or CSS urls, with the offline stylesheet inlined."""
    text = _REMOTE_SCRIPT.sub("", html_text)
    text = _REMOTE_LINK.sub("", text)
    text = _REMOTE_IMG.sub("<strong>Data Docs</strong>", text)
    text = _REMOTE_CSS_URL.sub("none", text)
    return text.replace("</head>", f"<style>{OFFLINE_CSS}</style>\n</head>", 1)


def finalize_site(site: Path, title: str, entries: list[dict[str, Any]]) -> None:
    """Rewrite every page for offline use, replace the index, prune unused static files.

    ``entries``: ``{"suite": name, "success": bool, "summary": str}`` per validated frame, for the index.
    """
    static = site / "static"
    if static.is_dir():
        for path in sorted(static.rglob("*"), reverse=True):  # children before their directories
            rel = path.relative_to(static).as_posix()
            if path.is_file() and not rel.startswith(KEEP_STATIC):
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    pages = sorted(p for p in site.rglob("*.html") if p.name != "index.html" or p.parent != site)
    for page in pages:
        page.write_text(make_offline(page.read_text(encoding="utf-8")), encoding="utf-8")
    rows = []
    for entry in entries:
        suite = entry["suite"]
        validations = sorted(site.glob(f"validations/{suite}/**/*.html"))
        links = " ".join(f'<a href="{html.escape(v.relative_to(site).as_posix())}">results</a>'
                         for v in validations)
        status = '<span class="text-success">passed</span>' if entry["success"] else \
            '<span class="text-danger">failed</span>'
        rows.append(f"<tr><td>{html.escape(suite)}</td><td>{status}</td><td>{html.escape(entry['summary'])}</td>"
                    f'<td>{links} <a href="expectations/{html.escape(suite)}.html">suite</a></td></tr>')
    index = (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
             f'<link rel="icon" href="static/images/favicon.ico"><style>{OFFLINE_CSS}</style></head>'
             f'<body><div class="container-fluid"><h1>{html.escape(title)}</h1>'
             "<p>Great Expectations validation results for the day's tables (rendered offline).</p>"
             "<table><thead><tr><th>Suite</th><th>Status</th><th>Expectations</th><th>Pages</th></tr></thead>"
             f"<tbody>{''.join(rows)}</tbody></table></div></body></html>\n")
    (site / "index.html").write_text(index, encoding="utf-8")
