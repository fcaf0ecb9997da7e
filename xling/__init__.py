"""xling: detect, translate, segment and align articles across languages.

``import xling`` is cheap: it loads no model and imports no torch or
transformers; the functions below import what they need when called.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from xling._version import __version__

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "Bead", "Document", "GenerationSettings", "Options", "Segment", "Translation", "XlingError",
    "__version__", "align_sentences", "align_texts", "detect_folder", "translate_folder", "translate_folder_ray",
    "translate_texts",
]

_LAZY = {
    "translate_folder": "xling.pipeline",
    "Options": "xling.pipeline",
    "translate_folder_ray": "xling.ray_engine",
    "translate_texts": "xling.api",
    "detect_folder": "xling.api",
    "align_texts": "xling.align.texts",
    "align_sentences": "xling.align.bridge",
    "GenerationSettings": "xling.translate.base",
    "Bead": "xling.data",
    "Document": "xling.data",
    "Segment": "xling.data",
    "Translation": "xling.data",
    "XlingError": "xling.errors",
}

if TYPE_CHECKING:
    from xling.align.bridge import align_sentences
    from xling.align.texts import align_texts
    from xling.api import detect_folder, translate_texts
    from xling.data import Bead, Document, Segment, Translation
    from xling.errors import XlingError
    from xling.pipeline import Options, translate_folder
    from xling.ray_engine import translate_folder_ray
    from xling.translate.base import GenerationSettings


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'xling' has no attribute {name!r}")
