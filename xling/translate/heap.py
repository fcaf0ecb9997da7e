"""glibc malloc settings for decoding on CPU.

Both backends allocate and free tensors of megabytes every decoding step (the
growing attention caches, the logits), and glibc's defaults turn that into page
faults: it maps each block above its mmap threshold afresh and faults its pages
in, and gives freed memory back to the system so that the next step faults it in
again. Measured on 2 cores, beam 4, full-size opus-mt:

- CTranslate2, 8 sentences of 240 output tokens: 2.8 million page faults, 15.2 s;
  with the thresholds fixed here, 91 000 faults and 9.1 s, at the same peak RSS.
- transformers, 28 news sentences in 256-token batches: these thresholds 52-58 s and
  1.7 GB peak; a 1 MiB mmap threshold (everything mapped: small heap, 32 million
  faults) 81 s and 1.5 GB at 1 024-token batches, 85 s and 1.0 GB at 256. glibc's
  own moving threshold let the heap fragment: 4.9 GB at 1 024-token batches.

A user's ``MALLOC_MMAP_THRESHOLD_`` or ``MALLOC_TRIM_THRESHOLD_`` wins; elsewhere
than glibc nothing is changed.
"""

from __future__ import annotations

import os
import sys

_M_TRIM_THRESHOLD = -1  # mallopt's parameter numbers, from glibc's malloc.h
_M_MMAP_THRESHOLD = -3


# Per-step buffers stay in the heap and are reused; only blocks this big get their own mapping.
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 128 << 20  # free memory kept at the heap's top before it is given back


def tune_malloc() -> bool:
    """Fix this process's glibc malloc thresholds; returns whether they were set."""
    import ctypes
    import ctypes.util

    if not sys.platform.startswith("linux"):
        return False
    if os.environ.get("MALLOC_MMAP_THRESHOLD_") or os.environ.get("MALLOC_TRIM_THRESHOLD_"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mapped = libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        trimmed = libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
        return bool(mapped and trimmed)
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
