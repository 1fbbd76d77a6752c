"""The build's :class:`~.context.PageSink`: pages rendered by the theme, written by :mod:`.writer`.

A page is rendered with the shared context (Pelican's, with the digest's own keys), the
page's own context and the digest's *chrome* (what its pages see differently from the
host site's: no host pages under a ``DIGEST_PATH``, the bundled theme's static folder); its
links are then resolved for the page's depth (:meth:`~.urls.Urls.resolve`). Its
signature hashes the build's fingerprint, its path, its template and its inputs, so an
unchanged page is neither rendered nor rewritten.

Nothing a page only shows is computed for a page that is not rendered: a builder wraps
the costly values of a page's context in :class:`Lazy` (``Lazy(lambda: …)``), made into
their values inside the render, and the template is looked up there too. The footer's
last-fetched block (``fetched``, rendered once per build by the generator) is handed to
the writer beside the signature, which leaves it out: see :mod:`.writer`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from jinja2 import Environment

from ..digest.urls import Urls
from .writer import PageWriter

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Lazy(Generic[T]):
    """A page's context value computed only when the page is rendered."""

    make: Callable[[], T]


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
    fetched: str | None = None
    """The footer's last-fetched block as every page renders it; None: in the fingerprint."""

    def write_page(self, path: str, template: str, inputs: object, **context: object) -> None:
        signature = signature_hash(
            self.fingerprint, path, template, json.dumps(inputs, default=str)
        )

        def render() -> str:
            compiled = self.env.get_template(self.template_file(template))
            local = dict(self.shared)
            local.update((k, v.make() if isinstance(v, Lazy) else v) for k, v in context.items())
            local["SITEURL"] = self.urls.siteurl_for(path)
            local["output_file"] = path
            local.update(self.chrome)
            return self.urls.resolve(compiled.render(local), path)

        self.writer.write(path, render, signature, self.fetched)

    def write_raw(self, path: str, text: str) -> None:
        signature = hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
        self.writer.write(path, lambda: text, signature)

    def write_lazy(self, path: str, render: Callable[[], str], signature: str) -> None:
        self.writer.write(path, render, signature)

    def write_stream(
        self,
        path: str,
        parts: Callable[[], Iterable[str]],
        signature: str,
        *,
        beside: bool = False,
    ) -> None:
        """A big file made in pieces (:meth:`~.writer.PageWriter.write_stream`)."""
        self.writer.write_stream(path, parts, signature, beside=beside)
