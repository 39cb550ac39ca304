"""Reporters turn a :class:`~opa_contracts.findings.Report` into text for people or machines."""
