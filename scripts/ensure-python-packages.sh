#!/usr/bin/env bash
# Installs the Python packages of python/requirements.txt (pyzmq, protobuf) when they are missing, so that the
# Python interop tests and examples run. Used by `make demo`, `make test` and `make bench`; a no-op when present.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if "$python" - <<'PY' 2>/dev/null
import zmq, google.protobuf
major = int(google.protobuf.__version__.split(".")[0])
raise SystemExit(0 if major == 4 else 1)
PY
then
  exit 0
fi
echo "Installing Python packages: $(grep -v '^#' python/requirements.txt | sed 's/#.*//' | xargs)" >&2
PIP_ROOT_USER_ACTION=ignore "$python" -m pip install -q --disable-pip-version-check -r python/requirements.txt
