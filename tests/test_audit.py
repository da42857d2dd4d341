"""`make audit` judges pip-audit by what it checked: a run that could reach no
vulnerability database is reported as such, never as "no known vulnerabilities"."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

AUDIT = Path(__file__).resolve().parent.parent / ".ci" / "audit.py"


def _audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_audit", AUDIT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["ci_audit"] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def _report(*dependencies: dict[str, Any]) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_every_package_skipped_is_nothing_checked_not_a_clean_result() -> None:
    skipped = [
        {
            "name": name,
            "skip_reason": f"Dependency not found on PyPI and could not be audited: {name}",
        }
        for name in ("flask", "requests")
    ]
    verdict = _audit().read_pip_audit(0, _report(*skipped), "No known vulnerabilities found\n")
    assert verdict.status == 2
    text = "\n".join(verdict.lines)
    assert "could not reach the vulnerability database" in text
    assert "NOTHING WAS CHECKED" in text and "No known vulnerabilities" not in text


def test_a_database_that_cannot_be_resolved_is_said_plainly() -> None:
    stderr = (
        "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev', "
        "port=443): Max retries exceeded with url: /v1/query (Caused by NameResolutionError)"
    )
    verdict = _audit().read_pip_audit(1, "", stderr)
    assert verdict.status == 2
    assert "could not reach the vulnerability database" in verdict.lines[0]


def test_vulnerabilities_fail_and_a_real_check_passes() -> None:
    audit = _audit()
    clean = {"name": "flask", "version": "3.1.0", "vulns": []}
    vulnerable = {
        "name": "jinja2",
        "version": "3.1.2",
        "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}],
    }
    skipped = {"name": "etaaika-local", "skip_reason": "not on PyPI"}
    bad = audit.read_pip_audit(1, _report(clean, vulnerable, skipped), "")
    assert bad.status == 1
    assert any("jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in: 3.1.3)" in line for line in bad.lines)
    good = audit.read_pip_audit(0, _report(clean, skipped), "")
    assert good.status == 0
    assert "no known vulnerabilities in the 1 packages checked" in "\n".join(good.lines)
    assert "1 packages could not be audited: etaaika-local" in "\n".join(good.lines)


def test_the_code_has_no_bandit_finding_of_medium_severity_or_more(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The code half of `make audit` passes on the code as it is: a finding that is a
    reviewed false alarm is marked ``# nosec <test id>`` on its line, not left to fail."""
    assert _audit().run_bandit() == 0, capsys.readouterr().out[-3000:]
