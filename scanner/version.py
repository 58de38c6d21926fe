"""piiscan's release, written once.

The package's version is read from here (pyproject.toml), and a run records it,
so a results store or a report names the code that made it: one attribute, no
package metadata to read at start-up. Imports nothing.
"""

__version__ = "0.1.0"
