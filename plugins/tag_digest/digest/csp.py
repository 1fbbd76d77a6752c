"""The Content-Security-Policy every page carries (issue 10, defence in depth).

GitHub Pages sets no response headers, so the policy is a ``<meta http-equiv>``
right after ``<meta charset>`` in the theme's ``base.html`` (and in
``bookmarks.html``). Post HTML is sanitised with an allow-list; should a
sanitiser mistake ever let markup through, the browser still runs no inline
script, no event handler attribute, no ``javascript:`` URL and no script from
another site. What the pages need stays allowed:

- scripts only as files from the site itself (``'self'``), and WebAssembly
  (``'wasm-unsafe-eval'``) for a search index that runs in the browser;
- the theme's own stylesheet (no inline styles anywhere);
- images from the site and any HTTPS server (media previews stay on the
  authors' servers), ``data:`` images in a site owner's own pages;
- nothing else from elsewhere: no plugins (``object-src``), no ``<base>``
  redirect of relative links, forms only to the site itself.

``frame-ancestors`` and reporting are ignored in a ``<meta>`` policy, so they
are left out. The literal in ``theme/templates/base.html`` must equal
:data:`CONTENT_SECURITY_POLICY` (a test compares the built pages with it).
"""

from __future__ import annotations

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' https: data:; media-src 'self' https:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'"
)
