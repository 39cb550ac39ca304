"""Allow ``python -m opa_contracts``."""

from opa_contracts.cli import main

main()
