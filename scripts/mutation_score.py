"""The mutation score of the last ``mutmut run``, per module and in all, from ``mutmut results``.

    python scripts/mutation_score.py

Caught: killed by a failing test, timed out, or crashed the tests (a mutant that makes a test
process die). Survived: every test that reaches it passed. Mutants no test reaches and those not
run yet are counted apart, outside the score. Mutants listed in ``tests/equivalent_mutants.txt``
(behaviour-preserving: the reason is written beside each) are left out of the score.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAUGHT = {"killed", "timeout", "segfault"}


def equivalent() -> set[str]:
    path = ROOT / "tests" / "equivalent_mutants.txt"
    if not path.is_file():
        return set()
    return {line.split()[0] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


def main() -> None:
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "mutmut"), "results", "--all", "true"], cwd=ROOT,
                         capture_output=True, text=True).stdout
    skip = equivalent()
    by_module: dict[str, Counter] = defaultdict(Counter)
    for line in out.splitlines():
        match = re.match(r"\s*([\w.]+?)\.x\S*?__mutmut_\d+:\s*(.+?)\s*$", line)
        if not match:
            continue
        name = line.split(":")[0].strip()
        status = "equivalent" if name in skip else match.group(2)
        by_module[match.group(1)][status] += 1
    total: Counter = Counter()
    print("| module | caught | survived | equivalent | no test reaches | not run | score |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for module, counts in sorted(by_module.items()):
        total.update(counts)
        print(_row(module, counts))
    print(_row("all", total))


def _row(name: str, counts: Counter) -> str:
    caught = sum(counts[s] for s in CAUGHT)
    judged = caught + counts["survived"]
    score = f"{caught / judged:.1%}" if judged else "–"
    return (f"| {name} | {caught} | {counts['survived']} | {counts['equivalent']} | {counts['no tests']} | "
            f"{counts['not checked']} | {score} |")


if __name__ == "__main__":
    main()
