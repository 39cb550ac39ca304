"""The YAML loader: positions, duplicate keys, YAML 1.2 scalars, alias limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from opa_contracts.yamlsource import MAX_NODES, Document, SourceError, parse


def ok(text: str) -> Document:
    result = parse(Path("x.yaml"), text)
    assert isinstance(result, Document), result
    return result


def bad(text: str) -> SourceError:
    result = parse(Path("x.yaml"), text)
    assert isinstance(result, SourceError), result
    return result


def test_positions_for_every_pointer() -> None:
    doc = ok("a:\n  b: [1, 2]\n  'c/d': x\n")
    assert doc.position("/a/b/1") == (2, 10)
    assert doc.position("/a/c~1d") == (3, 10)
    # a pointer that is not in the file falls back to its nearest ancestor
    assert doc.position("/a/b/7/z") == (2, 6)


def test_timestamps_and_yes_no_stay_strings() -> None:
    doc = ok("t: 2026-01-20T14:30:00Z\nd: 2026-01-20\ny: yes\nn: no\no: off\nb: true\n")
    assert doc.data == {
        "t": "2026-01-20T14:30:00Z",
        "d": "2026-01-20",
        "y": "yes",
        "n": "no",
        "o": "off",
        "b": True,
    }


def test_duplicate_key_names_both_lines() -> None:
    error = bad("x: 1\ny: 2\nx: 3\n")
    assert (error.rule, error.line, error.column) == ("yaml-duplicate-key", 3, 1)
    assert "first defined on line 1" in error.message


def test_small_aliases_are_fine_and_bombs_are_not() -> None:
    assert ok("a: &x [1, 2]\nb: *x\n").data == {"a": [1, 2], "b": [1, 2]}
    lines = ['l0: &l0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 7)]
    error = bad("\n".join(lines))
    assert error.rule == "yaml-too-large"
    assert f"{MAX_NODES:,}" in error.message


@pytest.mark.parametrize("text", ["a: .inf\n", "a: -.Inf\n", "a: .NaN\n"])
def test_non_finite_numbers_are_rejected(text: str) -> None:
    assert bad(text).rule == "yaml-not-json"


def test_binary_is_read_as_its_canonical_base64_text() -> None:
    # YAML's !!binary (line breaks allowed) is binary data; JSON carries it as base64 text
    doc = ok("a: !!binary |\n  3q2+\n  7w==\nb: !!binary ''\n")
    assert doc.data == {"a": "3q2+7w==", "b": ""}
    assert bad("a: !!binary 3q2+7w\n").rule == "yaml-not-json"  # no padding
    assert "canonical" in bad("a: !!binary 3q2+7x==\n").message  # spare bits


def test_tab_indentation_gets_a_hint() -> None:
    error = bad("a:\n\tb: 1\n")
    assert error.rule == "yaml-syntax"
    assert error.line == 2
    assert "tab" in error.message


def test_numbers_follow_yaml_1_2() -> None:
    doc = ok("a: 14:30\nb: 017\nc: 0b101\nd: 1_000\ne: 1e3\nf: 0o17\ng: 0x1F\nh: -2.5\ni: .5\n")
    assert doc.data == {
        "a": "14:30",
        "b": 17,
        "c": "0b101",
        "d": "1_000",
        "e": 1000.0,
        "f": 15,
        "g": 31,
        "h": -2.5,
        "i": 0.5,
    }


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
def test_yaml_1_1_line_breaks_are_kept_as_text(char: str) -> None:
    """U+2028, U+2029 and NEL are text in JSON and YAML 1.2; libyaml (YAML 1.1) would fold
    them away with the spaces around them."""
    import json

    value = f"a {char} b{char}c"
    key = f"k{char} y"
    data = {key: value, "n": [value]}
    as_json = json.dumps(data, ensure_ascii=False)
    assert ok(as_json).data == data
    yaml_text = f'"k{char} y": "a {char} b{char}c"\nplain: x {char} y\nsingle: \'{char} z\'\nn: 1\n'
    doc = ok(yaml_text)
    assert doc.data == {key: value, "plain": f"x {char} y", "single": f"{char} z", "n": 1}
    # positions count only real line breaks, and survive a release
    doc.release()
    assert doc.position("/n") == (4, 4)


def test_shielding_picks_stand_ins_the_text_does_not_use() -> None:
    taken = "".join(chr(c) for c in range(0xE000, 0xE010))
    doc = ok(f'a: "{taken}\u2028{taken}"\n')
    assert doc.data == {"a": f"{taken}\u2028{taken}"}
