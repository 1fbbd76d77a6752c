"""The build's :class:`~.context.PageSink`: pages rendered by the theme, written by :mod:`.writer`.

A page is rendered with the shared context (Pelican's, with the digest's own keys), the
page's own context and the digest's *chrome* (what its pages see differently from the
host site's: no host pages under a ``DIGEST_PATH``, the bundled theme's static folder); its
links are then resolved for the page's depth (:meth:`~.urls.Urls.resolve`). Its
signature hashes the build's fingerprint, its path, its template and its inputs, so an
unchanged page is neither rendered nor rewritten.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from jinja2 import Environment

from ..digest.urls import Urls
from .writer import PageWriter


def signature_hash(*parts: str) -> str:
    return hashlib.blake2b("\x1e".join(parts).encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class PageOutput:
    """Renders digest pages with ``env`` and writes them with ``writer``."""

    env: Environment
    template_file: Callable[[str], str]
    """A template's file name from its name (``digest/tag`` → ``digest/tag.html``)."""
    shared: Mapping[str, object]
    """The context every page sees (Pelican's shared context in a build)."""
    chrome: Mapping[str, object]
    urls: Urls
    writer: PageWriter
    fingerprint: str

    def write_page(self, path: str, template: str, inputs: object, **context: object) -> None:
        signature = signature_hash(
            self.fingerprint, path, template, json.dumps(inputs, default=str)
        )
        compiled = self.env.get_template(self.template_file(template))

        def render() -> str:
            local = dict(self.shared)
            local.update(context)
            local["SITEURL"] = self.urls.siteurl_for(path)
            local["output_file"] = path
            local.update(self.chrome)
            return self.urls.resolve(compiled.render(local), path)

        self.writer.write(path, render, signature)

    def write_raw(self, path: str, text: str) -> None:
        signature = hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
        self.writer.write(path, lambda: text, signature)

    def write_lazy(self, path: str, render: Callable[[], str], signature: str) -> None:
        self.writer.write(path, render, signature)
