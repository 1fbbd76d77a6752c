"""tagdigest: archive public fediverse posts for hashtags and publish them as digests."""

from .plugin import register
from .version import REPOSITORY, USER_AGENT, __version__

__all__ = ["REPOSITORY", "USER_AGENT", "__version__", "register"]
