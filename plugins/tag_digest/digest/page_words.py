"""The names the page builders import the page words by (kept while they move to
:mod:`.strings`): the words are one table (:mod:`.words`), looked up by
:func:`.strings.catalogue`; plurals are :func:`.strings.plural`.
"""

from __future__ import annotations

from .strings import catalogue as page_catalogue
from .strings import plural

__all__ = ["page_catalogue", "plural"]
