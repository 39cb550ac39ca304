"""``opa-contracts doctor redis|kafka`` against real servers on loopback (read-only checks)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from opa_contracts.cli_report import OutputFormat
from tests.conftest import ROOT, SCRIPT, Run
from tests.servers import KafkaBroker, RedisServer


def doctor(*args: str | Path, env: dict[str, str] | None = None, cwd: Path = ROOT) -> Run:
    """The installed console script, with only the variables given (plus PATH and locale)."""
    base = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "LANG": "C.UTF-8"}
    base |= {k: v for k, v in os.environ.items() if k.startswith("COVERAGE_")}
    proc = subprocess.run(
        [str(SCRIPT), "doctor", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, **(env or {})},
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def findings(run: Run) -> dict[str, list[dict[str, object]]]:
    """The JSON report's findings by rule id."""
    found: dict[str, list[dict[str, object]]] = {}
    for finding in json.loads(run.stdout)["findings"]:
        found.setdefault(str(finding["rule"]), []).append(finding)
    return found


def registry_with(tmp_path: Path, environments: str) -> Path:
    """A copy of the bundled registry whose registry.yaml ends with ``environments``."""
    registry = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", registry)
    text = (registry / "registry.yaml").read_text(encoding="utf-8")
    head, _, _ = text.partition("environments:")
    requirements = text[text.index("requirements:") :]
    (registry / "registry.yaml").write_text(
        head + "environments:\n" + environments + requirements, encoding="utf-8"
    )
    return registry


def test_a_stock_redis_differs_from_the_contract_and_a_fix_clears_it(
    own_redis_server: RedisServer,
) -> None:
    run = doctor("redis", own_redis_server.url, "--format", "json")
    assert run.code == 1, run.stderr  # the version is an error
    found = findings(run)
    (version,) = found["redis-version"]
    assert version["severity"] == "error"
    assert "older than the 7.2" in str(version["message"])
    assert "Pub/Sub behaviour Redis 6.2 already has" in str(version["message"])
    (memory,) = found["redis-maxmemory"]
    assert "CONFIG SET maxmemory 256mb" in str(memory["message"])
    assert "redis-maxmemory-policy" not in found  # noeviction is the default
    assert found["redis-auth"][0]["severity"] == "warning"  # no password needed
    assert "plaintext" in str(found["redis-tls"][0]["message"])
    (buffer,) = found["redis-pubsub-buffer"]
    assert buffer["severity"] == "note"
    assert "quotes.realtime, 300 msg/second" in str(buffer["message"])

    client = own_redis_server.client()
    client.config_set("maxmemory", "256mb")
    client.config_set("maxmemory-policy", "allkeys-lru")
    client.config_set("client-output-buffer-limit", "pubsub 64kb 32kb 1")
    client.close()
    again = findings(doctor("redis", own_redis_server.url, "--format", "json"))
    assert "redis-maxmemory" not in again
    (policy,) = again["redis-maxmemory-policy"]
    assert "allkeys-lru" in str(policy["message"])
    assert "CONFIG SET maxmemory-policy noeviction" in str(policy["message"])
    (tight,) = again["redis-pubsub-buffer"]
    assert tight["severity"] == "warning"  # about a second of slack at the declared peak


@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat])
def test_every_report_format_and_the_exit_codes_of_validate(
    redis_server: RedisServer, fmt: str
) -> None:
    redis_server.ensure_running()
    run = doctor("redis", redis_server.url, "--format", fmt)
    assert run.code == 1, run.stderr
    assert "redis-version" in run.stdout
    if fmt == "text":
        assert f"doctor redis: {redis_server.url}, 8 settings checked; 1 error" in run.stdout
    relaxed = doctor("redis", redis_server.url, "--format", fmt, "--registry", ROOT / "contracts")
    assert relaxed.code == 1


