"""Marian token ids, from sentencepiece alone where that is exact, else from MarianTokenizer.

Both backends speak to a tokenizer through ``Tokens``: texts to ids (end token
appended), ids to texts (special tokens skipped), ids to pieces and back for
CTranslate2, and the input limit. CTranslate2 needs nothing else from
transformers, whose import alone costs ~0.9 s of a small run, so for the
checkpoints opus-mt ships (one vocabulary, ``source.spm`` and ``target.spm``,
``</s> <unk> <pad>`` as the only special tokens) ``SentencePieceTokens`` does
what MarianTokenizer does with sentencepiece and the vocabulary file. Anything
else (separate vocabularies, extra special tokens, clean-up of spaces, sampling
options for sentencepiece) goes to MarianTokenizer itself. ``tests/test_tokens.py``
checks that the two agree on arbitrary text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

SPECIALS = {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}
DEFAULT_MAX_LENGTH = 512  # MarianTokenizer's own default
WORD = "\u2581"  # sentencepiece's word-start mark


class Tokens(Protocol):
    """What the backends need of a Marian tokenizer."""

    max_length: int

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, the end token included."""

    def decode(self, rows: Sequence[Sequence[int]]) -> list[str]:
        """Text of each row of ids, special tokens skipped."""

    def to_pieces(self, ids: Sequence[int]) -> list[str]:
        """Vocabulary entries of ``ids`` (what CTranslate2 reads)."""

    def to_ids(self, pieces: Sequence[str]) -> list[int]:
        """Ids of vocabulary entries; unknown ones are ``<unk>``."""


def load_tokens(folder: Path, library: bool = False) -> Tokens:
    """``SentencePieceTokens`` when it is exact for the checkpoint in ``folder``, else MarianTokenizer.

    ``library=True`` always takes MarianTokenizer (the transformers backend, which imports
    transformers anyway and is the reference).
    """
    if not library:
        try:
            config = _config(folder)
            if plain_checkpoint(folder, config):
                return SentencePieceTokens(folder, config)
        except (KeyError, OSError, ValueError, RuntimeError):  # e.g. a vocabulary without </s>:
            pass  # MarianTokenizer says what is wrong with the files, or copes
    return LibraryTokens.load(folder)


def _config(folder: Path) -> dict[str, Any]:
    """tokenizer_config.json with special_tokens_map.json over it (as transformers reads them)."""
    config: dict[str, Any] = {}
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        path = folder / name
        if path.is_file():
            config.update(json.loads(path.read_text(encoding="utf-8")))
    return config


def _content(token: Any) -> Any:
    return token.get("content") if isinstance(token, dict) else token


def plain_checkpoint(folder: Path, config: dict[str, Any] | None = None) -> bool:
    """Whether ``folder`` (with its ``config``, when read already) holds a Marian tokenizer that
    ``SentencePieceTokens`` reproduces exactly."""
    if config is None:
        try:
            config = _config(folder)
        except (OSError, ValueError):
            return False
    if not all((folder / name).is_file() for name in ("source.spm", "target.spm", "vocab.json")):
        return False
    if config.get("tokenizer_class", "MarianTokenizer") != "MarianTokenizer":
        return False
    if config.get("separate_vocabs") or config.get("clean_up_tokenization_spaces") or config.get("sp_model_kwargs"):
        return False
    if config.get("additional_special_tokens") or config.get("extra_special_tokens"):
        return False
    if any(_content(config.get(key, value)) != value for key, value in SPECIALS.items()):
        return False
    added = config.get("added_tokens_decoder", {}).values()
    return all(token.get("content") in SPECIALS.values()
               and not any(token.get(flag) for flag in ("lstrip", "rstrip", "single_word")) for token in added)


class SentencePieceTokens:
    """MarianTokenizer's encoding and decoding for plain opus-mt checkpoints, without transformers.

    Encoding: the text is cut at literal special tokens (``</s>`` in a text is the end token,
    as in MarianTokenizer); a ``>>xx<<`` language code at the start of a piece of text is one
    token; the rest goes through the source sentencepiece model, each piece is looked up in
    the vocabulary (``<unk>`` when missing), and the end token is appended. Decoding skips
    the special tokens and joins the pieces with the sentencepiece model MarianTokenizer uses
    for a shared vocabulary (the source one), ``▁`` read as a space.
    """

    def __init__(self, folder: Path, config: dict[str, Any] | None = None) -> None:
        import sentencepiece

        config = _config(folder) if config is None else config
        self.vocabulary: dict[str, int] = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        self.pieces = {index: piece for piece, index in self.vocabulary.items()}
        self.source = sentencepiece.SentencePieceProcessor(model_file=str(folder / "source.spm"))
        self.max_length = int(config.get("model_max_length", DEFAULT_MAX_LENGTH))
        self.unk_id = self.vocabulary[SPECIALS["unk_token"]]
        self.eos_id = self.vocabulary[SPECIALS["eos_token"]]
        self.special_ids = {self.vocabulary[token] for token in SPECIALS.values() if token in self.vocabulary}
        self._specials = re.compile("(" + "|".join(map(re.escape, SPECIALS.values())) + ")")

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        return [self._encode(text) for text in texts]

    def _encode(self, text: str) -> list[int]:
        ids = []
        for chunk in self._specials.split(text):
            if not chunk:
                continue
            if chunk in SPECIALS.values():
                ids.append(self.vocabulary.get(chunk, self.unk_id))
                continue
            if chunk.startswith(">>") and (end := chunk.find("<<")) != -1:
                ids.append(self.vocabulary.get(chunk[:end + 2], self.unk_id))
                chunk = chunk[end + 2:]
            ids.extend(self.to_ids(self.source.encode(chunk, out_type=str)))
        ids.append(self.eos_id)
        return ids

    def decode(self, rows: Sequence[Sequence[int]]) -> list[str]:
        return [self._decode([i for i in row if i not in self.special_ids]) for row in rows]

    def _decode(self, ids: list[int]) -> str:
        pieces = [self.pieces[i] if i in self.pieces else self.source.IdToPiece(i) or SPECIALS["unk_token"]
                  for i in ids]
        return self.source.decode_pieces(pieces).replace(WORD, " ").strip()

    def to_pieces(self, ids: Sequence[int]) -> list[str]:
        return [self.pieces[i] for i in ids]

    def to_ids(self, pieces: Sequence[str]) -> list[int]:
        vocabulary, unk = self.vocabulary, self.unk_id
        return [vocabulary.get(piece, unk) for piece in pieces]


class LibraryTokens:
    """MarianTokenizer behind ``Tokens``: the reference, and the fallback for other checkpoints."""

    def __init__(self, tokenizer) -> None:
        self.library = tokenizer
        self.max_length = int(tokenizer.model_max_length)

    @classmethod
    def load(cls, folder: Path) -> LibraryTokens:
        from transformers import MarianTokenizer

        return cls(MarianTokenizer.from_pretrained(folder, local_files_only=True))

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        return self.library(list(texts), verbose=False)["input_ids"] if texts else []

    def decode(self, rows: Sequence[Sequence[int]]) -> list[str]:
        return self.library.batch_decode(rows, skip_special_tokens=True)

    def to_pieces(self, ids: Sequence[int]) -> list[str]:
        return self.library.convert_ids_to_tokens(list(ids))

    def to_ids(self, pieces: Sequence[str]) -> list[int]:
        return self.library.convert_tokens_to_ids(list(pieces))
