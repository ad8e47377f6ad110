"""pytest's setup for the whole run (tests/ and the doctests of src/lucidnet): tests that need an optional extra
are skipped, naming the extra, when it is not installed, so `pip install -e '.[test]'` alone runs the rest green.

lucidnet imports its optional packages lazily and, when one is missing, raises an ImportError naming the extra
that installs it ("... pip install 'lucidnet[viz]'"); a test that imports one itself fails with
ModuleNotFoundError. Either way, when that extra's packages are indeed missing, the failure becomes a skip.
"""
import doctest
import importlib.util
import os
import re
from importlib import metadata

import pytest

_EXTRA = re.compile(r"pip install '?lucidnet\[(\w+)\]'?")


# lucidnet imports its optional packages lazily and, when one is missing, raises an ImportError naming the extra
# that installs it ("... pip install 'lucidnet[viz]'"). A test that fails that way, while that extra's packages
# are indeed missing, is skipped with that reason, so `pip install -e '.[test]'` alone runs the rest green.
_EXTRA = re.compile(r"pip install '?lucidnet\[(\w+)\]'?")


def _requirements(extra):
    """The requirements of one of lucidnet's extras, from this checkout's pyproject.toml (else the installed
    metadata)."""
    try:
        import tomllib
        with open(os.path.join(os.path.dirname(__file__), "pyproject.toml"), "rb") as f:
            extras = tomllib.load(f)["project"]["optional-dependencies"]
    except (ImportError, OSError, KeyError):
        marker = re.compile(rf"""extra\s*==\s*["']{extra}["']""")
        try:
            return [r for r in metadata.requires("lucidnet") or [] if marker.search(r)]
        except metadata.PackageNotFoundError:
            return []
    found = []
    for r in extras.get(extra, []):
        inner = re.match(r"lucidnet\[([\w,]+)\]", r)           # an extra made of others: lucidnet[plot,viz]
        found += [q for e in inner.group(1).split(",") for q in _requirements(e)] if inner else [r]
    return found


def _extra_missing(extra):
    modules = {"pyyaml": "yaml", "mkdocs-material": "material", "mkdocs-jupyter": "mkdocs_jupyter",
               "mkdocstrings": "mkdocstrings", "mpich": None}
    for requirement in _requirements(extra):
        name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower()
        module = modules.get(name, name.replace("-", "_"))
        try:
            if module is not None and importlib.util.find_spec(module) is None:
                return True
        except (ImportError, ValueError):
            return True
    return False


def _extra_of(module):
    """The extra that installs ``module`` (a test importing it directly: ModuleNotFoundError), or None."""
    if not module:
        return None
    top = module.split(".")[0]
    for extra in ("plot", "viz", "tensorboard", "mpi", "docs"):
        if any(re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].lower().replace("-", "_") == top
               for r in _requirements(extra)):
            return extra
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.when != "call" or not report.failed or call.excinfo is None:
        return
    error = call.excinfo.value
    if isinstance(error, doctest.UnexpectedException):            # a doctest: the error its example raised
        error = error.exc_info[1]
    if not isinstance(error, ImportError):
        return
    match = _EXTRA.search(str(error))
    extra = match.group(1) if match else _extra_of(getattr(error, "name", None))
    if extra and _extra_missing(extra):
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0,
                           f"Skipped: needs the {extra} extra: pip install 'lucidnet[{extra}]'")
