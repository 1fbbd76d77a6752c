"""Where the digest pages' templates and stylesheet come from: the site's theme, or ours.

A theme that has ``templates/digest/post.html`` renders the digest pages itself (this
repository's ``theme/`` is such a theme). Any other theme (Pelican's default, a blog's own)
gets the plugin's bundled theme for the digest pages alone: its templates render them, and
its ``static/`` files are copied to :data:`BUNDLED_STATIC_DIR` under the digest's path, so
the host site's own pages, theme and static files are never touched.

The bundled theme is this repository's ``theme/``: an installed wheel carries it as
``tag_digest/theme`` (package data); a source checkout finds it beside ``plugins/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from jinja2 import (
    BaseLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    TemplateNotFound,
)

from ..errors import SettingError

PROBE = "digest/post"
"""A theme that has this template renders the digest pages itself."""
BUNDLED_STATIC_DIR = "_tagdigest"
"""Where the bundled theme's static files go, under ``DIGEST_PATH`` (``THEME_STATIC_DIR``
of the digest pages rendered by the bundled theme)."""

TEMPLATE_CACHE = "templates"
"""The digest templates compiled, under ``CACHE_PATH/tag_digest/`` (Jinja's bytecode cache)."""

_PACKAGE = Path(__file__).resolve().parents[1]
"""The ``tag_digest`` package folder (this module is in its ``site/``)."""


def bundled_theme() -> Path:
    """The plugin's own theme folder (with ``templates/`` and ``static/``)."""
    for candidate in (_PACKAGE / "theme", _PACKAGE.parent.parent / "theme"):
        if (candidate / "templates" / "digest").is_dir():
            return candidate
    raise SettingError("THEME", f"tagdigest's own theme is missing (looked in {_PACKAGE})")


def template_name(env: Environment, name: str, extensions: list[str]) -> str | None:
    """The file name ``env`` finds for template ``name`` (trying each extension), or ``None``."""
    loader = env.loader
    if loader is None:
        return None
    for extension in extensions:
        candidate = f"{name}{extension}"
        try:
            loader.get_source(env, candidate)
        except TemplateNotFound:
            continue
        return candidate
    return None


def digest_loader(theme_env: Environment, extensions: list[str]) -> BaseLoader | None:
    """``None`` when the site's theme renders the digest pages, else the bundled theme's loader."""
    if template_name(theme_env, PROBE, extensions) is not None:
        return None
    return FileSystemLoader(str(bundled_theme() / "templates"))


def copy_bundled_static(output: Path) -> None:
    """The bundled theme's ``static/`` copied to ``output`` (the digest's static folder)."""
    source = bundled_theme() / "static"
    for path in sorted(source.rglob("*")):
        if path.is_file():
            target = output / path.relative_to(source)
            if target.is_file() and target.read_bytes() == path.read_bytes():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def template_cache(cache_root: Path, reads: bool) -> FileSystemBytecodeCache | None:
    """Jinja's bytecode cache for the digest templates in ``cache_root``: a build then does
    not compile them again (some 0.2 s a build, whatever the archive's size). Jinja checks
    each entry against its template's source. None when the build reads no cache
    (``--ignore-cache``) or the folder cannot be made."""
    if not reads:
        return None
    folder = cache_root / TEMPLATE_CACHE
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))
