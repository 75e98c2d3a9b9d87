"""scripts/audit.py: pip-audit's report in one line, a vulnerability named with its fix, and a skip when offline."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import closed_port

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import audit  # noqa: E402


def test_a_clean_report_is_one_line_and_a_vulnerability_fails_with_its_fix():
    clean = [{"name": "folium", "version": "0.20.0", "vulns": []}, {"name": "ruff", "skip_reason": "not on PyPI"}]
    assert audit.summary(clean) == (
        0,
        "pip-audit: 2 installed packages, 1 audited, 1 not known to PyPI at their version (not audited):"
        " no known vulnerabilities",
    )
    vulnerable = [
        {"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}]}
    ]
    code, text = audit.summary(vulnerable)
    assert code == 1
    assert text.splitlines()[1] == "  jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in: 3.1.3)"


def test_without_its_advisory_data_the_audit_skips_in_one_line():
    if importlib.util.find_spec("pip_audit") is None:
        pytest.skip("pip-audit is not installed in this environment (requirements-dev.txt has it)")
    proxy = f"http://127.0.0.1:{closed_port()}"  # PyPI unreachable, as on a machine offline
    env = dict(os.environ, HTTPS_PROXY=proxy, HTTP_PROXY=proxy, https_proxy=proxy, http_proxy=proxy)
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "audit.py"), "--timeout", "60"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0
    assert run.stdout.startswith("pip-audit: skipped: its advisory data could not be reached (")
    assert run.stdout.count("\n") == 1
