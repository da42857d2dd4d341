"""The licence is stated where a reader looks for it: the full EUPL-1.2 text in LICENSE,
the same licence in pyproject.toml, and the README naming it and pointing to the text."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_licence_text_the_package_and_the_readme_agree() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2")
    assert "Appendix" in text and "Compatible Licences" in text  # the whole text, to its end
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == {"text": "EUPL-1.2"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(EUPL-1.2)" in readme and "[LICENSE](LICENSE)" in readme
