"""Align two texts (an original and its translation): segment, find a bridge, align, keep provenance."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xling.align.bridge import align_sentences, check_bridge
from xling.data import Bead
from xling.document import text_sentences
from xling.errors import UsageError, XlingError
from xling.translate.base import Translator

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextAlignment:
    source: list[str]
    target: list[str]
    beads: list[Bead]
    bridge: str  # "mt-file", "model:<id>" or "none", and "+mt-rev-file" when a reverse bridge was given
    note: str = ""  # why there is no bridge, when there is none


def lines_of(text: str) -> list[str]:
    """Line i of a line-aligned file; blank lines at its end (an editor's, or a shell's ``echo``) are not lines."""
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def sentences(text: str, lang: str, presegmented: bool) -> list[str]:
    """One sentence per line (``presegmented``: line i is sentence i), else xling's segmenter."""
    if presegmented:
        return lines_of(text)
    return [sentence for paragraph in text_sentences(text, lang) for sentence in paragraph]


def read_mt(path: Path, expected: int, option: str = "--mt", side: str = "source") -> list[str]:
    """One translation per line of ``path``, which must have one line per ``side`` sentence."""
    try:
        lines = lines_of(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UsageError(f"{option} {path} is not UTF-8 text ({exc.reason}): give one translation per line") from exc
    except OSError as exc:
        raise UsageError(f"{option} {path}: {exc.strerror or exc}") from exc
    if len(lines) != expected:
        raise UsageError(f"{option} {path} has {len(lines)} lines but the {side} has {expected} sentences; "
                         f"give one translation per {side} sentence (use --presegmented to keep your lines)")
    return lines


def align_texts(source_text: str, target_text: str, *, source_lang: str = "pl", target_lang: str = "en",
                presegmented: bool = False, mt: Sequence[str] | None = None, mt_rev: Sequence[str] | None = None,
                translator: Translator | None = None, note: str = "") -> TextAlignment:
    """Align an original with a translation of it.

    The bridge is ``mt`` when given (one translation per source sentence); otherwise the
    source is translated with ``translator`` (the caller's: ``xling.api.load_translator``
    makes one) when the target is English; otherwise, or when the translation fails, the
    aligner uses lengths, names and numbers, and says so (``note``: why there is no
    translator, from the caller). ``mt_rev`` (one translation into the source language per
    target sentence) adds the other direction's comparison, which helps where one MT system
    is weak. A bridge that resembles the target less than the untranslated source does
    (``check_bridge``: a wrong or broken model) is not used, and ``note`` says so.
    """
    source = sentences(source_text, source_lang, presegmented)
    target = sentences(target_text, target_lang, presegmented)
    bridge, kind = None, "none"
    if mt is not None:
        if len(mt) != len(source):
            raise UsageError(f"{len(mt)} bridge translations for {len(source)} source sentences")
        bridge, kind, note = list(mt), "mt-file", ""
    elif translator is not None and target_lang != "en":
        note = f"xling's models translate into English, not {target_lang!r}; pass --mt FILE for a bridge"
    elif translator is not None:
        try:
            bridge = [t.text for t in translator.translate(source)]
            kind, note = f"model:{translator.model_id}", ""
        except XlingError as exc:
            note = f"no bridge translation ({exc})"
    if bridge is not None and not (check := check_bridge(bridge, source, target)).helps:
        bridge, kind, note = None, "none", f"{kind} not used: {check.why_not()}"
    if mt_rev is not None:
        if len(mt_rev) != len(target):
            raise UsageError(f"{len(mt_rev)} reverse bridge translations for {len(target)} target sentences")
        if not (check := check_bridge(mt_rev, target, source)).helps:
            logger.warning("the reverse bridge is not used: %s", check.why_not("source", "target"))
            mt_rev = None
        else:
            kind = ("" if bridge is None else kind + "+") + "mt-rev-file"
    if bridge is None and mt_rev is None:
        logger.warning("aligning without a bridge, on lengths, names and numbers: %s", note)
    beads = align_sentences(source, target, bridge, reverse_bridge=None if mt_rev is None else list(mt_rev))
    return TextAlignment(source, target, beads, kind, note)
