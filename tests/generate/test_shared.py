"""Shared schemas make shared code (``tests/fixtures/shared``): each object schema of a
``_schemas/`` file is one class of ``<module>/_shared.py``, which every channel module that uses
it imports; the contract check (``decode``/``encode``) is the bundled schema's, as before.

The fixture: ``money.yaml`` is nested in ``category.yaml``, which is recursive (a tree);
``folder.yaml`` and ``file.yaml`` refer to each other; ``attachment.yaml`` holds binary data,
so the msgpack channel ``sensor.readings`` keeps its own (``bytes``) class of it;
``currency.yaml`` (an enum) and ``lines.yaml`` (an array) make no class."""

from __future__ import annotations

import ast
import importlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from opa_contracts.exitcodes import EXIT_OK
from tests.conftest import FIXTURES, run_cli
from tests.generate.helpers import SHARED, SHARED_MODULE, generate, imported, manifests

pytestmark = pytest.mark.slow  # the package is generated once per session (seconds)

CHANNEL_MODULES = ("shop_orders", "shop_catalog", "shop_refunds", "sensor_readings")
#: the shared classes each channel's module imports (it uses them, directly or through others)
IMPORTS = {
    "shop_orders": {"Money"},
    "shop_catalog": {"Category", "File", "Folder", "Label", "Money"},
    "shop_refunds": {"Attachment", "Category", "Money"},
    "sensor_readings": {"Money"},
}
SHARED_CLASSES = ["Attachment", "Category", "File", "Folder", "Label", "Meta", "Money"]
EXAMPLES = {m["channel"]: m["examples"][0]["payload"] for m in manifests(SHARED)}
CASES = [
    pytest.param(m["channel"], e["payload"], id=f"{m['channel']}/{e['name']}")
    for m in manifests(SHARED)
    for e in m["examples"]
]


@pytest.fixture(scope="module")
def pkg(shared_package: Path) -> Iterator[ModuleType]:
    with imported(shared_package / "src", SHARED_MODULE) as module:
        yield module


def _tree(package: Path, name: str) -> ast.Module:
    path = package / "src" / SHARED_MODULE / f"{name}.py"
    return ast.parse(path.read_text(encoding="utf-8"))


def _classes(module: ast.Module) -> dict[str, set[str]]:
    """Class name -> its field names."""
    return {
        s.name: {
            f.target.id
            for f in s.body
            if isinstance(f, ast.AnnAssign) and isinstance(f.target, ast.Name)
        }
        for s in module.body
        if isinstance(s, ast.ClassDef)
    }


def test_each_shared_class_is_defined_once_in_the_shared_module(shared_package: Path) -> None:
    shared = _classes(_tree(shared_package, "_shared"))
    assert sorted(shared) == SHARED_CLASSES
    assert shared["Category"] == {"name", "floor_price", "children", "meta"}
    defined: list[tuple[str, str, frozenset[str]]] = []
    for path in sorted((shared_package / "src" / SHARED_MODULE).rglob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        defined += [(path.name, n, frozenset(f)) for n, f in _classes(module).items()]
    by_fields: dict[frozenset[str], list[str]] = {}
    for file, name, fields in defined:
        by_fields.setdefault(fields, []).append(f"{file}:{name}")
    assert by_fields[frozenset({"amount", "currency"})] == ["_shared.py:Money"]
    assert by_fields[frozenset({"name", "floor_price", "children", "meta"})] == [
        "_shared.py:Category"
    ]
    assert by_fields[frozenset({"path", "files"})] == ["_shared.py:Folder"]
    # binary data: bytes on the msgpack channel, a base64 string in the shared class
    assert by_fields[frozenset({"name", "content"})] == [
        "_shared.py:Attachment",
        "v1_0_0.py:Attachment",
    ]
    # no class for an enum or an array: the enum is a Literal, the array's items a class of
    # the channel that uses it (as before)
    text = (shared_package / "src" / SHARED_MODULE / "_shared.py").read_text(encoding="utf-8")
    assert 'Literal["EUR", "USD", "GBP"]' in text
    assert "RootModel" not in text
    assert by_fields[frozenset({"sku", "price"})] == ["v1_0_0.py:Line", "v1_0_0.py:Line"]
    sensor = shared_package / "src" / SHARED_MODULE / "sensor_readings" / "v1_0_0.py"
    assert "content: Annotated[Binary" in sensor.read_text(encoding="utf-8")


@pytest.mark.parametrize("channel", CHANNEL_MODULES)
def test_channel_modules_import_the_shared_classes(shared_package: Path, channel: str) -> None:
    module = _tree(shared_package, f"{channel}/v1_0_0")
    imported_names = {
        alias.name
        for s in module.body
        if isinstance(s, ast.ImportFrom) and s.module == f"{SHARED_MODULE}._shared"
        for alias in s.names
    }
    assert imported_names == IMPORTS[channel]
    assert not set(_classes(module)) & (IMPORTS[channel] | {"Category", "Label", "Folder", "File"})


def test_a_class_of_the_channel_with_a_shared_name_stays_its_own(shared_package: Path) -> None:
    module = _tree(shared_package, "shop_orders/v1_0_0")
    assert _classes(module)["Money1"] == {"note"}  # shop.orders' own object named money
    assert "from shared_events._shared import Money\n" in ast.unparse(module) + "\n"


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"{SHARED_MODULE}.{name}")


