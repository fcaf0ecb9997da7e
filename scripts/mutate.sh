#!/usr/bin/env bash
# Mutation testing of xling's core with mutmut: every mutant of the modules in pyproject.toml's
# [tool.mutmut] source_paths is run against the tests listed there (only those that reach the
# mutated function); then the score.
#   bash scripts/mutate.sh                          # all of them (about an hour on 2 cores)
#   bash scripts/mutate.sh 'xling.segment*'         # the mutants of some modules (mutmut's name patterns)
#   .venv/bin/mutmut results                        # the survivors; .venv/bin/mutmut show NAME shows one
# Tests run in processes forked from mutmut's: one thread per native library (OpenMP), so that a
# fork never waits for threads it does not have.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pip install -q 'mutmut>=3.8'
XLING_SHARED="${XLING_SHARED:-$(cd .. && pwd)/shared}" OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 HF_HUB_OFFLINE=1 \
    .venv/bin/mutmut run --max-children "$(nproc)" "$@" || true
.venv/bin/python scripts/mutation_score.py
