"""The docker-compose deployment run as host processes on real PostgreSQL and Redis (no Docker).

``celery_stack`` starts airflow-init, api-server, scheduler, dag-processor and a Celery worker with the
environment of docker-compose.yaml (scripts/celery_stack.py) on a throwaway database, a dedicated Redis
DB number and a unique Celery queue, and always stops every process group and drops the database.
Tests using it skip, saying why, when the services do not answer (scripts/start_services.sh starts them);
under NEWSFLOW_REQUIRE_SERVICES=1, which .ci/run sets, they fail instead, so CI cannot pass without the proof.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from newsflow_testkit import load_script

REPO = Path(__file__).resolve().parents[2]
SAMPLE_LANDING = REPO / "include" / "sample_data" / "landing"
#: Redis DB used by the test stacks (compose uses 0 on its own Redis); NEWSFLOW_TEST_REDIS_DB overrides.
TEST_REDIS_DB = int(os.environ.get("NEWSFLOW_TEST_REDIS_DB", "11"))


def _load_stack_module() -> ModuleType:
    return load_script("celery_stack")


@pytest.fixture(scope="session")
def stack_module() -> ModuleType:
    return _load_stack_module()


@pytest.fixture(scope="module")
def celery_stack(stack_module: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    problem = stack_module.services_problem()
    if problem:
        if os.environ.get("NEWSFLOW_REQUIRE_SERVICES") == "1":  # CI (.ci/run): the proof must run
            pytest.fail(f"services not available and NEWSFLOW_REQUIRE_SERVICES=1: {problem}")
        pytest.skip(f"services not available: {problem}")
    root = tmp_path_factory.mktemp("celery-stack")
    with stack_module.throwaway_database() as database:
        cfg = stack_module.StackConfig(
            airflow_home=root / "airflow_home",
            database=database,
            landing_root=str(SAMPLE_LANDING),
            lake_root=str(root / "lake"),
            redis_db=TEST_REDIS_DB,
            queue=f"newsflow_test_{secrets.token_hex(4)}",
            worker_concurrency=2,
            parallelism=4,
            dag_processor_refresh_seconds=5,
            # Exactly the runs a test asks for: no cron run for "yesterday" (its landing folder is absent).
            use_job_schedule=False,
            variables=stack_module.read_env_file(REPO / ".env.example"),
        )
        try:
            with stack_module.CeleryStack(cfg) as stack:
                yield stack
        finally:
            stack_module.forget_queue(cfg.redis_db, cfg.queue)