def test_the_same_class_across_channels(pkg: ModuleType) -> None:
    shared, orders, refunds = _module("_shared"), _module("shop_orders"), _module("shop_refunds")
    sensor, catalog_module = _module("sensor_readings"), _module("shop_catalog")
    assert orders.Money is refunds.Money is sensor.Money is shared.Money
    assert catalog_module.Category is refunds.Category is shared.Category
    assert catalog_module.Money is shared.Money  # used through Category: exported as before
    order = pkg.decode("shop.orders", json.dumps(EXAMPLES["shop.orders"]))
    assert isinstance(order.total, refunds.Money)
    assert all(isinstance(line.price, sensor.Money) for line in order.lines)
    assert not isinstance(order.money, shared.Money)  # the channel's own Money1
    catalog = pkg.decode("shop.catalog", json.dumps(EXAMPLES["shop.catalog"]))
    books = catalog.root.children[0]
    assert isinstance(books.children[0], refunds.Category)  # a tree, two levels down
    assert isinstance(catalog.root.floor_price, orders.Money)  # nested in Category
    assert isinstance(catalog.shelf.files[0].parent, shared.Folder)  # folder <-> file cycle


@pytest.mark.parametrize(("channel", "payload"), CASES)
def test_every_example_round_trips(pkg: ModuleType, channel: str, payload: Any) -> None:
    message = pkg.decode(channel, json.dumps(payload), encoding="json")
    assert json.loads(pkg.encode(message, encoding="json")) == payload
    packed = pkg.encode(message, encoding="msgpack")
    assert pkg.decode(channel, packed, encoding="msgpack") == message


def test_the_contract_check_keeps_what_the_shared_schema_asserts(pkg: ModuleType) -> None:
    # minimum: 0 is in money.yaml; models drop bounds, the bundled schema keeps them
    bad = {"refund_id": "r-2", "amount": {"amount": -1, "currency": "EUR"}}
    with pytest.raises(pkg.ContractError, match="minimum"):
        pkg.decode("shop.refunds", json.dumps(bad))
    refunds = _module("shop_refunds")
    built = refunds.ShopRefunds(refund_id="r-3", amount=refunds.Money(amount=-5, currency="USD"))
    with pytest.raises(pkg.ContractError):
        pkg.encode(built)


def test_names_that_collide_are_qualified_by_path(tmp_path: Path) -> None:
    registry = shutil.copytree(SHARED, tmp_path / "registry")
    (registry / "_schemas" / "billing").mkdir()
    (registry / "_schemas" / "billing" / "money.yaml").write_text(
        "title: Money\ntype: object\nproperties:\n  cents: {type: integer}\n", encoding="utf-8"
    )
    invoices = (registry / "shop.refunds" / "1.0.0.yaml").read_text(encoding="utf-8")
    invoices = invoices.replace("shop.refunds", "shop.invoices").replace(
        "amount: {$ref: ../_schemas/money.yaml}", "amount: {$ref: ../_schemas/billing/money.yaml}"
    )
    invoices = invoices.replace("amount: {amount: 5, currency: GBP}", "amount: {cents: 5}")
    (registry / "_common").mkdir()  # any top-level _ folder holds shared schemas
    (registry / "_common" / "money.yaml").write_text(
        "type: object\nproperties:\n  euros: {type: number}\n", encoding="utf-8"
    )
    invoices = invoices.replace(
        "    receipt: {$ref", "    fee: {$ref: ../_common/money.yaml}\n    receipt: {$ref"
    )
    # a description that looks like the generator's mark for a shared class is just a description
    forged = "    forged: {type: object, description: 'opa-shared-0123456789abcdef:Money', "
    forged += "properties: {z: {type: string}}}\n"
    invoices = invoices.replace("    receipt: {$ref", forged + "    receipt: {$ref")
    (registry / "shop.invoices").mkdir()
    (registry / "shop.invoices" / "1.0.0.yaml").write_text(invoices, encoding="utf-8")
    first = generate(registry, tmp_path / "one", SHARED_MODULE)
    again = generate(registry, tmp_path / "two", SHARED_MODULE)
    shared = (first / "src" / SHARED_MODULE / "_shared.py").read_text(encoding="utf-8")
    assert shared == (again / "src" / SHARED_MODULE / "_shared.py").read_text(encoding="utf-8")
    classes = _classes(ast.parse(shared))
    assert classes["Money"] == {"amount", "currency"}
    assert classes["BillingMoney"] == {"cents"}
    assert classes["CommonMoney"] == {"euros"}
    module = (first / "src" / SHARED_MODULE / "shop_invoices" / "v1_0_0.py").read_text("utf-8")
    assert "from shared_events._shared import Attachment, Category\n" in module
    assert "from shared_events._shared import BillingMoney as Money\n" in module
    assert {"z"} in _classes(ast.parse(module)).values()
    assert re.search(r"^from shared_events\._shared import CommonMoney as Money\d+$", module, re.M)


def test_a_registry_imported_from_asyncapi_shares_its_components(tmp_path: Path) -> None:
    # refs-3.0.yaml: two channels reach the component Tag (recursive): import writes
    # _schemas/Tag.yaml, and the package defines Tag once
    source = FIXTURES / "import" / "refs-3.0.yaml"
    registry = tmp_path / "registry"
    assert run_cli("import", "asyncapi", source, "--out", registry).code == EXIT_OK
    out = generate(registry, tmp_path / "pkg", SHARED_MODULE)
    package = out / "src" / SHARED_MODULE
    assert _classes(ast.parse((package / "_shared.py").read_text("utf-8")))["Tag"] == {
        "name",
        "parent",
    }
    users = [
        p.parent.name
        for p in sorted(package.rglob("v*.py"))
        if "from shared_events._shared import Tag\n" in p.read_text("utf-8")
    ]
    assert users == ["a_events", "b_events"]
    defined = [p.name for p in package.rglob("*.py") if "\nclass Tag(" in p.read_text("utf-8")]
    assert defined == ["_shared.py"]
