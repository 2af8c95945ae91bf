#!/usr/bin/env python3
"""Vulnerability and yank audit of the hashed locks that works where pip-audit's services do not.

pip-audit needs PyPI's per-version JSON API (``/pypi/<name>/<version>/json``) or OSV; on this project's
machines (and CI) the first answers 404 and the second is unreachable, so pip-audit audits nothing. This
tool still tries pip-audit first. For every pin pip-audit could not audit it falls back to PyPI's
*project* JSON (``/pypi/<name>/json``), whose ``vulnerabilities`` list covers the **latest release
only**. So:

- a pin equal to the latest release is checked exactly (covered);
- a pin behind (or ahead of) the latest release is *not covered*: the advisories of the latest release say
  nothing about older versions (one fixed before the latest release is simply absent). Such pins are
  listed with how far behind they are and count against the printed coverage figure. Advisories that do
  affect the latest release are still reported for them, marked unverified (fail closed: a
  vulnerability that is still open upstream cannot be bumped away, so it must be documented);
- a pinned release that PyPI marks yanked, or that PyPI no longer has, is a finding in any mode.

A finding fails the audit unless ``audit-exceptions.toml`` documents it (id, package, reason, reviewed).

Exit codes: 0 clean (every finding documented); 1 at least one undocumented finding (even if some
packages could not be checked); 2 could not check (PyPI unreachable for some package) and no
undocumented finding among the rest; 3 invalid input (lock or exception file, arguments).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import http.client
import json
import logging
import re
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

log = logging.getLogger("audit_deps")

REPO = Path(__file__).resolve().parents[1]
DEFAULT_LOCKS = ("requirements.txt", "requirements-dev.txt")
DEFAULT_EXCEPTIONS = "audit-exceptions.toml"
DEFAULT_INDEX = "https://pypi.org"

EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNCHECKED, EXIT_INVALID = 0, 1, 2, 3
#: Exceptions reviewed longer ago than this are flagged for re-review (a warning, not a failure).
REVIEW_MAX_AGE_DAYS = 180

_REQ_LINE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;\\]+)")


class InvalidInput(Exception):
    """A lock or exception file this tool cannot trust; exit 3 rather than audit the wrong thing."""


class FetchError(Exception):
    """PyPI could not be asked (after retries) or answered something other than the document."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotAttempted(FetchError):
    """A request skipped because PyPI already looked unreachable or the time budget ran out."""


FetchJson = Callable[[str], Any]


# ---------------------------------------------------------------------------------------------- model


@dataclasses.dataclass(frozen=True)
class Pin:
    """One ``name==version`` from the locks; ``locks`` says which files pin it."""

    name: str
    version: str
    locks: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Advisory:
    """One vulnerability, its aliases (PYSEC/GHSA/CVE entries of the same issue merged) and fixes."""

    id: str
    aliases: frozenset[str]
    fixed_in: tuple[str, ...]
    summary: str
    link: str

    @property
    def ids(self) -> frozenset[str]:
        return self.aliases | {self.id}


@dataclasses.dataclass(frozen=True)
class Release:
    """One release's yank state and first upload time (for "how far behind" in days)."""

    version: Version
    yanked: bool
    yanked_reason: str
    uploaded: dt.datetime | None


@dataclasses.dataclass(frozen=True)
class Project:
    """The part of PyPI's project JSON the audit needs (kept small: some documents are megabytes)."""

    name: str
    latest: Version | None
    advisories: tuple[Advisory, ...]  # of the latest release only
    releases: Mapping[Version, Release]

    @classmethod
    def from_json(cls, name: str, data: Mapping[str, Any]) -> Project:
        try:
            info = data["info"]
            raw_releases = data["releases"]
            vulns = data.get("vulnerabilities") or []
        except (KeyError, TypeError) as exc:
            raise FetchError(f"{name}: project JSON lacks {exc}") from exc
        releases: dict[Version, Release] = {}
        for raw, files in raw_releases.items():
            try:
                version = Version(raw)
            except InvalidVersion:
                continue  # legacy version strings cannot be pinned by a PEP 440 lock
            if not files:
                continue
            yanked = [f for f in files if f.get("yanked")]
            reason = next((f["yanked_reason"].strip() for f in yanked if f.get("yanked_reason")), "")
            uploaded = min((_parse_time(f.get("upload_time_iso_8601")) for f in files), default=None,
                           key=lambda t: t or dt.datetime.max.replace(tzinfo=dt.UTC))
            releases[version] = Release(version, bool(yanked), reason, uploaded)
        try:
            latest = Version(info["version"]) if info.get("version") else None
        except InvalidVersion:
            latest = None
        return cls(canonicalize_name(name), latest, tuple(group_advisories(vulns)), releases)


