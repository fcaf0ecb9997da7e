"""Build a tiny MarianMT model with a real sentencepiece vocabulary, offline.

The model has random weights (a fixed seed, so every build is the same) and the
layout of a Helsinki-NLP opus-mt checkpoint: ``source.spm``, ``target.spm``,
``vocab.json``, ``config.json``, ``generation_config.json`` and safetensors
weights. It is loaded with ``from_pretrained`` exactly like a real model, which
is why the test suite uses it instead of a fake.

    python scripts/make_tiny_marian.py OUT_DIR [--text FILE ...] [--max-positions 128]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def train_sentencepiece(texts: list[str], workdir: Path, vocab_size: int) -> Path:
    """Train a BPE sentencepiece model (BPE fragments words like the real models do)."""
    import sentencepiece as spm

    workdir.mkdir(parents=True, exist_ok=True)
    corpus = workdir / "corpus.txt"
    lines = [line.strip() for text in texts for line in text.splitlines() if line.strip()]
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    prefix = workdir / "spm"
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="bpe",
        character_coverage=1.0,
        # Marian's convention: </s> is 0, <unk> 1; no BOS; <pad> comes last in vocab.json.
        eos_id=0,
        unk_id=1,
        bos_id=-1,
        pad_id=-1,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    return prefix.with_suffix(".model")


def write_tokenizer(out_dir: Path, texts: list[str], target_texts: list[str] | None = None,
                    max_positions: int = 128, vocab_size: int = 600, vocab_padding: int = 0):
    """Write opus-mt's tokenizer files to ``out_dir`` and return the MarianTokenizer.

    One vocabulary for both sides, as in opus-mt: the pieces of the source model, then those of
    the target model (trained on ``target_texts``, else the same model), then ``<pad>``.
    """
    import sentencepiece as spm
    from transformers import MarianTokenizer

    with tempfile.TemporaryDirectory() as tmp:
        source = train_sentencepiece(texts, Path(tmp) / "source", vocab_size)
        target = train_sentencepiece(target_texts, Path(tmp) / "target", vocab_size) if target_texts else source
        vocab: dict[str, int] = {}
        for model in dict.fromkeys([source, target]):
            processor = spm.SentencePieceProcessor(model_file=str(model))
            for i in range(processor.get_piece_size()):
                vocab.setdefault(processor.id_to_piece(i), len(vocab))
        for i in range(vocab_padding):
            vocab[f"<unused{i}>"] = len(vocab)
        vocab["<pad>"] = len(vocab)
        vocab_path = Path(tmp) / "vocab.json"
        vocab_path.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        tokenizer = MarianTokenizer(
            source_spm=str(source), target_spm=str(target), vocab=str(vocab_path),
            source_lang="pl", target_lang="en", model_max_length=max_positions,
        )
        tokenizer.save_pretrained(out_dir)
    return tokenizer


def build(out_dir: Path, texts: list[str], max_positions: int = 128, vocab_size: int = 600,
          d_model: int = 64, layers: int = 2, seed: int = 13,
          train_steps: int = 150, heads: int = 4, ffn: int = 0, vocab_padding: int = 0,
          say=lambda message: None) -> Path:
    """Write a Marian model to ``out_dir`` and return the directory.

    The defaults make the tiny test model; ``scripts/bench_translate.py`` asks for the
    opus-mt architecture (d_model 512, 6+6 layers, 8 heads, FFN 2048) and pads the
    vocabulary with unused entries to the size of a real one, so the output
    projection costs what it costs in a real model.
    """
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    out_dir.mkdir(parents=True, exist_ok=True)
    say(f"training a sentencepiece vocabulary of {vocab_size} on {len(texts)} text(s)")
    tokenizer = write_tokenizer(out_dir, texts, max_positions=max_positions, vocab_size=vocab_size,
                                vocab_padding=vocab_padding)
    vocab = tokenizer.get_vocab()

    pad_id = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab), d_model=d_model, encoder_layers=layers, decoder_layers=layers,
        encoder_attention_heads=heads, decoder_attention_heads=heads,
        encoder_ffn_dim=ffn or 2 * d_model, decoder_ffn_dim=ffn or 2 * d_model,
        max_position_embeddings=max_positions, pad_token_id=pad_id, eos_token_id=0,
        decoder_start_token_id=pad_id, forced_eos_token_id=0, activation_function="swish",
        scale_embedding=True, share_encoder_decoder_embeddings=True,
    )
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = MarianMTModel(config).eval()
    # The same generation defaults as a real opus-mt checkpoint, which xling must override.
    model.generation_config = GenerationConfig(
        num_beams=6, max_length=max_positions, bad_words_ids=[[pad_id]],
        decoder_start_token_id=pad_id, eos_token_id=0, forced_eos_token_id=0, pad_token_id=pad_id,
    )
    zero_pad_embedding(model, pad_id)
    if train_steps:
        train_copy(model, tokenizer, texts, train_steps, seed, say)
    model.save_pretrained(out_dir)
    say(f"saved to {out_dir}")
    return out_dir


def zero_pad_embedding(model, pad_id: int) -> None:
    """Real opus-mt checkpoints have an all-zero ``<pad>`` embedding, and Marian decoders start from it.

    A fresh embedding is not zero there, and training moves it through the tied output layer;
    CTranslate2's converter assumes it is zero, so without this the two backends would decode
    different models.
    """
    import torch

    with torch.no_grad():
        model.get_input_embeddings().weight[pad_id].zero_()


def train_copy(model, tokenizer, texts: list[str], steps: int, seed: int, say=lambda message: None) -> None:
    """Train briefly to copy its input: outputs then depend on the input and end with EOS.

    A random model emits the same tokens for every input and never stops, which
    would let tests pass that should fail (every translation equal, every
    output at the length cap).
    """
    import random

    import torch

    pieces = [s.strip() for text in texts for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]
    rng = random.Random(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        for step in range(1, steps + 1):
            batch = rng.sample(pieces, k=min(32, len(pieces)))
            enc = tokenizer(batch, text_target=batch, return_tensors="pt", padding=True,
                            truncation=True, max_length=48)
            labels = enc["labels"].masked_fill(enc["labels"] == tokenizer.pad_token_id, -100)
            loss = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], labels=labels).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            zero_pad_embedding(model, tokenizer.pad_token_id)  # tied to the output layer, so it moves
            if step % 25 == 0 or step == steps:
                say(f"training it to copy its input: step {step}/{steps}, loss {loss.item():.2f}")
    model.eval()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--text", type=Path, action="append", help="training text (default: seeds/*.txt)")
    parser.add_argument("--max-positions", type=int, default=128)
    parser.add_argument("--vocab-size", type=int, default=600)
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--train-steps", type=int, default=150, help="copy-task steps (0: random weights)")
    args = parser.parse_args()
    files = args.text or sorted(SEEDS.glob("*.txt"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    build(args.out_dir, texts, args.max_positions, args.vocab_size, args.d_model,
          train_steps=args.train_steps, say=lambda message: print(message, file=sys.stderr, flush=True))
    print(args.out_dir)


if __name__ == "__main__":
    main()
