"""Settings for the published site (`make publish`, the GitHub Actions workflow)."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

# The workflow passes the Pages URL (actions/configure-pages' base_url).
SITEURL = os.environ.get("SITEURL", "").rstrip("/")
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
