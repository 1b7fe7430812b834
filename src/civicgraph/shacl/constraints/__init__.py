"""The constraint components, one module per section of the SHACL specification (as pyshacl arranges them)."""
