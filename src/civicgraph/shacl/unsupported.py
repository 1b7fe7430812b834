"""The one error of the SHACL engine's compilation."""


class UnsupportedShapes(ValueError):
    """The shapes graph uses SHACL this engine does not implement, or is malformed; nothing was validated."""
