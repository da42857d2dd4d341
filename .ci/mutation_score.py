"""Print the mutation score of the pure core as one JSON object (after `mutmut run`).

Reads mutmut's per-module results under mutants/ and counts, per module and in all,
the mutants the tests killed (a failing test or a time-out) against those they let live.
Mutants no selected test reaches count as survivors: a line no test runs is unguarded.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KILLED = {1, 3, 36, 24, -24, 152, 255}  # a failing test, pytest's internal error, a time-out
SURVIVED = {0, 5, 33}  # every test passed, or no test reached the mutant


def main() -> int:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    modules = {}
    total_killed = total_survived = 0
    for module in settings["only_mutate"]:
        meta = ROOT / "mutants" / f"{module}.meta"
        if not meta.exists():
            print(json.dumps({"error": f"no results for {module}: run `mutmut run` first"}))
            return 1
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        killed = sum(1 for code in codes.values() if code in KILLED)
        survived = sum(1 for code in codes.values() if code in SURVIVED)
        unchecked = len(codes) - killed - survived
        modules[module] = {
            "mutants": len(codes),
            "killed": killed,
            "survived": survived,
            "not_run": unchecked,
            "score": round(killed / (killed + survived), 4) if killed + survived else None,
        }
        total_killed += killed
        total_survived += survived
    checked = total_killed + total_survived
    print(
        json.dumps(
            {
                "mutation_score": round(total_killed / checked, 4) if checked else None,
                "killed": total_killed,
                "survived": total_survived,
                "modules": modules,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
