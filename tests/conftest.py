"""Shared test setup: the tests folder on sys.path (for ``optable``), hypothesis settings, and a guard
that every test leaves lucidnet's global state (grad mode, default dtype, print options, default device) as it
found it. (Tests that need an optional extra are skipped, naming it, when it is missing: see the conftest.py at
the root.)"""
import os
import sys

import pytest
from hypothesis import HealthCheck, settings

import lucidnet  # noqa: F401  (import the package first: a doctest run that collects src/lucidnet/autograd.py
#                  before anything imported lucidnet would otherwise load a second copy of lucidnet.autograd,
#                  with its own PRIMITIVES registry and grad mode)

sys.path.insert(0, os.path.dirname(__file__))

# Shared, loaded machines: no per-example deadline; a fixed number of examples per property.
settings.register_profile("lucidnet", deadline=None, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", deadline=None, max_examples=1000,       # HYPOTHESIS_PROFILE=thorough
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "lucidnet"))


@pytest.fixture(autouse=True)
def _restore_global_state():
    import lucidnet
    from lucidnet import autograd, dtypes
    grad_mode, default_dtype = autograd._grad_enabled, dtypes.get_default_dtype()
    print_options, device = lucidnet.get_printoptions(), lucidnet.get_default_device()
    yield
    autograd._grad_enabled = grad_mode
    lucidnet.set_default_dtype(default_dtype)
    lucidnet.set_printoptions(**print_options)
    lucidnet.set_default_device(device)
