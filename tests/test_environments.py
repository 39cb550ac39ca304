"""registry.yaml ``environments`` and ``requirements``: read in settings.py, checked by validate."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from opa_contracts import loader, settings
from tests.conftest import ROOT, run_cli


def test_the_bundled_registry_declares_the_contracts_two_environments() -> None:
    found = loader.load(ROOT / "contracts").settings
    assert [env.name for env in found.environments] == ["production", "development"]
    production = found.environment("production")
    assert production is not None
    assert production.redis is not None
    assert production.redis.url == "redis://redis:6379/0"
    assert production.redis.password_env == "OPA_REDIS_PASSWORD"
    assert production.kafka is not None
    assert production.kafka.bootstrap == "kafka:9092"
    development = found.environment("development")
    assert development is not None
    assert development.redis is not None
    assert development.redis.url == "redis://localhost:6381/0"
    assert development.kafka is None
    assert found.redis_requirements == settings.RedisRequirements(
        min_version="7.2",
        config={
            "maxmemory": "256mb",
            "maxmemory-policy": "noeviction",
            "timeout": "0",
            "tcp-keepalive": "300",
        },
    )


def test_tls_follows_a_rediss_url_and_secrets_stay_variable_names() -> None:
    data = {
        "environments": {
            "staging": {
                "redis": {
                    "url": "rediss://cache:6380/0",
                    "username_env": "U",
                    "password_env": "P",
                    "ca_file_env": "CA",
                },
                "kafka": {
                    "bootstrap": "k:9093",
                    "security_protocol": "SASL_SSL",
                    "sasl_mechanism": "PLAIN",
                    "username_env": "KU",
                    "password_env": "KP",
                },
            }
        }
    }
    found, problems = settings.from_data(data)
    assert problems == []
    (staging,) = found.environments
    assert staging.redis == settings.RedisEndpoint(
        url="rediss://cache:6380/0", password_env="P", username_env="U", tls=True, ca_file_env="CA"
    )
    assert staging.kafka is not None
    assert staging.kafka.security_protocol == "SASL_SSL"
    assert staging.kafka.password_env == "KP"


def test_a_password_in_a_url_and_a_bad_version_are_problems() -> None:
    data = {
        "environments": {
            "prod": {"redis": {"url": "redis://:hunter2@redis:6379/0"}},
            "Bad-Name": {"redis": {"url": "redis://x:6379/0"}},
        },
        "requirements": {"redis": {"min_version": "seven"}},
    }
    found, problems = settings.from_data(data)
    pointers = dict(problems)
    assert "password_env" in pointers["/environments/prod/redis/url"]
    assert "hunter2" not in pointers["/environments/prod/redis/url"]  # never echoed
    assert "/environments/Bad-Name" in pointers
    assert "not a version" in pointers["/requirements/redis/min_version"]
    (prod,) = found.environments
    assert prod.redis is None  # the URL with a secret is not used
    assert found.environment("Bad-Name") is None
    assert found.redis_requirements == settings.RedisRequirements(min_version=None)


def test_an_unreadable_url_is_left_to_the_schema_and_the_server() -> None:
    found, problems = settings.from_data(
        {"environments": {"odd": {"redis": {"url": "redis://[::1"}}}}
    )
    assert problems == []
    odd = found.environment("odd")
    assert odd is not None
    assert odd.redis == settings.RedisEndpoint(url="redis://[::1")
    assert found.redis_requirements is None


def test_validate_reports_a_literal_password_as_a_registry_config_error(tmp_path: Path) -> None:
    registry = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", registry)
    text = (registry / "registry.yaml").read_text(encoding="utf-8")
    text = text.replace("'redis://localhost:6381/0'", "'redis://dev:s3cret@localhost:6381/0'")
    (registry / "registry.yaml").write_text(text, encoding="utf-8")
    run = run_cli("validate", registry, "--format", "json")
    assert run.code == 1, run.stderr
    findings = json.loads(run.stdout)["findings"]
    (found,) = [f for f in findings if f["rule"] == "registry-config"]
    assert found["pointer"] == "/environments/development/redis/url"
    assert "s3cret" not in run.stdout
    clean = run_cli("validate", ROOT / "contracts")
    assert clean.code == 0, clean.stdout


def test_the_docs_site_shows_each_environment_and_the_server_requirements() -> None:
    golden = ROOT / "tests" / "golden" / "docs"
    markdown = (golden / "markdown" / "README.md").read_text(encoding="utf-8")
    assert (
        "| production | redis://redis:6379/0 | password from $OPA\\_REDIS\\_PASSWORD | no | "
        "kafka:9092 |" in markdown
    )
    assert "| development | redis://localhost:6381/0 | none | no |  |" in markdown
    assert "| Redis version | 7.2 or later |" in markdown
    assert "| maxmemory-policy | noeviction |" in markdown
    html = (golden / "html" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="environments-heading">Environments</h2>' in html
    assert "<td><code>tcp-keepalive</code></td><td><code>300</code></td>" in html


@pytest.mark.slow
def test_generated_constants_never_shadow_the_modules_own_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", registry)
    text = (registry / "registry.yaml").read_text(encoding="utf-8")
    text = text.replace("  development:", "  environments:")
    (registry / "registry.yaml").write_text(text, encoding="utf-8")
    run = run_cli("generate", "python", "--out", tmp_path / "pkg", cwd=tmp_path)
    assert run.code == 0, run.stderr
    source = tmp_path / "pkg" / "src" / "opa_events" / "environments.py"
    spec = importlib.util.spec_from_file_location("generated_environments", source)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    assert set(module.ENVIRONMENTS) == {"production", "environments"}
    assert module.ENVIRONMENTS_ENV.redis.url == "redis://localhost:6381/0"
    assert module.get("environments") is module.ENVIRONMENTS_ENV
