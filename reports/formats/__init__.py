"""Renderers: one module per output format, registered with ``reports.registry.register``."""
