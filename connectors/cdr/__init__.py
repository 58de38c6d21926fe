"""Call-accounting (CDR/SMDR) connectors.

Importing this package registers one connector per format family; the
registry imports it like any top-level connector module. Each connector
sniffs a file's first 64 KiB and claims it with a score above the generic
CSV reader's when it recognises its format.
"""

from connectors.cdr import asterisk as asterisk
from connectors.cdr import avaya as avaya
from connectors.cdr import cisco as cisco
from connectors.cdr import fixed_width as fixed_width
from connectors.cdr import freeswitch as freeswitch
from connectors.cdr import generic as generic

__all__ = ["asterisk", "avaya", "cisco", "fixed_width", "freeswitch", "generic"]
