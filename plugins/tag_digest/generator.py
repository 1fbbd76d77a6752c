"""The Pelican generator that renders the archive into digest pages."""

from __future__ import annotations

from typing import Any

from pelican.generators import Generator

from .archive import Archive
from .errors import TagDigestError
from .plugin import fail
from .settings import load_settings


class DigestGenerator(Generator):  # type: ignore[misc]
    def generate_context(self) -> None:
        try:
            settings = load_settings(self.settings)
            self.archive = Archive.load(settings.archive_path)
        except TagDigestError as error:
            fail(error)

    def generate_output(self, writer: Any) -> None:
        pass
