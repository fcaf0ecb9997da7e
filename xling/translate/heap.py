"""glibc malloc settings for decoding on CPU.

Both backends allocate and free tensors of megabytes every decoding step (the
growing attention caches, the logits), and glibc's defaults turn that into page
faults: it maps each block above its mmap threshold afresh and faults its pages
in, and gives freed memory back to the system so that the next step faults it in
again. Measured on 2 cores, beam 4, full-size opus-mt:

- CTranslate2, 8 sentences of 240 output tokens: 2.8 million page faults, 15.2 s;
  with ``STEADY``, 91 000 faults and 9.1 s, at the same peak RSS.
- transformers, 28 news sentences in 256-token batches: ``STEADY`` 52-58 s and
  1.7 GB peak; a 1 MiB mmap threshold (everything mapped: small heap, 32 million
  faults) 81 s and 1.5 GB at 1 024-token batches, 85 s and 1.0 GB at 256. glibc's
  own moving threshold let the heap fragment: 4.9 GB at 1 024-token batches.

A user's ``MALLOC_MMAP_THRESHOLD_`` or ``MALLOC_TRIM_THRESHOLD_`` wins; elsewhere
than glibc nothing is changed.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

_M_TRIM_THRESHOLD = -1  # mallopt's parameter numbers, from glibc's malloc.h
_M_MMAP_THRESHOLD = -3


@dataclass(frozen=True, slots=True)
class MallocProfile:
    mmap_threshold: int  # blocks at least this big get their own mapping, returned when freed
    trim_threshold: int = 0  # free memory kept at the heap's top before it is returned; 0: glibc's


# Per-step buffers stay in the heap and are reused; only big blocks are mapped.
STEADY = MallocProfile(mmap_threshold=32 << 20, trim_threshold=128 << 20)


def tune_malloc(profile: MallocProfile) -> bool:
    """Apply ``profile`` to this process's glibc malloc; returns whether it was applied."""
    import ctypes
    import ctypes.util

    if not sys.platform.startswith("linux"):
        return False
    if os.environ.get("MALLOC_MMAP_THRESHOLD_") or os.environ.get("MALLOC_TRIM_THRESHOLD_"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        done = bool(libc.mallopt(_M_MMAP_THRESHOLD, profile.mmap_threshold))
        if profile.trim_threshold:
            done = bool(libc.mallopt(_M_TRIM_THRESHOLD, profile.trim_threshold)) and done
        return done
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
