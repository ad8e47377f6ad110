"""Data tests never touch the network: every test gets an opener that refuses to connect, unless it installs
its own. ``isolated`` points the cache and $LUCIDNET_DATA at empty temporary places and hides the system
dataset directories, so a test sees only the files it writes itself."""
import urllib.error

import pytest

from lucidnet.data import datasets


def _no_network(url, *args, **kwargs):
    raise urllib.error.URLError("network disabled in tests")


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setattr(datasets, "_urlopen", _no_network)


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    cache = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.delenv("LUCIDNET_DATA", raising=False)
    for spec in datasets._DATASETS.values():
        monkeypatch.setattr(spec, "system_dirs", [str(tmp_path / "system" / spec.name)])
    return tmp_path
