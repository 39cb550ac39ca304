"""``opa-contracts validate``: every check of a registry, reported as findings."""
