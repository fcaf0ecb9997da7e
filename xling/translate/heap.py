"""glibc malloc settings for decoding: each backend's allocation pattern wants different ones.

Both backends allocate and free tensors of tens of megabytes every decoding step,
and glibc's defaults suit neither (measured on 2 cores, beam 4, full-size opus-mt):

- transformers: glibc raises its mmap threshold each time a mapped block is freed
  (up to 32 MiB); beam search's big, short-lived tensors then come from the heap
  and fragment it. Peak RSS 4.9 GB on 28 sentences; 1.5 GB with the threshold
  fixed at 1 MiB (``COMPACT``).
- CTranslate2: its per-step buffers (the growing attention caches) land just above
  the threshold, so every step maps fresh pages and faults them in: 2.8 million
  page faults for 8 sentences of 240 output tokens, 15.2 s; with a 32 MiB mmap and a
  128 MiB trim threshold, 91 000 faults and 9.1 s, at the same peak RSS (``STEADY``).

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


COMPACT = MallocProfile(mmap_threshold=1 << 20)
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
