"""Where a bead file came from: its language pair and signature, read from the run's manifest."""

from __future__ import annotations

import re
from pathlib import Path

from xling.data import CorpusInfo
from xling.errors import UsageError

_PAIR = re.compile(r"^([a-z]{2,3})-([a-z]{2,3})$")


def corpus_info(beads: Path, source_lang: str | None = None, target_lang: str | None = None) -> CorpusInfo:
    """Languages from the ``<src>-<tgt>`` folder (or the arguments), signature from ``OUT/manifest.jsonl``."""
    resolved = beads.resolve()
    pair_dir = next((p for p in resolved.parents if _PAIR.match(p.name)), None)
    if pair_dir is not None:
        found = _PAIR.match(pair_dir.name)
        source_lang = source_lang or found.group(1)
        target_lang = target_lang or found.group(2)
    if not source_lang or not target_lang:
        raise UsageError(f"cannot tell the languages of {beads}: pass --source-lang and --target-lang")
    signature = ""
    if pair_dir is not None and (pair_dir.parent / "manifest.jsonl").is_file():
        from xling.report import read_manifest

        relative = resolved.relative_to(pair_dir.parent).as_posix()
        for row in read_manifest(pair_dir.parent / "manifest.jsonl"):
            if relative in row.get("outputs", ()):
                signature = row.get("signature") or ""
    return CorpusInfo(source_lang, target_lang, signature)
