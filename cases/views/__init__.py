"""Views of the cases app, one module per page or family of pages."""
