#!/usr/bin/env bash
# Mutation testing of xling's core with mutmut: every mutant of the modules in pyproject.toml's
# [tool.mutmut] paths_to_mutate is run against the tests listed there; then the score.
#   bash scripts/mutate.sh            # all of them (about 15 minutes on 2 cores)
#   .venv/bin/mutmut results          # the survivors; .venv/bin/mutmut show NAME shows one
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pip install -q 'mutmut>=3.8'
HF_HUB_OFFLINE=1 .venv/bin/mutmut run --max-children "$(nproc)" || true
.venv/bin/python - <<'PY'
import re, subprocess
out = subprocess.run([".venv/bin/mutmut", "results", "--all", "true"], capture_output=True, text=True).stdout
counts = {}
for line in out.splitlines():
    match = re.search(r":\s*(killed|survived|no tests|timeout|suspicious|skipped|segfault|not checked)\s*$", line)
    if match:
        counts[match.group(1)] = counts.get(match.group(1), 0) + 1
judged = counts.get("killed", 0) + counts.get("survived", 0) + counts.get("timeout", 0)
print(counts)
if judged:
    print(f"mutation score: {(counts.get('killed', 0) + counts.get('timeout', 0)) / judged:.1%} of {judged} mutants "
          f"that a test runs ({counts.get('no tests', 0)} have no test that reaches them)")
PY