def test_the_registry_can_turn_the_version_rule_off(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    redis_server.ensure_running()
    registry = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", registry)
    with (registry / "registry.yaml").open("a", encoding="utf-8") as file:
        file.write("rules: {redis-version: 'off'}\n")
    run = doctor("redis", redis_server.url, "--registry", registry, "--format", "json")
    assert run.code == 0, run.stdout + run.stderr
    assert "redis-version" not in findings(run)


def test_a_refused_config_command_is_a_note_and_the_other_checks_go_on(
    own_redis_server: RedisServer,
) -> None:
    client = own_redis_server.client()
    client.acl_setuser(
        "watcher", enabled=True, passwords=["+watch-pw"], keys=["*"], commands=["+@all", "-config"]
    )
    client.close()
    env = {"DOC_USER": "watcher", "DOC_PW": "watch-pw"}
    url = own_redis_server.url
    run = doctor(
        "redis", url, "--user-env", "DOC_USER", "--password-env", "DOC_PW", "-f", "json", env=env
    )
    assert run.code == 1, run.stderr
    found = findings(run)
    refused = [str(f["message"]) for f in found["doctor-cannot-check"]]
    assert any(m.startswith("cannot check maxmemory (CONFIG GET)") for m in refused), refused
    assert all(f["severity"] == "note" for f in found["doctor-cannot-check"])
    assert "redis-version" in found  # INFO is allowed: checked anyway


def test_an_environment_with_a_password_connects_and_a_wrong_one_is_one_clear_error(
    tmp_path: Path, own_redis_server: RedisServer
) -> None:
    client = own_redis_server.client()
    client.config_set("requirepass", "s3cret-pw")
    client.close()
    registry = registry_with(
        tmp_path,
        f"  lab:\n    redis: {{url: '{own_redis_server.url}', password_env: LAB_REDIS_PW}}\n",
    )
    ok = doctor(
        "redis", "--env", "lab", "--registry", registry, "-f", "json",
        env={"LAB_REDIS_PW": "s3cret-pw"},
    )  # fmt: skip
    assert ok.code == 1, ok.stderr
    assert "redis-auth" not in findings(ok)  # required, and declared: as it should be
    wrong = doctor("redis", "--env", "lab", "--registry", registry, env={"LAB_REDIS_PW": "nope"})
    assert wrong.code == 3
    assert wrong.stdout == ""
    assert wrong.stderr.count("\n") == 1, wrong.stderr
    assert "refused the credentials" in wrong.stderr
    assert "nope" not in wrong.stderr
    unset = doctor("redis", "--env", "lab", "--registry", registry)
    assert unset.code == 2
    assert "LAB_REDIS_PW is not set" in unset.stderr


def test_an_open_server_for_an_environment_that_declares_a_password_is_reported(
    tmp_path: Path, own_redis_server: RedisServer
) -> None:
    registry = registry_with(
        tmp_path,
        f"  lab:\n    redis: {{url: '{own_redis_server.url}', password_env: LAB_REDIS_PW}}\n",
    )
    run = doctor(
        "redis", "--env", "lab", "--registry", registry, "-f", "json", env={"LAB_REDIS_PW": "x"}
    )
    assert run.code == 1, run.stderr  # the server ignores the AUTH it does not need
    (auth,) = findings(run)["redis-auth"]
    assert "accepts clients without one" in str(auth["message"])


def test_usage_errors_and_an_unreachable_server(own_redis_server: RedisServer) -> None:
    both = doctor("redis", own_redis_server.url, "--env", "development")
    assert both.code == 2
    assert "one of them" in both.stderr
    unknown = doctor("redis", "--env", "staging")
    assert unknown.code == 2
    assert "development" in unknown.stderr
    port = own_redis_server.port
    own_redis_server.stop()
    down = doctor("redis", f"redis://127.0.0.1:{port}/0")
    assert down.code == 3
    assert "cannot connect" in down.stderr
    assert "Traceback" not in down.stderr


@pytest.mark.slow
def test_doctor_kafka_checks_the_plans_topics(kafka_broker: KafkaBroker) -> None:
    from confluent_kafka.admin import AdminClient
    from confluent_kafka.cimpl import NewTopic

    missing = doctor("kafka", kafka_broker.bootstrap, "-f", "json")
    assert missing.code in (0, 1), missing.stderr
    names = {str(f["details"]["topic"]) for f in findings(missing).get("kafka-topic-missing", [])}  # type: ignore[index]
    admin = AdminClient({"bootstrap.servers": kafka_broker.bootstrap})
    futures = admin.create_topics([NewTopic("opa.quotes.realtime", 2, 1)])
    for future in futures.values():
        try:
            future.result(60)
        except Exception as exc:  # created by an earlier run of the session broker
            if "already exists" not in str(exc).lower():
                raise
    again = findings(doctor("kafka", kafka_broker.bootstrap, "-f", "json"))
    still = {str(f["details"]["topic"]) for f in again.get("kafka-topic-missing", [])}  # type: ignore[index]
    assert "opa.quotes.realtime" not in still
    assert still <= names | {"opa.quotes.realtime"}
    (fewer,) = [f for f in again.get("kafka-topic-config", []) if "partition" in str(f["message"])]
    assert fewer["severity"] == "error"  # 2 of the 6 planned
    assert "--partitions 6" in str(fewer["message"])


@pytest.mark.slow
def test_an_unreachable_kafka_is_one_line(own_kafka_broker: KafkaBroker) -> None:
    """librdkafka's own retry log lines stay out of the output: one line, exit 3."""
    port = own_kafka_broker.port
    own_kafka_broker.stop()
    down = doctor("kafka", f"127.0.0.1:{port}")
    assert down.code == 3
    (line,) = down.stderr.strip().splitlines()
    assert line.startswith(f"opa-contracts: 127.0.0.1:{port}: cannot read the topic list: ")
    assert "KafkaError{" not in line
