"""`make audit`: known vulnerabilities in the installed dependencies (pip-audit) and
security findings of medium or high severity in the code (bandit).

pip-audit says "No known vulnerabilities found" even when it could check nothing: when the
vulnerability database cannot be reached it marks every package "could not be audited"
and still exits 0. This script reads pip-audit's JSON report instead and says plainly
which of three things happened: vulnerabilities found, none found in the packages that
were checked, or nothing checked at all. Only a real check passes.

Exit status: 0 clean; 1 vulnerabilities or code findings; 2 the database was not reached.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CODE = ["scheduler", "notifications", "video"]
UNREACHABLE_SIGNS = (
    "ConnectionError",
    "NameResolutionError",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "timed out",
    "Network is unreachable",
)


@dataclass
class Verdict:
    """What one pip-audit run found out."""

    status: int  # 0 clean, 1 vulnerable, 2 nothing checked
    lines: list[str] = field(default_factory=list)


def read_pip_audit(returncode: int, stdout: str, stderr: str) -> Verdict:
    """Judge a ``pip-audit --format json`` run by what it checked, not by its last line."""
    try:
        report = json.loads(stdout)
        dependencies = list(report["dependencies"])
    except (ValueError, KeyError, TypeError):
        reason = "could not reach the vulnerability database"
        if not any(sign in stderr for sign in UNREACHABLE_SIGNS):
            reason = f"pip-audit failed (exit status {returncode})"
        last = stderr.strip().splitlines()[-1:] or [""]
        return Verdict(2, [f"pip-audit: {reason}; NOTHING WAS CHECKED.", f"  {last[0][:300]}"])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    checked = [d for d in dependencies if not d.get("skip_reason")]
    vulnerable = [d for d in checked if d.get("vulns")]
    if not checked:
        example = skipped[0]["skip_reason"] if skipped else "no packages were listed"
        return Verdict(
            2,
            [
                "pip-audit: could not reach the vulnerability database; NOTHING WAS CHECKED "
                f"({len(skipped)} of {len(dependencies)} packages could not be audited).",
                f"  e.g. {example}",
                "  This is not a clean result: run `make audit` where the database "
                "(PyPI's JSON API or OSV) can be reached.",
            ],
        )
    lines = []
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            lines.append(
                f"pip-audit: {dependency['name']} {dependency.get('version', '')}: "
                f"{vuln.get('id', '?')} (fixed in: {fixed})"
            )
    summary = (
        f"{len(vulnerable)} of {len(checked)} checked packages have known vulnerabilities"
        if vulnerable
        else f"no known vulnerabilities in the {len(checked)} packages checked"
    )
    lines.append(f"pip-audit: {summary}.")
    if skipped:
        names = ", ".join(sorted(d["name"] for d in skipped))
        lines.append(f"pip-audit: {len(skipped)} packages could not be audited: {names}")
    return Verdict(1 if vulnerable else 0, lines)


def run_pip_audit() -> Verdict:
    done = subprocess.run(  # noqa: S603 (a fixed command line, no outside input)
        [
            str(BIN / "pip-audit"),
            "--format",
            "json",
            "--progress-spinner",
            "off",
            "--skip-editable",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return read_pip_audit(done.returncode, done.stdout, done.stderr)


def run_bandit() -> int:
    """bandit over the application's code; findings of medium or high severity fail."""
    done = subprocess.run(  # noqa: S603 (a fixed command line, no outside input)
        [str(BIN / "bandit"), "-q", "-r", *CODE, "--severity-level", "medium"],
        cwd=ROOT,
        check=False,
    )
    print(
        f"bandit: {'no findings' if done.returncode == 0 else 'findings above'} "
        "of medium or high severity."
    )
    return 1 if done.returncode else 0


def main() -> int:
    verdict = run_pip_audit()
    print("\n".join(verdict.lines))
    code_status = run_bandit()
    return max(verdict.status, code_status)


if __name__ == "__main__":
    sys.exit(main())