@dataclasses.dataclass(frozen=True)
class Finding:
    """Something wrong with a pin: ``kind`` is advisory, yanked or missing-release."""

    kind: str
    package: str
    version: str
    id: str
    ids: frozenset[str]
    detail: str
    verified: bool = True  # False: the advisory affects the latest release; the pin is older/newer


@dataclasses.dataclass(frozen=True)
class AllowEntry:
    """One reviewed finding from audit-exceptions.toml; ``version`` None accepts any pinned version."""

    id: str
    package: str
    version: str | None
    reason: str
    reviewed: dt.date

    def matches(self, finding: Finding) -> bool:
        if canonicalize_name(self.package) != finding.package:
            return False
        if self.id.casefold() not in {i.casefold() for i in finding.ids}:
            return False
        return self.version is None or Version(self.version) == Version(finding.version)


@dataclasses.dataclass(frozen=True)
class Behind:
    """A pin that is not the latest release, so the advisory data does not cover it."""

    pin: Pin
    latest: str
    releases_behind: int  # final, non-yanked releases in (pin, latest]; 0 when ahead
    days_behind: int | None
    ahead: bool = False


@dataclasses.dataclass
class Report:
    pins: list[Pin]
    source: str
    covered: list[Pin] = dataclasses.field(default_factory=list)
    behind: list[Behind] = dataclasses.field(default_factory=list)
    findings: list[tuple[Finding, AllowEntry | None]] = dataclasses.field(default_factory=list)
    unchecked: dict[str, str] = dataclasses.field(default_factory=dict)  # package -> why
    stale_exceptions: list[AllowEntry] = dataclasses.field(default_factory=list)
    old_reviews: list[AllowEntry] = dataclasses.field(default_factory=list)
    seconds: float = 0.0

    @property
    def undocumented(self) -> list[Finding]:
        return [f for f, entry in self.findings if entry is None]

    @property
    def exit_code(self) -> int:
        if self.undocumented:
            return EXIT_FINDINGS
        if self.unchecked:
            return EXIT_UNCHECKED
        return EXIT_CLEAN


# ----------------------------------------------------------------------------------------------- input


