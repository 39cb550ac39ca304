"""Hostile contracts: keywords and non-identifiers as names, code in descriptions, odd enums."""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path
from typing import Any

import pytest

from opa_contracts.generate.python import safety
from tests.generate.conftest import HOSTILE_MODULE, PWNED
from tests.generate.helpers import HOSTILE, imported, manifests


@pytest.mark.slow
def test_importing_every_module_runs_nothing(hostile_package: Path) -> None:
    with imported(hostile_package / "src", HOSTILE_MODULE) as package:
        for info in pkgutil.walk_packages(package.__path__, f"{HOSTILE_MODULE}."):
            importlib.import_module(info.name)
    assert not PWNED.exists()


def _model(channel_module: str) -> Any:
    """The latest model of a channel of the (imported) hostile package."""
    return importlib.import_module(f"{HOSTILE_MODULE}.{channel_module}").MODEL


def test_hostile_text_survives_as_data(hostile_package: Path) -> None:
    with imported(hostile_package / "src", HOSTILE_MODULE):
        NamesHostile = _model("names_hostile")
        doc = NamesHostile.__doc__ or ""
        assert 'os.system("touch /tmp/opa-contracts-pwned")' in doc
        field = NamesHostile.model_fields["import_"]
        assert field.description == "\\x41 \\N{BULLET} {0} %s"


@pytest.mark.parametrize(
    ("channel", "version", "payload"),
    [
        (m["channel"], m["version"], e["payload"])
        for m in manifests(HOSTILE)
        for e in m.get("examples", [])
    ],
)
def test_every_example_round_trips(
    hostile_package: Path, channel: str, version: str, payload: Any
) -> None:
    with imported(hostile_package / "src", HOSTILE_MODULE) as package:
        message = package.decode(channel, json.dumps(payload), version)
        data = package.encode(message)
        assert package.decode(channel, data, version) == message
        assert json.loads(data) == payload  # 0.0 == 0: a number may come back as a float


def test_python_names_in_json_are_unknown_fields_not_the_aliased_ones(
    hostile_package: Path,
) -> None:
    raw = json.dumps({"class": "c", "bid-price": 1, "class_": "other", "bid_price": "x"})
    with imported(hostile_package / "src", HOSTILE_MODULE) as package:
        message = package.decode("names.hostile", raw)
        assert message.class_ == "c"
        assert message.bid_price == 1
        assert message.model_extra == {"class_": "other", "bid_price": "x"}


def test_models_are_built_by_python_name_and_written_by_contract_name(
    hostile_package: Path,
) -> None:
    with imported(hostile_package / "src", HOSTILE_MODULE) as package:
        message = _model("names_hostile")(class_="x", bid_price=2.5, from_=3, field_1st=True)
        assert json.loads(package.encode(message)) == {
            "class": "x",
            "bid-price": 2.5,
            "from": 3,
            "1st": True,
        }


def test_a_draft_is_never_the_default_import(hostile_package: Path) -> None:
    with imported(hostile_package / "src", HOSTILE_MODULE) as package:
        assert package.CHANNELS["import.class"].latest == "2.0.0"
        for module, version in (("", "2.0.0"), (".v1", "1.0.0"), (".v2", "2.0.0")):
            found = importlib.import_module(f"{HOSTILE_MODULE}.import_class{module}")
            assert version == found.VERSION
        assert "+draft." in package.__version__


@pytest.mark.parametrize(
    "code",
    [
        "import os\n",
        "from os import system\n",
        "from .x import y\n",
        "print('hi')\n",
        "class A(BaseModel):\n    x: int = open('f')\n",
        "class A(BaseModel, metaclass=M):\n    pass\n",
        "@decorate\nclass A(BaseModel):\n    pass\n",
        "class A(BaseModel):\n    x: 'os.system(\"x\")'\n",
        "class A(BaseModel):\n    x: list['B']\n",
        "class A(BaseModel):\n    x: int = (lambda: 1)()\n",
        "class A(BaseModel):\n    def f(self) -> None: ...\n",
        "from pydantic import Field\nclass A(BaseModel):\n    x: int = Field(default_factory=f)\n",
        "from pydantic import Field\nclass A(BaseModel):\n    x: int = Field(**{'a': 1})\n",
        "X = __import__('os')\n",
        "A.model_rebuild(force=True)\n",
    ],
)
def test_the_safety_check_refuses_anything_but_model_definitions(code: str) -> None:
    with pytest.raises(safety.UnsafeCode):
        safety.check(code, ["typing", "pydantic"], "m.py")


def test_the_safety_check_accepts_model_definitions() -> None:
    code = (
        "from typing import Annotated, Literal\n"
        "from pydantic import BaseModel, Field\n"
        "class A(BaseModel):\n"
        "    '''doc \"\"\" with quotes'''\n"
        "    x: Annotated[Literal['a b', 'os.system(1)'] | None, Field(description='d')] = None\n"
        "    y: list[A] = Field(default_factory=list)\n"
        "A.model_rebuild()\n"
        "CHANNEL = 'c'\n"
        "__all__ = ['A', 'CHANNEL']\n"
    )
    safety.check(code, ["typing", "pydantic"], "m.py")
