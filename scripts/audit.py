"""Known vulnerabilities in the packages installed in this environment (pip-audit, PyPI's advisory data).

One line when all is well or when the audit cannot be done (pip-audit missing, PyPI unreachable,
too slow): an audit that cannot run skips, it does not fail the tests. A known vulnerability is
listed, one line each, with the versions that fix it, and the exit code is 1.

Run: .venv/bin/python scripts/audit.py [--timeout 60]   (scripts/test.sh runs it)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys

# Advisories that were read and do not apply here, with why: "ID  # reason". None yet.
IGNORED: tuple[str, ...] = ()


def audit(timeout: float) -> tuple[int, str]:
    """(exit code, what to print)."""
    if importlib.util.find_spec("pip_audit") is None:
        return 0, "pip-audit: skipped: not installed here (bash scripts/setup.sh dev installs it)"
    command = [sys.executable, "-m", "pip_audit", "--skip-editable", "--progress-spinner", "off", "--format", "json"]
    command += [arg for vuln in IGNORED for arg in ("--ignore-vuln", vuln)]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return 0, f"pip-audit: skipped: no answer from PyPI's advisory data within {timeout:g} s"
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        return 0, f"pip-audit: skipped: its advisory data could not be reached ({last[:160]})"
    return summary(report["dependencies"])


def summary(dependencies: list[dict]) -> tuple[int, str]:
    """One line for a clean report; a line per vulnerability otherwise."""
    skipped = [d for d in dependencies if "skip_reason" in d]
    audited = len(dependencies) - len(skipped)
    found = [(d, v) for d in dependencies for v in d.get("vulns", [])]
    line = f"pip-audit: {len(dependencies)} installed packages, {audited} audited"
    if skipped:
        line += f", {len(skipped)} not known to PyPI at their version (not audited)"
    if not found:
        return 0, line + ": no known vulnerabilities"
    lines = [f"{line}: {len(found)} known vulnerabilities"]
    for d, v in found:
        fixes = ", ".join(v.get("fix_versions") or []) or "none yet"
        lines.append(f"  {d['name']} {d['version']}: {v['id']} (fixed in: {fixes})")
    return 1, "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--timeout", type=float, default=60, help="seconds before the audit is skipped (default: 60)")
    code, text = audit(ap.parse_args().timeout)
    print(text)
    return code


if __name__ == "__main__":
    sys.exit(main())
