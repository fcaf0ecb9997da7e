"""Readers: one per input format, each giving a ``Document`` with blocks and their place in the source."""
