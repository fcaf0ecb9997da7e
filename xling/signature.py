"""Provenance: a one-line signature naming everything that shaped an output (after sacrebleu's)."""

from __future__ import annotations

from xling._version import __version__
from xling.segment import SEGMENTER_NAME


def signature(*, backend: str, model_id: str, revision: str, settings_key: str, pair: str) -> str:
    """``xling:0.1.0|backend:transformers|model:ID@REV|seg:...|gen:beams=4,...|pair:pl-en``"""
    return "|".join([
        f"xling:{__version__}",
        f"backend:{backend}",
        f"model:{model_id}@{revision}",
        f"seg:{SEGMENTER_NAME}",
        f"gen:{settings_key}",
        f"pair:{pair}",
        "align:1-1",
    ])
