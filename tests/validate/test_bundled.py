"""The bundled registry is clean, in every output format, through the real entry point."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from tests.conftest import CONTRACTS, run_cli


def test_bundled_registry_is_clean_in_text() -> None:
    result = run_cli("validate", CONTRACTS)
    assert result.code == 0, result.stdout + result.stderr
    assert "3 manifests checked; 0 errors, 0 warnings" in result.stdout


def test_bundled_registry_is_clean_even_for_warnings() -> None:
    assert run_cli("validate", CONTRACTS, "--fail-on", "warning").code == 0


def test_bundled_registry_json() -> None:
    result = run_cli("validate", CONTRACTS, "--format", "json")
    report = json.loads(result.stdout)
    assert report["format_version"] == 1
    assert report["findings"] == []
    assert report["summary"]["manifests_checked"] == 3
    # the contract 1.0.0 leaves 5 properties undescribed; each is accepted with a reason
    assert report["summary"]["suppressed"] == 5


@pytest.mark.parametrize("fmt", ["github", "junit", "sarif"])
def test_bundled_registry_other_formats(fmt: str) -> None:
    result = run_cli("validate", CONTRACTS, "--format", fmt)
    assert result.code == 0
    if fmt == "github":
        assert result.stdout == ""
    elif fmt == "junit":
        suite = ET.fromstring(result.stdout).find("testsuite")
        assert suite is not None
        assert suite.get("failures") == "0"
    else:
        assert json.loads(result.stdout)["runs"][0]["results"] == []


def test_single_manifest_and_channel_folder() -> None:
    assert run_cli("validate", CONTRACTS / "quotes.realtime" / "1.0.0.yaml").code == 0
    result = run_cli("validate", CONTRACTS / "system.health")
    assert result.code == 0
    assert "1 manifest checked" in result.stdout
