#!/usr/bin/env bash
# Prints the path of a Python interpreter that can `import torch`, installing the PyTorch peer when
# missing, and says on stderr which one it chose:
#   1. $LORAFLEET_PEER_PYTHON if set;
#   2. a virtualenv under target/peer-venv with a CPU torch wheel from pip (PyTorch's CPU index,
#      then the default index, which also sees local wheel mirrors such as pip's find-links);
#   3. Debian's python3-torch + libopenblas0-pthread (apt, as root or with sudo -n).
# Exits 1 with a message when none of them works. Usage: py=$(bench/peer-python.sh)
set -uo pipefail
cd "$(dirname "$0")/.."
say() { echo "peer: $*" >&2; }
if [ -n "${LORAFLEET_PEER_PYTHON:-}" ]; then
  say "using LORAFLEET_PEER_PYTHON=$LORAFLEET_PEER_PYTHON"; echo "$LORAFLEET_PEER_PYTHON"; exit 0
fi
venv=target/peer-venv
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import torch" 2>/dev/null; then
  say "PyTorch $("$venv/bin/python" -c 'import torch; print(torch.__version__)') in $venv"; echo "$PWD/$venv/bin/python"; exit 0
fi
if command -v python3 >/dev/null && python3 -m venv "$venv" >/dev/null 2>&1; then
  say "installing a CPU torch wheel into $venv (pip)"
  if "$venv/bin/pip" install -q --timeout 20 --retries 1 --index-url https://download.pytorch.org/whl/cpu torch >&2 2>/dev/null \
      || "$venv/bin/pip" install -q torch >&2; then
    "$venv/bin/pip" install -q numpy >&2 2>/dev/null || true # silences torch's numpy warning; optional
    if "$venv/bin/python" -c "import torch" 2>/dev/null; then
      say "PyTorch $("$venv/bin/python" -c 'import torch; print(torch.__version__)') (pip wheel) in $venv"
      echo "$PWD/$venv/bin/python"; exit 0
    fi
  fi
  say "pip could not install torch"
fi
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  say "Debian python3-torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')"; echo /usr/bin/python3; exit 0
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
say "installing Debian python3-torch libopenblas0-pthread (apt)"
if DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-torch libopenblas0-pthread >&2 \
    && /usr/bin/python3 -c "import torch" 2>/dev/null; then
  say "Debian python3-torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')"; echo /usr/bin/python3; exit 0
fi
say "no PyTorch available (pip and apt both failed): no peer."
exit 1
