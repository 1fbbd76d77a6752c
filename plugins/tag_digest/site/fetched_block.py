"""The footer's last-fetched block, as every digest page renders it (issue 14).

``digest/fetched.html`` shows ``digest_fetched`` (the archive's last successful fetch,
:mod:`..digest.freshness`) in every page's footer. So that a fetch which found nothing new
does not re-render the site, the pages' signatures leave that time out and the writer
splices the new block into each page (:mod:`.writer`). That is exact only when the block
is all a page shows of the time: :func:`fetched_block` gives None (no splicing: the time
is then in every page's signature) when the theme has no ``digest/fetched.html`` or any
template but it and ``digest/stale.html`` names ``digest_fetched``. The stale notice
(``digest/stale.html``) stays in the signatures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from jinja2 import Environment

from .theme_files import template_name

FETCHED_TEMPLATE = "digest/fetched"
STALE_TEMPLATE = "digest/stale"


def fetched_block(
    env: Environment, extensions: Sequence[str], context: Mapping[str, object]
) -> str | None:
    """``digest/fetched.html`` rendered with ``context`` (the pages' shared context), or None."""
    fetched = template_name(env, FETCHED_TEMPLATE, list(extensions))
    if fetched is None:
        return None
    stale = template_name(env, STALE_TEMPLATE, list(extensions))
    loader = env.loader
    assert loader is not None
    for name in env.list_templates():
        # Pelican's loader also lists the theme's templates as "!theme/<name>"
        plain = name.partition("/")[2] if name.startswith("!") else name
        if plain in (fetched, stale):
            continue
        try:
            source = loader.get_source(env, name)[0]
        except Exception:  # an unreadable template cannot show the time either
            continue
        if "digest_fetched" in source:
            return None
    block = env.get_template(fetched).render(dict(context))
    return block if block.strip() else None
