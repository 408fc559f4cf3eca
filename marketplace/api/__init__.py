"""The versioned JSON API under /api/v1 (registry.py wires it into the app; one module per resource)."""
