"""The one root error type for input the tool cannot read at all."""


class OpaContractsError(Exception):
    """Root of every error the library raises on purpose."""


class InputError(OpaContractsError):
    """Input that could not be read at all (exit code 3)."""


class UsageError(OpaContractsError):
    """A request that makes no sense, such as an unknown option value (exit code 2)."""
