# Sourced by scripts/run and scripts/test: installs uv if missing and the locked environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! python3 -m uv --version >/dev/null 2>&1; then
  echo "installing uv (Python package manager) ..."
  # A distribution's own Python refuses system-wide pip installs (PEP 668): then install for this user.
  python3 -m pip install --quiet --disable-pip-version-check uv 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages uv
fi
UV="$(python3 -c 'import uv; print(uv.find_uv_bin())')"  # absolute: PATH changes below
"$UV" sync --frozen --quiet
export PATH="$PWD/.venv/bin:$PATH"
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning,ignore::UserWarning}"
