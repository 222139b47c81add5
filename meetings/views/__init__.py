"""Meeting pages, one module per page (or per small group of pages)."""
