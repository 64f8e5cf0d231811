#!/usr/bin/env bash
# Installs what the nanoGPT reference script needs, from Debian's packages: PyTorch 1.13.1 (python3-torch),
# numpy, and OpenBLAS with threads (Debian's default reference BLAS is about 10x slower). Run as root.
set -euo pipefail
if /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
  echo "nanoGPT reference: /usr/bin/python3 already has torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')"
  exit 0
fi
apt-get update -qq
apt-get install -y -qq python3-torch python3-numpy libopenblas0-pthread
/usr/bin/python3 -c 'import torch; print("nanoGPT reference: torch", torch.__version__, "installed")'
