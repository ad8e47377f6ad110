# The two Quickstart commands. Both install what they need first (scripts/setup.sh; quick when done).
.PHONY: train test bench docs docs-test

train:          ## train the default MLP on Fashion-MNIST and report its test accuracy
	@scripts/setup.sh
	python3 -m lucidnet train

test:           ## run the whole test suite (unit, gradient checks, PyTorch oracle, doctests, CLI, tutorials, MPI, docs site)
	@scripts/setup.sh
	python3 -m pytest -q

bench:          ## run the benchmarks (on a quiet machine)
	@scripts/setup.sh
	python3 bench/autograd_overhead.py
	python3 bench/fashion_mnist.py
	python3 bench/cnn_fashion_mnist.py
	python3 bench/sentence_encoder.py
	python3 bench/distributed.py

docs:           ## build the documentation site into site/ (tutorials executed, API reference from the docstrings)
	@scripts/setup.sh
	python3 -m mkdocs build

docs-test:      ## only the site's check: build it with the tutorials' small settings, open it in headless Chromium
	@scripts/setup.sh
	python3 -m pytest -q tests/test_docs_site.py
