"""The ``python`` generation target: a typed client package (see ``package``)."""
