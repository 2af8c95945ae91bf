"""Run the docker-compose Airflow deployment as plain processes on this machine (no Docker needed).

The environment is *read from* ``docker-compose.yaml`` (the ``x-airflow-common`` block, interpolated with
``.env`` or ``.env.example`` exactly as compose does), so what the services test proves is the compose
configuration itself. Only what necessarily differs between containers and host processes is replaced;
``HOST_OVERRIDES`` lists it. Components are the compose services: ``airflow db migrate`` (airflow-init),
api-server, scheduler, dag-processor and ``airflow celery worker``, each in its own process group so
that stopping it also stops its children (uvicorn workers, Celery pool, task supervisors).

    python scripts/celery_stack.py up --database newsflow_local --port 8080    # until Ctrl-C

tests/services/ drives the same ``CeleryStack`` class against a throwaway database.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
#: The pool publish_day runs in (dags/news_articles_daily.py), created as airflow-init creates it.
PUBLISH_POOL = "newsflow_publish"
POOL_DESCRIPTION = "newsflow: one publish_day at a time (partition swaps under the day lock)"

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yaml"
ENV_EXAMPLE = REPO / ".env.example"
VENV_BIN = Path(sys.executable).parent
PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"
REDIS_URL = "redis://127.0.0.1:6379"
DAG_ID = "news_articles_daily"

#: Variables whose compose value names a container host or path; the stack replaces each one.
HOST_OVERRIDES = (
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE",
    "NEWSFLOW_LANDING_ROOT",
    "NEWSFLOW_LAKE_ROOT",
)
#: Capacity knobs the stack sets smaller than production (a test machine has 2 shared cores).
CAPACITY_OVERRIDES = (
    "AIRFLOW__CORE__PARALLELISM",
    "AIRFLOW__CELERY__WORKER_CONCURRENCY",
    "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL",
)
#: Processes in this order; stopped in reverse.
COMPONENTS = ("api-server", "scheduler", "dag-processor", "celery-worker")
#: The compose service each component is: its ``restart:`` policy is the component's here.
SERVICES = {
    "api-server": "airflow-apiserver",
    "scheduler": "airflow-scheduler",
    "dag-processor": "airflow-dag-processor",
    "celery-worker": "airflow-worker",
}
#: Docker's restart back-off, roughly: the delay doubles from RESTART_DELAY_S up to RESTART_DELAY_MAX_S and
#: starts over once a component has stayed up RESTART_RESET_S.
RESTART_DELAY_S = 1.0
RESTART_DELAY_MAX_S = 30.0
RESTART_RESET_S = 10.0
COMMANDS = {
    "api-server": ["api-server"],
    "scheduler": ["scheduler"],
    "dag-processor": ["dag-processor"],
    "celery-worker": ["celery", "worker"],
}

_VAR = re.compile(r"\$(?:\$|\{(?P<braced>[^}]+)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")
_BRACED = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?$", re.DOTALL)


class StackError(RuntimeError):
    """A component failed to start, died, or an API call failed; the message carries the log tail."""


# ------------------------------------------------------------------------------------- compose parsing
def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a compose ``.env`` file (comments and blank lines skipped, no quoting used)."""
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"{path}: not KEY=VALUE: {raw!r}")
        values[key.strip()] = value.strip()
    return values


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    """Compose variable substitution: ``$$``, ``$VAR``, ``${VAR}``, ``${VAR:-d}``, ``${VAR-d}``,
    ``${VAR:?err}``, ``${VAR?err}``, ``${VAR:+alt}`` and ``${VAR+alt}``."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        if match.group("bare"):
            return variables.get(match.group("bare"), "")
        spec = _BRACED.match(match.group("braced"))
        if not spec:
            raise ValueError(f"bad substitution {match.group(0)!r}")
        name, op, arg = spec.group("name"), spec.group("op"), spec.group("arg") or ""
        value = variables.get(name)
        empty = value is None or (value == "" and op is not None and op.startswith(":"))
        if op in (":-", "-"):
            return arg if empty else value or ""
        if op in (":?", "?"):
            if empty:
                raise ValueError(f"required variable {name} is missing: {arg}")
            return value or ""
        if op in (":+", "+"):
            return "" if empty else arg
        return value or ""

    return _VAR.sub(replace, text)


def load_compose(path: Path = COMPOSE_FILE) -> dict[str, Any]:
    import yaml  # Airflow depends on PyYAML; safe_load resolves the anchors and `<<` merges.

    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def restart_policies(compose: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Each component's compose ``restart:`` policy ("no" when the service sets none)."""
    services = (compose or load_compose())["services"]
    return {name: str(services[service].get("restart", "no")) for name, service in SERVICES.items()}


