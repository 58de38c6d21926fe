"""Every detector: the classes registered with ``@register`` in the modules of this package."""

from __future__ import annotations

from functools import lru_cache

from detectors.base import DETECTORS, Detector


@lru_cache(maxsize=1)
def detector_classes() -> tuple[type[Detector], ...]:
    """Return the registered detector classes, sorted by entity and name."""
    return tuple(sorted(DETECTORS.classes(), key=lambda c: (c.entity, c.name)))


def all_detectors() -> list[Detector]:
    """Return a fresh instance of every detector."""
    return [cls() for cls in detector_classes()]
