"""The privacy site: a static, self-contained website built from the results store.

``collect`` reads the store into plain data, ``charts`` lays out the inline
SVG charts and ``build`` renders the pages and writes the site incrementally
and atomically. ``piiscan site`` (``scanner/cli/site.py``) drives them.
"""

from reports.site.build import BuildStats, SiteError, build_site, read_manifest, search_entries
from reports.site.collect import SiteData, collect

__all__ = ["BuildStats", "SiteData", "SiteError", "build_site", "collect", "read_manifest",
           "search_entries"]