def compose_environment(variables: Mapping[str, str], compose: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The ``x-airflow-common`` environment shared by every Airflow container, interpolated."""
    compose = compose if compose is not None else load_compose()
    raw = compose["x-airflow-common"]["environment"]
    return {key: interpolate(str(value), variables) for key, value in raw.items()}


def deployment_variables() -> dict[str, str]:
    """What compose would interpolate with: ``.env`` if present, else the committed ``.env.example``."""
    env_file = REPO / ".env"
    return read_env_file(env_file if env_file.is_file() else ENV_EXAMPLE)


# ------------------------------------------------------------------------------------------ the stack
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class StackConfig:
    """Where this stack's state lives; everything else comes from docker-compose.yaml."""

    airflow_home: Path
    database: str
    landing_root: str
    lake_root: str
    redis_db: int = 0
    api_port: int = field(default_factory=free_port)
    #: Celery queue; a unique name keeps two stacks sharing one Redis DB from taking each other's tasks.
    queue: str = "default"
    worker_concurrency: int = 2
    parallelism: int = 4
    dag_processor_refresh_seconds: int = 5
    #: False stops the scheduler creating cron runs (a test wants exactly the runs it asks for).
    use_job_schedule: bool = True
    variables: dict[str, str] = field(default_factory=deployment_variables)

    @property
    def database_url(self) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:5432/{self.database}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"


def stack_environment(cfg: StackConfig, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Process environment: the compose environment plus the host-process replacements.

    Inherited ``AIRFLOW*`` and ``NEWSFLOW_*`` variables are dropped first (``make`` exports some), so the
    components see the compose configuration and nothing else.
    """
    base = os.environ if base is None else base
    env = {k: v for k, v in base.items() if not k.startswith(("AIRFLOW", "NEWSFLOW_", "_AIRFLOW"))}
    env.update(compose_environment(cfg.variables))
    env.update({
        # HOST_OVERRIDES: container hostnames and paths -> this machine.
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": cfg.database_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + cfg.database_url,
        "AIRFLOW__CELERY__BROKER_URL": f"{REDIS_URL}/{cfg.redis_db}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{cfg.api_url}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(cfg.airflow_home / "auth" / "passwords.json"),
        "NEWSFLOW_LANDING_ROOT": cfg.landing_root,
        "NEWSFLOW_LAKE_ROOT": cfg.lake_root,
        # CAPACITY_OVERRIDES.
        "AIRFLOW__CORE__PARALLELISM": str(cfg.parallelism),
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(cfg.worker_concurrency),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": str(cfg.dag_processor_refresh_seconds),
        # What the image and the container network provide implicitly.
        "AIRFLOW_HOME": str(cfg.airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "PYTHONPATH": str(REPO / "include"),
        "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(cfg.api_port),
        # One network namespace for all processes: every listener needs its own port.
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": cfg.queue,
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": str(cfg.use_job_schedule),
        # Logins for scripts/write_auth_passwords.py, as airflow-init gets them.
        **{k: v for k, v in cfg.variables.items() if k.startswith(("AIRFLOW_ADMIN_", "AIRFLOW_VIEWER_"))},
    })
    return env


def create_database(name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(PG_ADMIN_DSN)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def drop_database(name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(PG_ADMIN_DSN)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def services_problem() -> str | None:
    """None when PostgreSQL and Redis answer on localhost, else what is missing and how to fix it."""
    import psycopg2
    import redis

    problems = []
    try:
        psycopg2.connect(PG_ADMIN_DSN).close()
    except psycopg2.Error as exc:
        problems.append(f"PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth): {' '.join(str(exc).split())}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        problems.append(f"Redis on 127.0.0.1:6379: {exc}")
    if not problems:
        return None
    return "; ".join(problems) + " -- run scripts/start_services.sh"


def forget_queue(redis_db: int, queue: str) -> None:
    """Delete a throwaway Celery queue and its binding from the broker (tests use one per run)."""
    import redis

    client = redis.Redis.from_url(f"{REDIS_URL}/{redis_db}", socket_connect_timeout=3)
    try:
        client.delete(queue, f"_kombu.binding.{queue}")
    finally:
        client.close()


class CeleryStack:
    """The compose services as host processes; a context manager that always stops what it started.

    Once the stack is healthy, a watchdog applies each service's compose ``restart:`` policy: a component
    that exits is started again, as Docker does. Airflow needs this: the scheduler exits when its database
    goes away in the middle of a query (a PostgreSQL restart), and only the restart brings it back.
    """

    def __init__(self, cfg: StackConfig, log_dir: Path | None = None) -> None:
        self.cfg = cfg
        self.env = stack_environment(cfg)
        self.log_dir = log_dir or cfg.airflow_home / "stack-logs"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._tokens: dict[str, str] = {}
        self._init_supervision(restart_policies())

    def _init_supervision(self, policies: dict[str, str]) -> None:
        """Restart bookkeeping; a stack without policies (``{}``) never restarts anything."""
        self.restart_policy = policies
        #: Restarts per component since start, by the watchdog or by ``crash``.
        self.restarts: dict[str, int] = {}
        self._lock = threading.RLock()  # the processes dict: the watchdog and ``crash`` both respawn
        self._stopping = threading.Event()
        self._watchdog: threading.Thread | None = None
        self._started_at: dict[str, float] = {}
        self._delay: dict[str, float] = {}
        self._argv: dict[str, list[str]] = {}

    # -- lifecycle
    def __enter__(self) -> CeleryStack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout: float = 180.0) -> None:
        """airflow-init (migrate + UI passwords), then the long-running components, then wait for health."""
        self.cfg.airflow_home.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.cli("db", "migrate", timeout=300)
        self.cli("pools", "set", PUBLISH_POOL, "1", POOL_DESCRIPTION, timeout=120)
        self.run([sys.executable, str(REPO / "scripts" / "write_auth_passwords.py")], "write-passwords", 60)
        for name in COMPONENTS:
            self._spawn(name, ["airflow", *COMMANDS[name]])
        self.wait_healthy(timeout)
        self.start_watchdog()

    def start_watchdog(self) -> None:
        """From here on, components that exit are started again by their restart policy."""
        self._stopping.clear()
        self._watchdog = threading.Thread(target=self._watch, name="stack-watchdog", daemon=True)
        self._watchdog.start()

    def _spawn(self, name: str, argv: list[str]) -> None:
        with self._lock:
            out = (self.log_dir / f"{name}.log").open("ab")
            try:
                self.processes[name] = subprocess.Popen(
                    argv, env=self.env, cwd=self.cfg.airflow_home, stdout=out, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True,
                )
            finally:
                out.close()
            self._started_at[name] = time.monotonic()
            self._argv[name] = argv
        log.info("started %s (pid %d)", name, self.processes[name].pid)

    def _restart(self, name: str, proc: subprocess.Popen[bytes]) -> None:
        """Start ``name`` again unless something else already has; its old process group goes first, as a
        container's processes go with it."""
        with self._lock:
            if self._stopping.is_set() or self.processes.get(name) is not proc:
                return
            _signal_group(proc, signal.SIGKILL)
            self.restarts[name] = self.restarts.get(name, 0) + 1
            self._spawn(name, self._argv[name])

    def _watch(self) -> None:
        """Apply the restart policies until ``stop``: what exits is started again after a back-off."""
        while not self._stopping.wait(0.5):
            for name, proc in list(self.processes.items()):
                code = proc.poll()
                policy = self.restart_policy.get(name, "no")
                if code is None or policy == "no" or (policy == "on-failure" and code == 0):
                    continue
                with self._lock:
                    if self.processes.get(name) is not proc:  # ``crash`` restarted it meanwhile
                        continue
                uptime = time.monotonic() - self._started_at.get(name, 0.0)
                delay = RESTART_DELAY_S if uptime >= RESTART_RESET_S else min(
                    RESTART_DELAY_MAX_S, 2 * self._delay.get(name, RESTART_DELAY_S / 2))
                self._delay[name] = delay
                log.warning("%s exited with %s after %.0fs; restarting in %.0fs (compose restart: %s)",
                            name, code, uptime, delay, policy)
                if self._stopping.wait(delay):
                    return
                self._restart(name, proc)

    def process_tree(self, name: str) -> list[Any]:
        """A component's process and every process under it (``psutil.Process``; an Airflow dependency)."""
        import psutil

        leader = psutil.Process(self.processes[name].pid)
        return [leader, *leader.children(recursive=True)]

    def crash(self, name: str) -> None:
        """SIGKILL a component and every process under it, as if its host died, then start it again.

        The whole tree, not only the group: Airflow runs each task in a process group of its own, so
        killing the component's group alone would leave its tasks running.
        """
        import psutil

        with self._lock:
            proc = self.processes[name]
            tree = self.process_tree(name)
            for p in tree:
                with contextlib.suppress(psutil.NoSuchProcess):
                    p.send_signal(signal.SIGKILL)
            psutil.wait_procs(tree, timeout=30)
            proc.wait(timeout=30)
            self._restart(name, proc)

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM every process group, wait up to ``grace`` seconds, then SIGKILL whatever is left."""
        self._stopping.set()
        if self._watchdog is not None:
            self._watchdog.join(timeout=10)
            self._watchdog = None
        for name in reversed(list(self.processes)):
            _signal_group(self.processes[name], signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        for proc in self.processes.values():
            _signal_group(proc, signal.SIGKILL)  # children outlive their leader otherwise
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        self.processes.clear()

    def check_alive(self, max_restarts: int = 5) -> None:
        """Raise if a component is down for good: exited before the watchdog runs (at start), exited with
        no restart policy, or restarted more than ``max_restarts`` times (a crash loop)."""
        for name, proc in list(self.processes.items()):
            watched = self._watchdog is not None and self.restart_policy.get(name, "no") != "no"
            if proc.poll() is not None and not watched:
                raise StackError(f"{name} exited with {proc.returncode}\n{self.log_tail(name)}")
            if self.restarts.get(name, 0) > max_restarts:
                raise StackError(f"{name} restarted {self.restarts[name]} times\n{self.log_tail(name)}")

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.log_dir / f"{name}.log"
        if not path.exists():
            return f"(no {path})"
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
        return f"--- last {lines} lines of {path}\n" + "\n".join(text[-lines:])

    def all_log_tails(self, lines: int = 25) -> str:
        return "\n".join(self.log_tail(name, lines) for name in self.processes or COMPONENTS)

    # -- one-shot commands
    def run(self, argv: list[str], name: str, timeout: float) -> subprocess.CompletedProcess[str]:
        """Run to completion in its own process group (killed on timeout); raise with output on failure."""
        proc = subprocess.Popen(argv, env=self.env, cwd=self.cfg.airflow_home, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                                start_new_session=True)
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            output, _ = proc.communicate()
            raise StackError(f"{name} timed out after {timeout:.0f}s\n{output[-4000:]}") from None
        finally:
            _signal_group(proc, signal.SIGKILL)
        (self.log_dir / f"{name}.log").write_text(output, encoding="utf-8")
        if proc.returncode != 0:
            raise StackError(f"{name} exited with {proc.returncode}\n{output[-4000:]}")
        return subprocess.CompletedProcess(argv, proc.returncode, output, "")

    def cli(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        """``airflow <args>`` in the stack's environment (as ``docker compose run airflow-cli``)."""
        return self.run(["airflow", *args], "cli-" + "-".join(args[:2]), timeout)

    # -- health and REST
    def wait_healthy(self, timeout: float) -> None:
        """Until /api/v2/monitor/health reports DB, scheduler and dag-processor healthy (compose's checks)."""
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                status, body = self.request("GET", "/api/v2/monitor/health", auth=False)
                last = body
                if status == 200 and all(
                    (body.get(part) or {}).get("status") == "healthy"
                    for part in ("metadatabase", "scheduler", "dag_processor")
                ):
                    return
            except (OSError, StackError) as exc:
                last = exc
            time.sleep(2)
        raise StackError(f"stack not healthy after {timeout:.0f}s: {last}\n{self.all_log_tails()}")

    def token(self, role: str = "ADMIN") -> str:
        """JWT from POST /auth/token for the .env admin (or ``role="VIEWER"``) login."""
        if role not in self._tokens:
            body = {"username": self.env[f"AIRFLOW_{role}_USERNAME"],
                    "password": self.env[f"AIRFLOW_{role}_PASSWORD"]}
            status, reply = self.request("POST", "/auth/token", body, auth=False)
            if status not in (200, 201):
                raise StackError(f"login as {body['username']} failed: {status} {reply}")
            self._tokens[role] = reply["access_token"]
        return self._tokens[role]

    def request(self, method: str, path: str, body: object = None, *, auth: bool | str = True,
                timeout: float = 30.0) -> tuple[int, Any]:
        """(HTTP status, decoded JSON or text); ``auth`` True uses the admin token, a str is a token."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if auth:
            headers["Authorization"] = f"Bearer {auth if isinstance(auth, str) else self.token()}"
        req = urllib.request.Request(self.cfg.api_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        text = raw.decode("utf-8", errors="replace")
        try:
            return status, json.loads(text) if text else None
        except json.JSONDecodeError:
            return status, text

    def api(self, method: str, path: str, body: object = None, expect: tuple[int, ...] = (200,)) -> Any:
        status, reply = self.request(method, path, body)
        if status not in expect:
            raise StackError(f"{method} {path} -> {status}: {reply}")
        return reply

    def wait_for_dag(self, dag_id: str = DAG_ID, timeout: float = 120.0) -> dict[str, Any]:
        """Until the dag-processor has parsed and serialized ``dag_id`` (a backfill needs that)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            status, reply = self.request("GET", f"/api/v2/dags/{dag_id}/details")
            if status == 200:
                return reply
            time.sleep(2)
        raise StackError(f"{dag_id} not parsed after {timeout:.0f}s\n{self.log_tail('dag-processor')}")


def _signal_group(proc: subprocess.Popen[Any], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


# ---------------------------------------------------------------------------------------------- CLI
def _up(args: argparse.Namespace) -> int:
    problem = services_problem()
    if problem:
        raise SystemExit(problem)
    if args.fresh:
        drop_database(args.database)
    create_database(args.database)
    home = Path(args.home).absolute()
    if args.fresh and home.exists():
        shutil.rmtree(home)
    cfg = StackConfig(
        airflow_home=home, database=args.database, api_port=args.port, redis_db=args.redis_db,
        queue=args.queue, landing_root=str(Path(args.landing).absolute()),
        lake_root=str(Path(args.lake).absolute()), worker_concurrency=args.concurrency,
    )
    stop = {"now": False}

    def on_signal(signum: int, _frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(forget_queue, cfg.redis_db, cfg.queue)
        stack = cleanup.enter_context(CeleryStack(cfg))
        sys.stdout.write(
            f"Airflow UI: {cfg.api_url}  login {stack.env['AIRFLOW_ADMIN_USERNAME']}, password "
            f"AIRFLOW_ADMIN_PASSWORD in {'.env' if (REPO / '.env').exists() else '.env.example'}\n"
            f"logs: {stack.log_dir}  lake: {cfg.lake_root}  Ctrl-C stops everything\n"
        )
        sys.stdout.flush()
        while not stop["now"]:
            stack.check_alive()
            time.sleep(1)
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="run the CeleryExecutor stack on local Postgres and Redis until Ctrl-C")
    up.add_argument("--database", default="newsflow_local")
    up.add_argument("--fresh", action="store_true", help="drop the database and Airflow home first")
    up.add_argument("--home", default=str(REPO / "airflow_home" / "celery"))
    up.add_argument("--port", type=int, default=8080)
    up.add_argument("--redis-db", type=int, default=1)
    up.add_argument("--queue", default=f"newsflow_{secrets.token_hex(3)}")
    up.add_argument("--concurrency", type=int, default=2)
    up.add_argument("--landing", default=str(REPO / "include" / "sample_data" / "landing"))
    up.add_argument("--lake", default=str(REPO / "data" / "lake"))
    args = parser.parse_args(argv)
    return _up(args)


@contextlib.contextmanager
def throwaway_database(prefix: str = "newsflow_test") -> Iterator[str]:
    """A fresh, uniquely named Postgres database, dropped on exit (also after a failure)."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    create_database(name)
    try:
        yield name
    finally:
        drop_database(name)


if __name__ == "__main__":
    sys.exit(main())