def parse_lock(path: Path) -> list[tuple[str, str]]:
    """``(canonical name, version)`` of every requirement; anything not ``==``-pinned is invalid input."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read lock {path}: {exc}") from exc
    pins = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "--hash")):
            continue  # comments and the indented hash continuation lines
        if stripped.startswith(("-r", "--requirement", "-e", "--editable")) or line[:1].isspace():
            raise InvalidInput(f"{path}:{number}: cannot audit what this line brings in: {stripped[:80]}")
        if stripped.startswith("-"):
            continue  # other options (-c, --index-url, ...) name no package
        match = _REQ_LINE.match(stripped)
        if not match:
            raise InvalidInput(f"{path}:{number}: not an exact pin: {stripped[:80]}")
        try:
            Version(match["version"])
        except InvalidVersion as exc:
            raise InvalidInput(f"{path}:{number}: not a PEP 440 version: {match['version']}") from exc
        pins.append((canonicalize_name(match["name"]), match["version"]))
    if not pins:
        raise InvalidInput(f"{path}: no pinned requirement")
    return pins


def load_pins(paths: Sequence[Path]) -> list[Pin]:
    """Unique pins over all locks (the dev lock is constrained by the runtime one, so they overlap)."""
    where: dict[tuple[str, str], list[str]] = {}
    for path in paths:
        for name, version in parse_lock(path):
            where.setdefault((name, version), []).append(path.name)
    return [Pin(name, version, tuple(locks)) for (name, version), locks in sorted(where.items())]


def load_exceptions(path: Path) -> list[AllowEntry]:
    """The committed allow-list; a missing file is an empty list, a malformed one invalid input."""
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"{path}: {exc}") from exc
    entries = []
    for index, raw in enumerate(data.get("exception", [])):
        where = f"{path.name} [[exception]] #{index + 1}"
        missing = [k for k in ("id", "package", "reason", "reviewed") if not raw.get(k)]
        if missing:
            raise InvalidInput(f"{where}: missing {', '.join(missing)}")
        reviewed = raw["reviewed"]
        if not isinstance(reviewed, dt.date) or isinstance(reviewed, dt.datetime):
            raise InvalidInput(f"{where}: reviewed must be a TOML date (YYYY-MM-DD)")
        version = raw.get("version")
        if version is not None:
            try:
                Version(str(version))
            except InvalidVersion as exc:
                raise InvalidInput(f"{where}: bad version {version!r}") from exc
        if str(raw["id"]).casefold() in {"yanked", "missing-release"} and version is None:
            raise InvalidInput(f"{where}: a {raw['id']} exception must name the version it accepts")
        entries.append(AllowEntry(str(raw["id"]), str(raw["package"]), version and str(version),
                                  str(raw["reason"]).strip(), reviewed))
    return entries


# ------------------------------------------------------------------------------------------ advisories


def _parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _preferred_id(ids: Iterable[str]) -> str:
    order = ("GHSA-", "PYSEC-", "CVE-")
    return min(ids, key=lambda i: (next((n for n, p in enumerate(order) if i.startswith(p)), len(order)), i))


def group_advisories(entries: Iterable[Mapping[str, Any]]) -> list[Advisory]:
    """Merge entries that name each other (PyPI lists one issue once per database) and drop withdrawn."""
    kept = []
    for entry in entries:
        if entry.get("withdrawn"):
            log.debug("ignoring withdrawn advisory %s (withdrawn %s)", entry.get("id"), entry["withdrawn"])
            continue
        kept.append(entry)
    groups: list[tuple[set[str], list[Mapping[str, Any]]]] = []
    for entry in kept:
        ids = {str(entry["id"]), *map(str, entry.get("aliases") or [])}
        overlapping = [g for g in groups if g[0] & ids]
        merged_ids, merged_entries = set(ids), [entry]
        for group in overlapping:
            groups.remove(group)
            merged_ids |= group[0]
            merged_entries = group[1] + merged_entries
        groups.append((merged_ids, merged_entries))
    advisories = []
    for ids, members in groups:
        primary = _preferred_id(ids)
        fixed = sorted({str(v) for m in members for v in (m.get("fixed_in") or m.get("fix_versions") or [])})
        text = next((str(m[k]) for m in members for k in ("summary", "details", "description") if m.get(k)), "")
        summary = " ".join(text.split())
        summary = summary if len(summary) <= 160 else summary[:157] + "..."
        link = next((str(m["link"]) for m in members if m.get("link")), f"https://osv.dev/vulnerability/{primary}")
        advisories.append(Advisory(primary, frozenset(ids - {primary}), tuple(fixed), summary, link))
    return sorted(advisories, key=lambda a: a.id)


# -------------------------------------------------------------------------------------------- network


def make_fetch_json(timeout: float = 20.0, attempts: int = 3, backoff: float = 1.0) -> FetchJson:
    """GET a JSON document with a timeout, retrying timeouts, resets, 429 and 5xx; 404 is final."""

    def fetch(url: str) -> Any:
        last: str = ""
        status: int | None = None
        for attempt in range(1, attempts + 1):
            request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                           "User-Agent": "newsflow-audit-deps/1"})
            retry_after = 0.0
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    raise FetchError(f"{url}: 404 Not Found", 404) from exc
                if exc.code != 429 and exc.code < 500:
                    raise FetchError(f"{url}: HTTP {exc.code}", exc.code) from exc
                last, status = f"HTTP {exc.code}", exc.code
                try:
                    retry_after = min(float(exc.headers.get("Retry-After") or 0), 30.0)
                except ValueError:
                    retry_after = 0.0
            except (OSError, http.client.HTTPException, json.JSONDecodeError) as exc:
                last = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"  # DNS, refused, TLS, timeout
            if attempt < attempts:
                delay = max(retry_after, backoff * 2 ** (attempt - 1))
                log.info("%s: %s, retry %d/%d in %.1fs", url, last, attempt, attempts - 1, delay)
                time.sleep(delay)
        raise FetchError(f"{url}: {last} after {attempts} attempts", status)

    return fetch


class _Breaker:
    """Stops asking after ``limit`` consecutive unanswered requests or past the deadline, so an outage
    (or a network that drops packets) costs seconds, not packages x attempts x timeout."""

    def __init__(self, limit: int, deadline: float) -> None:
        self.limit, self.deadline = limit, deadline
        self.failures_in_a_row = 0
        self.lock = threading.Lock()

    def check(self) -> None:
        with self.lock:
            if self.failures_in_a_row >= self.limit:
                raise NotAttempted(f"not attempted: {self.limit} requests in a row got no answer from PyPI")
        if time.monotonic() > self.deadline:
            raise NotAttempted("not attempted: the audit's time budget ran out")

    def record(self, error: FetchError | None) -> None:
        unanswered = error is not None and (error.status is None or error.status == 429 or error.status >= 500)
        with self.lock:
            self.failures_in_a_row = self.failures_in_a_row + 1 if unanswered else 0


def fetch_projects(names: Iterable[str], fetch_json: FetchJson, index: str, workers: int,
                   budget: float = 600.0, breaker_limit: int = 8) -> tuple[dict[str, Project], dict[str, str]]:
    """Project JSON of every package in parallel; failures come back per package, never raised."""
    breaker = _Breaker(breaker_limit, time.monotonic() + budget)

    def one(name: str) -> Project:
        breaker.check()
        try:
            data = fetch_json(f"{index}/pypi/{name}/json")
        except FetchError as exc:
            breaker.record(exc)
            raise
        breaker.record(None)
        return Project.from_json(name, data)

    projects: dict[str, Project] = {}
    failures: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {name: pool.submit(one, name) for name in sorted(set(names))}
        for name, future in futures.items():
            try:
                projects[name] = future.result()
            except NotAttempted as exc:
                log.debug("could not check %s: %s", name, exc)
                failures[name] = str(exc)
            except FetchError as exc:
                log.warning("could not check %s: %s", name, exc)
                failures[name] = str(exc)
            except Exception as exc:  # a malformed document must not hide the other packages' results
                log.exception("could not check %s", name)
                failures[name] = f"{type(exc).__name__}: {exc}"
    return projects, failures


# ------------------------------------------------------------------------------------------- pip-audit


PipAuditRunner = Callable[[Sequence[Path]], Mapping[str, Any]]


def run_pip_audit(locks: Sequence[Path], timeout: float = 900.0) -> Mapping[str, Any]:
    """pip-audit's JSON report of the locks, or FetchError when it produced none."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pip-audit.json"
        cmd = [sys.executable, "-m", "pip_audit", "--disable-pip", "--no-deps", "--progress-spinner", "off",
               "-f", "json", "--aliases", "on", "--desc", "off", "-o", str(out)]
        for lock in locks:
            cmd += ["-r", str(lock)]
        log.info("running %s", " ".join(cmd))
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise FetchError(f"pip-audit did not finish: {exc}") from exc
        # exit 1 also means "vulnerabilities found": only a missing/broken report is a failure
        if not out.exists():
            tail = (proc.stderr or "").strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
            raise FetchError(f"pip-audit wrote no report ({tail[0][:200]})")
        try:
            return json.loads(out.read_text())
        except json.JSONDecodeError as exc:
            raise FetchError(f"pip-audit report unreadable: {exc}") from exc


