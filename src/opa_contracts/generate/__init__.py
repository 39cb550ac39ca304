"""Generators: turn the registry into files (a Python client package today; docs and more later).

``targets`` reads the declarative target files in ``generators/``, ``kinds`` maps a target kind to
its generator, ``output`` writes or checks a file tree deterministically, ``run`` ties them up.
"""
