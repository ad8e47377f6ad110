"""The vendored tutorial scripts are data for the tests, not test modules: pytest must not import them (with
--doctest-modules it would, and run their training loops at collection)."""
collect_ignore_glob = ["tutorials/*.py", "record.py", "driver.py"]
