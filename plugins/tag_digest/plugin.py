"""Pelican entry point: validate settings, fetch when asked, hand Pelican our generators."""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from pelican import signals

from .errors import TagDigestError
from .settings import load_settings

log = logging.getLogger("tag_digest")


def fail(error: TagDigestError) -> NoReturn:
    """Stop the build with one clear line (no traceback): the error names the setting or file."""
    log.error("tag_digest: %s", error)
    raise SystemExit(1)


def on_initialized(pelican: Any) -> None:
    """Validate the DIGEST_* settings, then fetch when ``DIGEST_FETCH`` is true."""
    try:
        settings = load_settings(pelican.settings)
    except TagDigestError as error:
        fail(error)
    if settings.fetch:
        from .sync import sync_all

        try:
            sync_all(settings)
        except TagDigestError as error:
            fail(error)


def get_generators(pelican: Any) -> list[type]:
    from .generator import DigestGenerator

    return [DigestGenerator]


def register() -> None:
    signals.initialized.connect(on_initialized)
    signals.get_generators.connect(get_generators)
