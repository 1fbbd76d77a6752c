"""Pelican entry point: validate settings, fetch when asked, hand Pelican our generators."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pelican import signals

from .errors import TagDigestError, fail
from .settings import load_settings


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
    from .site.generator import DigestGenerator

    return [DigestGenerator]


def on_finalized(pelican: Any) -> None:
    """One warning when the built site nears GitHub Pages' 1 GB limit (site/output_size.py)."""
    from .site.output_size import size_warning, tree_bytes

    warning = size_warning(tree_bytes(Path(str(pelican.output_path))))
    if warning:
        logging.getLogger("tag_digest").warning("tag_digest: %s", warning)


def register() -> None:
    signals.initialized.connect(on_initialized)
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(on_finalized)