def advisories_from_pip_audit(report: Mapping[str, Any]) -> dict[tuple[str, str], list[Advisory]]:
    """``(name, version) -> advisories`` for every dependency pip-audit actually audited (skips dropped)."""
    audited: dict[tuple[str, str], list[Advisory]] = {}
    for dep in report.get("dependencies", []):
        if "skip_reason" in dep or "version" not in dep:
            log.debug("pip-audit skipped %s: %s", dep.get("name"), dep.get("skip_reason"))
            continue
        key = (canonicalize_name(dep["name"]), str(Version(dep["version"])))
        audited[key] = group_advisories(dep.get("vulns") or [])
    return audited


def try_pip_audit(locks: Sequence[Path], pins: Sequence[Pin], fetch_json: FetchJson, index: str,
                  runner: PipAuditRunner | None) -> tuple[dict[tuple[str, str], list[Advisory]], str]:
    """pip-audit's per-pin results where its PyPI service works, and a sentence saying what happened."""
    if runner is None:
        return {}, "pip-audit not attempted (--no-pip-audit)"
    probe = pins[0]
    try:  # the endpoint pip-audit's PyPI service needs; one request instead of one failing run
        fetch_json(f"{index}/pypi/{probe.name}/{probe.version}/json")
    except FetchError as exc:
        return {}, f"pip-audit unavailable: PyPI per-version JSON API fails ({exc})"
    try:
        audited = advisories_from_pip_audit(runner(locks))
    except FetchError as exc:
        return {}, f"pip-audit failed: {exc}"
    return audited, f"pip-audit (PyPI per-version API) audited {len(audited)} pins"


