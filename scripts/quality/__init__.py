"""Page-quality checks of a built site (issue 4, "Quality of the pages").

``python -m scripts.quality`` builds the default site and a site of generated
posts, serves each on 127.0.0.1 and runs, failing on any violation:

- the Nu HTML Checker (``vnu.jar`` from npm, on Java) over every HTML and CSS file;
- axe-core (WCAG 2.0/2.1 A and AA) in Debian's chromium on one page of each type,
  in the light and the dark colour scheme;
- Lighthouse on the index, a tag page, a week page and the links page
  (performance, accessibility, best practices and SEO at least 0.95);
- an internal link checker (every href/src/srcset and fragment resolves);
- the 14 kB shell budget of a digest page (HTML without the posts, plus its CSS).

The node tools live in ``tools/quality`` (``npm ci --prefix tools/quality``).
"""
