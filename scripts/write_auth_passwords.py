"""Write the simple auth manager's passwords file from environment variables.

Airflow's simple auth manager reads UI passwords from a JSON file and, for any configured user missing
from it, invents a random password and prints it to the log. Writing the file up front from `.env`
(``AIRFLOW_ADMIN_*`` and ``AIRFLOW_VIEWER_*``) makes the logins known, stable across restarts and kept
out of logs. Run by the ``airflow-init`` container and by ``scripts/celery_stack.py``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

#: (username variable, default username, password variable) for each UI login.
USERS = (
    ("AIRFLOW_ADMIN_USERNAME", "admin", "AIRFLOW_ADMIN_PASSWORD"),
    ("AIRFLOW_VIEWER_USERNAME", "viewer", "AIRFLOW_VIEWER_PASSWORD"),
)
PASSWORDS_FILE_VAR = "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"


def passwords_from_env(env: dict[str, str] | os._Environ[str]) -> dict[str, str]:
    """Username -> password; a user whose password variable is empty is an error, not a silent skip."""
    passwords: dict[str, str] = {}
    for user_var, default, password_var in USERS:
        password = env.get(password_var, "")
        if not password:
            raise SystemExit(f"{password_var} is empty: set it in .env")
        passwords[env.get(user_var) or default] = password
    return passwords


def write_passwords(path: Path, passwords: dict[str, str], uid: int | None = None) -> None:
    """Atomically replace ``path`` with the JSON file, readable only by its owner."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".passwords-")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(passwords, handle)
            handle.write("\n")
        os.chmod(tmp, 0o600)
        if uid is not None and os.geteuid() == 0:
            os.chown(tmp, uid, 0)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    target = os.environ.get(PASSWORDS_FILE_VAR)
    if not target:
        raise SystemExit(f"{PASSWORDS_FILE_VAR} is not set")
    uid_text = os.environ.get("AIRFLOW_UID_RUNTIME") or os.environ.get("AIRFLOW_UID")
    passwords = passwords_from_env(os.environ)
    write_passwords(Path(target), passwords, int(uid_text) if uid_text else None)
    log.info("wrote %d UI logins (%s) to %s", len(passwords), ", ".join(sorted(passwords)), target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