# ---------------------------------------------------------------------------------------------- audit


def assess(pin: Pin, project: Project, audited: Mapping[tuple[str, str], list[Advisory]]
           ) -> tuple[bool, list[Finding], Behind | None]:
    """``(covered, findings, behind)`` for one pin given its project data and any pip-audit result."""
    version = Version(pin.version)
    findings: list[Finding] = []
    release = project.releases.get(version)
    if release is None:
        findings.append(Finding("missing-release", pin.name, pin.version, "missing-release",
                                frozenset({"missing-release"}),
                                "PyPI has no files for this version (deleted?); installs will fail"))
    elif release.yanked:
        findings.append(Finding("yanked", pin.name, pin.version, "yanked", frozenset({"yanked"}),
                                f"yanked on PyPI: {release.yanked_reason or '(no reason given)'}"))

    from_pip_audit = audited.get((pin.name, str(version)))
    if from_pip_audit is not None:
        findings += [_advisory_finding(pin, a, True) for a in from_pip_audit]
        return True, findings, None
    if project.latest is not None and version == project.latest:
        findings += [_advisory_finding(pin, a, True) for a in project.advisories]
        return True, findings, None
    # Not covered. Advisories affecting the latest release are reported, unverified, fail-closed.
    findings += [_advisory_finding(pin, a, False, project.latest) for a in project.advisories]
    return False, findings, _behind(pin, version, project)


def _advisory_finding(pin: Pin, advisory: Advisory, verified: bool, latest: Version | None = None
                      ) -> Finding:
    fixed = ", ".join(advisory.fixed_in) or "no fix released"
    detail = f"{advisory.summary or advisory.link} (fixed in: {fixed}; {advisory.link})"
    if not verified:
        detail = f"affects latest {latest}; whether {pin.version} is affected is not known. " + detail
    return Finding("advisory", pin.name, pin.version, advisory.id, advisory.ids, detail, verified)


def _behind(pin: Pin, version: Version, project: Project) -> Behind:
    latest = project.latest
    if latest is None:
        return Behind(pin, "unknown", 0, None)
    if version > latest:
        return Behind(pin, str(latest), 0, None, ahead=True)
    newer = [r for v, r in project.releases.items()
             if version < v <= latest and not r.yanked and not (v.is_prerelease or v.is_devrelease)]
    days = None
    mine, theirs = project.releases.get(version), project.releases.get(latest)
    if mine and theirs and mine.uploaded and theirs.uploaded:
        days = (theirs.uploaded - mine.uploaded).days  # negative: latest is on an older line
    return Behind(pin, str(latest), len(newer), days)


