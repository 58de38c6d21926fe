"""One way to find plugins: detectors, connectors and report formats alike.

A plugin is a class in its own module, marked with its registry's
``register`` decorator. The registry imports every public module of its
package (names not starting with ``_``) the first time it is asked, so adding
a detector, connector or format is one new file: no list to edit, no deny-list
of modules to skip. One naming rule instead: ``<name>_model`` modules hold the
validation model (pydantic) of a plugin's own files and register nothing; the
plugin imports its model when it reads such a file, and the registry leaves it
alone, so a scan that reads none never pays pydantic's start-up. Imports
nothing of the project.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from typing import Generic, TypeVar

T = TypeVar("T", bound=type)

#: Modules named ``<name>_model`` are validation models, never plugins (see above).
MODEL_SUFFIX = "_model"


class Registry(Generic[T]):
    """The plugin classes of one package, in the order their modules registered them."""

    def __init__(self, package: str) -> None:
        self.package = package
        self._classes: list[T] = []
        self._loaded = False
        self._lock = threading.Lock()

    def register(self, cls: T) -> T:
        """Class decorator: make ``cls`` one of this registry's plugins."""
        if cls not in self._classes:
            self._classes.append(cls)
        return cls

    def classes(self) -> list[T]:
        """Return every registered class, importing the package's modules on first use."""
        with self._lock:
            if not self._loaded:
                package = importlib.import_module(self.package)
                for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
                    if not info.name.startswith("_") and not info.name.endswith(MODEL_SUFFIX):
                        importlib.import_module(f"{self.package}.{info.name}")
                self._loaded = True
        return list(self._classes)
