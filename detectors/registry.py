"""Every detector, found by importing the modules of this package."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import lru_cache

from detectors.base import Detector

_NOT_DETECTORS = {"base", "registry", "names", "checksums", "language", "custom"}


@lru_cache(maxsize=1)
def detector_classes() -> tuple[type[Detector], ...]:
    """Return the detector classes of every module in ``detectors``, sorted by entity and name."""
    import detectors

    found: dict[str, type[Detector]] = {}
    for info in pkgutil.iter_modules(detectors.__path__):
        if info.name in _NOT_DETECTORS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"detectors.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Detector) and obj is not Detector and obj.entity and \
                    obj.__module__ == module.__name__:
                found[obj.name] = obj
    return tuple(sorted(found.values(), key=lambda c: (c.entity, c.name)))


def all_detectors() -> list[Detector]:
    """Return a fresh instance of every detector."""
    return [cls() for cls in detector_classes()]