def audit(pins: Sequence[Pin], projects: Mapping[str, Project], failures: Mapping[str, str],
          audited: Mapping[tuple[str, str], list[Advisory]], exceptions: Sequence[AllowEntry],
          source: str, today: dt.date) -> Report:
    """Classify every pin and match findings against the allow-list (pure: no I/O)."""
    report = Report(list(pins), source)
    used: set[int] = set()
    for pin in pins:
        project = projects.get(pin.name)
        if project is None:
            report.unchecked[pin.name] = failures.get(pin.name, "no data")
            continue
        covered, findings, behind = assess(pin, project, audited)
        if covered:
            report.covered.append(pin)
        if behind is not None:
            report.behind.append(behind)
        for finding in findings:
            entry = next((e for e in exceptions if e.matches(finding)), None)
            if entry is not None:
                used.add(id(entry))
            report.findings.append((finding, entry))
    report.stale_exceptions = [e for e in exceptions if id(e) not in used]
    report.old_reviews = [e for e in exceptions
                          if id(e) in used and (today - e.reviewed).days > REVIEW_MAX_AGE_DAYS]
    return report


# --------------------------------------------------------------------------------------------- report


def render(report: Report, locks: Sequence[Path]) -> str:
    """The human report (the tool's output, on stdout)."""
    n = len(report.pins)
    per_lock = {lock.name: sum(lock.name in p.locks for p in report.pins) for lock in locks}
    covered = len(report.covered)
    lines = [
        "dependency audit: " + ", ".join(f"{k} ({v} pins)" for k, v in per_lock.items())
        + f"; {n} unique pins",
        f"advisory source: {report.source}",
        f"coverage: {covered}/{n} pins checked for advisories ({100 * covered / max(n, 1):.1f}%)",
    ]
    if report.behind:
        ahead = [b for b in report.behind if b.ahead]
        behind = [b for b in report.behind if not b.ahead]
        buckets = {"1": 0, "2-5": 0, "6-20": 0, ">20": 0}
        for b in behind:
            k = "1" if b.releases_behind <= 1 else "2-5" if b.releases_behind <= 5 else (
                "6-20" if b.releases_behind <= 20 else ">20")
            buckets[k] += 1
        lines.append(f"not covered: {len(report.behind)} pins ({len(behind)} behind the latest release, "
                     f"{len(ahead)} ahead of it); releases behind: "
                     + ", ".join(f"{k}: {v}" for k, v in buckets.items()))
    if report.unchecked:
        lines.append(f"COULD NOT CHECK: {len(report.unchecked)} packages")
        unchecked = sorted(report.unchecked.items())
        lines += [f"  {name}: {why}" for name, why in unchecked[:20]]
        if len(unchecked) > 20:
            lines.append(f"  ... and {len(unchecked) - 20} more")
    documented = len(report.findings) - len(report.undocumented)
    lines.append(f"findings: {len(report.findings)} ({len(report.undocumented)} undocumented, "
                 f"{documented} documented in {DEFAULT_EXCEPTIONS})")
    for finding, entry in sorted(report.findings, key=lambda fe: (fe[1] is not None, fe[0].package)):
        tag = "UNDOCUMENTED" if entry is None else "documented"
        aliases = sorted(finding.ids - {finding.id})
        alias_text = f" ({', '.join(aliases)})" if aliases else ""
        lines.append(f"  [{tag}] {finding.package}=={finding.version} {finding.kind} {finding.id}{alias_text}"
                     f"{'' if finding.verified else ' [unverified for this pin]'}")
        lines.append(f"      {finding.detail}")
        if entry is not None:
            lines.append(f"      accepted {entry.reviewed}: {entry.reason}")
    for entry in report.stale_exceptions:
        lines.append(f"stale exception (matches no finding; remove it?): {entry.package} {entry.id}")
    for entry in report.old_reviews:
        lines.append(f"exception due for re-review (reviewed {entry.reviewed}): {entry.package} {entry.id}")
    if report.behind:
        lines.append("pins not covered (advisories for these versions are unknown to this audit):")
        for b in sorted(report.behind, key=lambda b: (-b.releases_behind, b.pin.name)):
            how = "ahead of latest" if b.ahead else _how_far(b)
            lines.append(f"  {b.pin.name} {b.pin.version} -> {b.latest} ({how}) [{', '.join(b.pin.locks)}]")
    verdict = {EXIT_CLEAN: "clean", EXIT_FINDINGS: "undocumented findings",
               EXIT_UNCHECKED: "could not check every package"}[report.exit_code]
    lines.append(f"result: {verdict} (exit {report.exit_code}) in {report.seconds:.1f}s")
    return "\n".join(lines) + "\n"


