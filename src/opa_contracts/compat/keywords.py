"""Keyword groups only the compatibility engine needs: which annotation change is which rule."""

from __future__ import annotations

# Annotations whose change gets its own rule; any other annotation is "annotation-changed".
NAMED_ANNOTATIONS = {
    "$id": ("id-changed", "ID_CHANGED"),
    "id": ("id-changed", "ID_CHANGED"),
    "title": ("title-changed", "TITLE_CHANGED"),
    "description": ("description-changed", "DESCRIPTION_CHANGED"),
    "default": ("default-changed", "DEFAULT_CHANGED"),
}
OTHER_ANNOTATIONS = ("examples", "$comment", "deprecated", "readOnly", "writeOnly")
# the rules of changes that touch annotations only (a patch version may carry them)
ANNOTATION_RULES = frozenset(rule for rule, _ in NAMED_ANNOTATIONS.values()) | {
    "annotation-changed"
}
