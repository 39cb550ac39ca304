"""opa-contracts: a registry of event contracts and the tool that guards it."""

__version__ = "0.1.0"