def _how_far(b: Behind) -> str:
    text = f"{b.releases_behind} release{'s' if b.releases_behind != 1 else ''} behind"
    if b.days_behind is None:
        return text
    if b.days_behind < 0:
        return text + f"; latest uploaded {-b.days_behind} days before the pin"
    return text + f", {b.days_behind} days"


def to_json(report: Report) -> dict[str, Any]:
    """Machine-readable form of the report (for CI artefacts and the figures in docs/reliability.md)."""
    return {
        "source": report.source,
        "pins": len(report.pins),
        "covered": len(report.covered),
        "not_covered": [{"name": b.pin.name, "version": b.pin.version, "latest": b.latest,
                         "releases_behind": b.releases_behind, "days_behind": b.days_behind,
                         "ahead": b.ahead, "locks": list(b.pin.locks)} for b in report.behind],
        "unchecked": report.unchecked,
        "findings": [{"kind": f.kind, "package": f.package, "version": f.version, "id": f.id,
                      "aliases": sorted(f.ids - {f.id}), "verified": f.verified, "detail": f.detail,
                      "documented": e is not None} for f, e in report.findings],
        "stale_exceptions": [dataclasses.asdict(e) | {"reviewed": str(e.reviewed)}
                             for e in report.stale_exceptions],
        "seconds": round(report.seconds, 2),
        "exit_code": report.exit_code,
    }


# ----------------------------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None, *, fetch_json: FetchJson | None = None,
         pip_audit: PipAuditRunner | None = run_pip_audit, today: dt.date | None = None,
         out: Any = None) -> int:
    """Run the audit; ``fetch_json``/``pip_audit`` are injectable so tests need no network."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("locks", nargs="*", type=Path, help=f"hashed locks (default: {' '.join(DEFAULT_LOCKS)})")
    parser.add_argument("--exceptions", type=Path, default=REPO / DEFAULT_EXCEPTIONS)
    parser.add_argument("--index", default=DEFAULT_INDEX, help="PyPI base URL")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per request")
    parser.add_argument("--attempts", type=int, default=3, help="tries per request")
    parser.add_argument("--budget", type=float, default=600.0, help="seconds for all PyPI requests")
    parser.add_argument("--no-pip-audit", action="store_true", help="go straight to the project JSON")
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="-v progress, -vv each request")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2, which here means "could not check"
        return EXIT_CLEAN if exc.code == 0 else EXIT_INVALID
    if not logging.getLogger().handlers:
        levels = (logging.WARNING, logging.INFO, logging.DEBUG)
        logging.basicConfig(level=levels[min(args.verbose, 2)], stream=sys.stderr,
                            format="%(levelname)s %(name)s: %(message)s")
    out = out or sys.stdout
    started = time.monotonic()
    locks = args.locks or [REPO / name for name in DEFAULT_LOCKS]
    try:
        pins = load_pins(locks)
        exceptions = load_exceptions(args.exceptions)
    except InvalidInput as exc:
        log.error("%s", exc)
        return EXIT_INVALID
    index = args.index.rstrip("/")
    fetch = fetch_json or make_fetch_json(args.timeout, args.attempts)
    audited, source = try_pip_audit(locks, pins, fetch, index, None if args.no_pip_audit else pip_audit)
    rest = sum((p.name, str(Version(p.version))) not in audited for p in pins)
    if rest:
        source += (f"; fallback for {rest} pins: PyPI project JSON (advisories of the latest release only)"
                   if audited else "; fallback: PyPI project JSON (advisories of the latest release only)")
    log.info("%s", source)
    projects, failures = fetch_projects((p.name for p in pins), fetch, index, args.workers, args.budget)
    report = audit(pins, projects, failures, audited, exceptions, source, today or dt.date.today())
    report.seconds = time.monotonic() - started
    out.write(render(report, locks))
    if args.json:
        args.json.write_text(json.dumps(to_json(report), indent=2) + "\n")
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
