"""ContractModel: the one pydantic configuration shared by every generated message model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ContractModel(BaseModel):
    """Base of every generated message model.

    Unknown fields are kept (and written back by ``encode``). Building a model in Python is
    strict (no ``"5"`` for a number); ``decode`` validates the JSON with the contract's schema
    first and then builds the model leniently, so the schema alone decides what is valid.
    """

    model_config = ConfigDict(
        extra="allow",
        strict=True,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        ser_json_inf_nan="constants",
        protected_namespaces=(),
    )
