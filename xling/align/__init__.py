"""Align stage: pair source segments with target segments as beads."""

from xling.align.one_to_one import beads_from_translations

__all__ = ["beads_from_translations"]
