"""The generated package of a registry with msgpack channels (``tests/fixtures/encodings``):
every example round-trips in both encodings, binary data is ``bytes`` in Python and ``bin`` on
the wire, and whatever JSON cannot say is refused with ``ContractError``, never changed."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import msgpack
import pytest

from tests.generate.helpers import ENCODINGS, ENCODINGS_MODULE, generate_cli, imported, manifests

pytestmark = pytest.mark.slow  # the package is generated through the CLI once per session

#: Where each msgpack channel of the fixture declares binary data (contentEncoding: base64).
BINARY = {"files.chunks": ("/data", "/checksum", "/parts/*"), "sensor.frames": ("/frame",)}
CASES = [
    pytest.param(m["channel"], e["payload"], id=f"{m['channel']}/{e['name']}")
    for m in manifests(ENCODINGS)
    for e in m["examples"]
]
CHUNK = {"file_id": "f-0000002a", "seq": 7, "data": b"\x00\xff"}


@pytest.fixture(scope="module")
def pkg(encodings_package: Path) -> Iterator[ModuleType]:
    with imported(encodings_package / "src", ENCODINGS_MODULE) as module:
        yield module


def wire(channel: str, payload: Any) -> Any:
    """The msgpack value of an example: its base64 text as bytes where the contract says binary."""
    value = copy.deepcopy(payload)
    for pointer in BINARY.get(channel, ()):
        name, _, rest = pointer[1:].partition("/")
        if name not in value:
            continue
        if rest == "*":
            value[name] = [base64.b64decode(item) for item in value[name]]
        else:
            value[name] = base64.b64decode(value[name])
    return value


@pytest.mark.parametrize(("channel", "payload"), CASES)
def test_every_example_round_trips_in_both_encodings(
    pkg: ModuleType, channel: str, payload: Any
) -> None:
    text = json.dumps(payload)
    message = pkg.decode(channel, text, encoding="json")
    assert json.loads(pkg.encode(message, encoding="json")) == payload
    packed = pkg.encode(message, encoding="msgpack")
    assert msgpack.unpackb(packed) == wire(channel, payload)
    assert pkg.decode(channel, packed, encoding="msgpack") == message
    # without an encoding, the contract's own applies
    declared = pkg.CHANNELS[channel].get().encoding
    assert declared == ("msgpack" if channel in BINARY else "json")
    own = packed if declared == "msgpack" else pkg.encode(message, encoding="json")
    assert pkg.encode(message) == own
    assert pkg.decode(channel, own) == message


def test_binary_data_is_bytes_in_python_and_bin_on_the_wire(pkg: ModuleType) -> None:
    raw = msgpack.packb({**CHUNK, "parts": [b"", b"\x01"], "seq": 2**64 - 1})
    chunk = pkg.decode("files.chunks", raw)
    assert (chunk.data, chunk.parts, chunk.seq) == (b"\x00\xff", [b"", b"\x01"], 2**64 - 1)
    assert msgpack.unpackb(pkg.encode(chunk)) == msgpack.unpackb(raw)
    assert json.loads(pkg.encode(chunk, encoding="json"))["data"] == "AP8="
    built = type(chunk)(file_id="f-00000001", seq=0, data=bytes(range(12)))
    assert msgpack.unpackb(pkg.encode(built))["data"] == bytes(range(12))
    # a float32 is read exactly; it is written back as a float64 of the same value
    frame = msgpack.packb({"sensor": "s", "frame": b"", "readings": [0.1]}, use_single_float=True)
    reading = pkg.decode("sensor.frames", frame).readings[0]
    assert msgpack.unpackb(pkg.encode(pkg.decode("sensor.frames", frame)))["readings"] == [reading]


def _timestamp() -> bytes:
    packed: bytes = msgpack.packb({**CHUNK, "tags": {"at": msgpack.Timestamp(1)}})
    return packed


REFUSED = [
    # what msgpack can say and JSON cannot
    ("extension", msgpack.packb({**CHUNK, "x": [msgpack.ExtType(5, b"ab")]}), "/x/0", "type 5"),
    ("timestamp", _timestamp(), "/tags/at", "Timestamp (an extension type)"),
    ("int-key", b"\x81\x01\xa1x", "", "map key that is not a string (int"),
    ("nested-int-key", msgpack.packb({**CHUNK, "tags": {1: "x"}}), "/tags", "(int 1)"),
    (
        "bytes-key",
        msgpack.packb({**CHUNK, "tags": {b"k": "v"}}),
        "/tags",
        "map key that is not a string (bytes b'k')",
    ),
    (
        "repeated-key",
        b"\x84\xa7file_id\xaaf-0000002a\xa3seq\x01\xa3seq\x02\xa4data\xc4\x00",
        "",
        "'seq' appears twice",
    ),
    ("nan", msgpack.packb({**CHUNK, "x": float("nan")}), "/x", "NaN and Infinity"),
    ("infinity", msgpack.packb({**CHUNK, "x": [float("-inf")]}), "/x/0", "NaN and Infinity"),
    # bin exactly where the contract declares binary data, and only bin there
    (
        "bin-as-text",
        msgpack.packb({**CHUNK, "tags": {"a": b"x"}}),
        "/tags/a",
        "a msgpack bin where the contract declares no binary data",
    ),
    ("bin-unknown-field", msgpack.packb({**CHUNK, "x": b"x"}), "/x", "declares no binary data"),
    ("text-as-bin", msgpack.packb({**CHUNK, "data": "AP8="}), "/data", "must be a msgpack bin"),
    (
        "text-as-bin-item",
        msgpack.packb({**CHUNK, "parts": [b"", "AA=="]}),
        "/parts/1",
        "must be a msgpack bin",
    ),
    # malformed msgpack
    ("truncated", msgpack.packb(CHUNK)[:-1], "", "not msgpack"),
    ("trailing", msgpack.packb(CHUNK) + b"\x00", "", "bytes left over"),
    ("reserved-byte", b"\xc1", "", "starts no msgpack value"),
    ("not-utf8", b"\x81\xa1a\xa2\xff\xfe", "", "not UTF-8"),
    ("too-deep", b"\x91" * 5000 + b"\x00", "", "nested too deeply"),
    ("text", "not bytes", "", "expected bytes or bytearray, not str"),
    # contract violations, judged on the JSON view (bin as its base64 text)
    ("too-long", msgpack.packb({**CHUNK, "data": b"x" * 13}), "/data", "longer than 16"),
    ("missing", msgpack.packb({"file_id": "f-0000002a", "seq": 1}), "", "data"),
    ("pattern", msgpack.packb({**CHUNK, "file_id": "F"}), "/file_id", "does not match"),
]


@pytest.mark.parametrize(
    ("data", "pointer", "fragment"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_decode_refuses_with_contract_error(
    pkg: ModuleType, data: Any, pointer: str, fragment: str
) -> None:
    with pytest.raises(pkg.ContractError) as caught:
        pkg.decode("files.chunks", data)
    assert caught.value.pointer == pointer
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('"AP8"', "standard base64"),  # no padding
        ('"AP9="', "canonical base64"),  # spare bits set: would be written back as AP8=
        ('"AP 8="', "standard base64"),
    ],
)
def test_json_form_of_binary_data_must_be_exact_base64(
    pkg: ModuleType, text: str, fragment: str
) -> None:
    data = '{"file_id": "f-0000002a", "seq": 1, "data": ' + text + "}"
    with pytest.raises(pkg.ContractError) as caught:
        pkg.decode("files.chunks", data, encoding="json")
    assert caught.value.pointer == "/data"
    assert fragment in str(caught.value)


def test_encode_refuses_what_msgpack_or_json_cannot_carry(pkg: ModuleType) -> None:
    model = type(pkg.decode("files.chunks", msgpack.packb(CHUNK)))
    beyond = model(**CHUNK, x={"n": [2**64]})
    with pytest.raises(pkg.ContractError) as caught:
        pkg.encode(beyond)
    assert (caught.value.pointer, "beyond msgpack's range" in str(caught.value)) == ("/x/n/0", True)
    assert json.loads(pkg.encode(beyond, encoding="json"))["x"] == {"n": [2**64]}  # JSON can
    with pytest.raises(pkg.ContractError) as caught:
        pkg.encode(model(**CHUNK, x=float("inf")))
    assert caught.value.pointer == "/x"
    with pytest.raises(pkg.ContractError) as caught:
        pkg.encode(model(**CHUNK, x="\ud800"))
    assert (caught.value.pointer, caught.value.message) == (
        "/x",
        "cannot be written as msgpack: a string with an unpaired surrogate is not Unicode text",
    )
    # msgpack writes the JSON view with bin only where the contract declares binary data: bytes
    # in an unknown field go out as they do in JSON, and decode back to the same message
    loose = model(**CHUNK, x=b"raw")
    packed = pkg.encode(loose)
    assert msgpack.unpackb(packed) == {**CHUNK, "x": "raw"}
    assert json.loads(pkg.encode(loose, encoding="json"))["x"] == "raw"
    assert pkg.decode("files.chunks", packed).model_dump()["x"] == "raw"
    with pytest.raises(pkg.ContractError, match="unknown encoding 'cbor'"):
        pkg.encode(model(**CHUNK), encoding="cbor")
    with pytest.raises(pkg.ContractError, match="unknown encoding 'cbor'"):
        pkg.decode("files.chunks", b"{}", encoding="cbor")


def test_a_json_channel_keeps_base64_as_text_and_refuses_bin(pkg: ModuleType) -> None:
    audit = pkg.decode("audit.events", b'{"actor": "a", "action": "b", "digest": "3q2+7w=="}')
    assert audit.digest == "3q2+7w=="
    assert msgpack.unpackb(pkg.encode(audit, encoding="msgpack"))["digest"] == "3q2+7w=="
    with pytest.raises(pkg.ContractError, match="declares no binary data"):
        pkg.decode(
            "audit.events",
            msgpack.packb({"actor": "a", "action": "b", "digest": b"x"}),
            encoding="msgpack",
        )


def test_the_package_requires_msgpack_when_a_channel_carries_it(encodings_package: Path) -> None:
    text = (encodings_package / "pyproject.toml").read_text(encoding="utf-8")
    dependencies = text.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert '"msgpack>=1.0,<2"' in dependencies


def test_the_docs_name_the_encoding_of_a_msgpack_channel(tmp_path: Path) -> None:
    run = generate_cli("docs", "--registry", ENCODINGS, "--out", tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    pages = tmp_path / "markdown" / "channels"
    assert "· encoding **msgpack**" in (pages / "files.chunks.md").read_text(encoding="utf-8")
    assert "encoding" not in (pages / "audit.events.md").read_text(encoding="utf-8")
    html = (tmp_path / "html" / "channels" / "files.chunks.html").read_text(encoding="utf-8")
    assert '<span class="badge">encoding msgpack</span>' in html
