"""The dashboard of ``parley serve``: server-rendered pages, SVG charts and one stylesheet (no JavaScript,
nothing from a CDN). See :mod:`parley.web.pages`."""
