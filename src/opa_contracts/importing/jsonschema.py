"""``import jsonschema``: a registry from a folder of JSON Schema files and a mapping file."""

from __future__ import annotations

from pathlib import Path

from opa_contracts.importing.common import Imported


def import_folder(folder: Path, mapping: Path) -> Imported:
    raise NotImplementedError
