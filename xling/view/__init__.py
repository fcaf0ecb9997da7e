"""Bilingual views: self-contained side-by-side HTML pages and a terminal view."""
