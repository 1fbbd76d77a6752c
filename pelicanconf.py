"""Settings for building the site locally (`make site`). See README.md for every setting."""

AUTHOR = "tagdigest"
SITENAME = "#Supervised_finetuning digest"
SITEURL = ""

PATH = "content"
ARTICLE_PATHS: list[str] = []
PAGE_PATHS = ["pages"]
STATIC_PATHS: list[str] = []
IGNORE_FILES = [".#*", "archive"]
THEME = "theme"

TIMEZONE = "Europe/Moscow"
DEFAULT_LANG = "ru"

PLUGIN_PATHS = ["plugins"]
PLUGINS = ["tag_digest"]

# --- tagdigest -------------------------------------------------------------
DIGEST_SERVERS = ["https://mastodon.social"]
DIGEST_TAGS = ["Supervised_finetuning"]
DIGEST_ARCHIVE_PATH = "content/archive"
DIGEST_FETCH = True  # fetch before building; without network the archive alone is used
DIGEST_SINCE = "2024-01-01"

# Atom feeds need absolute URLs. A local build's feeds point at `make serve`;
# publishconf.py sets SITEURL and FEED_DOMAIN to the published address.
FEED_DOMAIN = "http://127.0.0.1:8000"

# Pelican's own feeds and archives are replaced by the digest's.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = False

# Pelican's content cache, and with it `pelican --ignore-cache` (which sets
# LOAD_CONTENT_CACHE = False): the digest then reads none of its own caches either.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
RELATIVE_URLS = True
