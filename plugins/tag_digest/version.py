"""The generator's identity, shown in page footers and sent as the User-Agent."""

__version__ = "0.1.0"
REPOSITORY = "https://github.com/tagdigest/tagdigest"
USER_AGENT = f"tagdigest/{__version__} (+{REPOSITORY})"
