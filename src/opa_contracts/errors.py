"""The one root error type for input the tool cannot read at all."""


class OpaContractsError(Exception):
    """Root of every error the library raises on purpose."""


class InputError(OpaContractsError):
    """Input that could not be read at all (exit code 3)."""


class UsageError(OpaContractsError):
    """A request that makes no sense, such as an unknown option value (exit code 2)."""


class WriteError(OpaContractsError):
    """Output the tool could not write (or, for ``generate --check``, read back): a full disk, a
    read-only folder, no permission, a folder in the way (exit code 3)."""
