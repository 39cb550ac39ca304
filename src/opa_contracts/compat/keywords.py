"""Keyword groups only the compatibility engine needs: which annotation change is which rule."""

from __future__ import annotations

from opa_contracts.compat import rules_scalar as rsc

# Annotations whose change gets its own rule; any other annotation is "annotation-changed".
NAMED_ANNOTATIONS = {
    "$id": (rsc.ID_CHANGED.id, "ID_CHANGED"),
    "id": (rsc.ID_CHANGED.id, "ID_CHANGED"),
    "title": (rsc.TITLE_CHANGED.id, "TITLE_CHANGED"),
    "description": (rsc.DESCRIPTION_CHANGED.id, "DESCRIPTION_CHANGED"),
    "default": (rsc.DEFAULT_CHANGED.id, "DEFAULT_CHANGED"),
}
OTHER_ANNOTATIONS = ("examples", "$comment", "deprecated", "readOnly", "writeOnly")
# the rules of changes that touch annotations only (a patch version may carry them)
ANNOTATION_RULES = frozenset(rule for rule, _ in NAMED_ANNOTATIONS.values()) | {
    rsc.ANNOTATION_CHANGED.id
}
