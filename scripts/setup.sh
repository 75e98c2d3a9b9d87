#!/usr/bin/env bash
# Make (or reuse) the project's virtual environment in .venv/ and install into it.
# Debian/Ubuntu's own Python refuses pip outside a venv (PEP 668), so nothing is installed system-wide
# except Debian packages, through apt (with sudo when not root).
#   bash scripts/setup.sh          runtime: the dashboard and the CLI
#   bash scripts/setup.sh dev      also the tests' needs: pytest, Playwright, Debian's chromium
set -euo pipefail
cd "$(dirname "$0")/.."
want="${1:-runtime}"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {  # apt_install PACKAGE...: Debian packages the project needs (asks for sudo when not root)
  echo "geo set-up: installing Debian packages: $* (needs root: sudo)" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

python=$(command -v python3 || true)
[ -n "$python" ] || apt_install python3 python3-venv
python=$(command -v python3)
if [ ! -x .venv/bin/python ]; then
  if ! "$python" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    apt_install python3-venv
    "$python" -m venv .venv
  fi
fi
pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
if [ "$want" = dev ]; then
  "${pip[@]}" -r requirements-dev.txt
  command -v chromium >/dev/null || apt_install chromium
else
  "${pip[@]}" -r requirements.txt
fi
# The compiled event-coder loop (setup.py, src/geo/events/_scorecore.pyx) needs a C compiler and
# Python's headers; pip brings Cython. Without them geo still installs and runs its numpy path.
command -v cc >/dev/null || apt_install gcc
include=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
[ -f "$include/Python.h" ] || apt_install python3-dev
"${pip[@]}" --no-deps -e .
# Bytecode for geo's sources, written now: where PYTHONDONTWRITEBYTECODE is set (many containers and CI
# images) Python reads .pyc files but never writes them, and every `geo parse` compiled all of geo again
# (0.14 -> 0.10 s of imports). A source edited later is compiled in memory, as it would be without them.
.venv/bin/python -m compileall -q src >/dev/null
command -v npm >/dev/null || apt_install nodejs npm
bash scripts/vendor.sh
