"""Mis-encoded text is found in the contract as we received it, and never in the repaired one."""

from __future__ import annotations

import re

import pytest

from opa_contracts.mojibake import detect
from tests.conftest import CONTRACTS

SPANISH = [
    "Versión",
    "Símbolo del ticker (ej: AAPL, MSFT)",
    "Volumen acumulado del día",
    "Número de features documentales usadas",
    "Sistema de monitorización",
    "~8 servicios × 2/min",
    "Año – señal “buena” ≥ 50 % · 💹",
]


def _decodes(text: str, codec: str) -> bool:
    try:
        text.encode("utf-8").decode(codec)
    except UnicodeDecodeError:  # cp1252 leaves 5 bytes undefined; such text cannot be mangled so
        return False
    return True


CASES = [
    (text, codec, label)
    for codec, label in [("mac_roman", "Mac Roman"), ("cp1252", "Windows-1252")]
    for text in SPANISH
    if _decodes(text, codec)
]


def test_cases_cover_both_codecs() -> None:
    assert len(CASES) >= 2 * len(SPANISH) - 1


@pytest.mark.parametrize(("text", "codec", "label"), CASES)
def test_mangled_text_is_found_and_repaired(text: str, codec: str, label: str) -> None:
    mangled = text.encode("utf-8").decode(codec)
    found = detect(mangled)
    assert found is not None
    assert found.repaired == text
    assert label in found.reason


@pytest.mark.parametrize("text", [*SPANISH, "plain ascii", "日本語のテキスト", "Ελληνικά"])
def test_correct_text_is_not_flagged(text: str) -> None:
    assert detect(text) is None


def test_the_bundled_registry_has_no_false_positives() -> None:
    for path in CONTRACTS.rglob("*.yaml"):
        for word in re.findall(r"\S+", path.read_text(encoding="utf-8")):
            assert detect(word) is None, (path, word)


def test_replacement_character_is_flagged() -> None:
    found = detect("Versi\ufffdn")
    assert found is not None
    assert "U+FFFD" in found.reason
