"""Record what each vendored tutorial script prints under real PyTorch (seeded, to the end), into
expected/<script>.txt: the reference test_tutorial_scripts.py compares lucidnet's output with.

    python tests/torch_scripts/record.py [SCRIPT_NAME ...]

Run it after adding a script, or when the pinned torch version changes (recorded with torch 2.13.0). Each
script runs in its own interpreter, as `python script.py` would.
"""
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).parent


def main(names):
    scripts = sorted((HERE / "tutorials").glob("*.py"))
    if names:
        scripts = [s for s in scripts if s.stem in names]
    (HERE / "expected").mkdir(exist_ok=True)
    for script in scripts:
        done = subprocess.run([sys.executable, str(HERE / "driver.py"), "torch", "0", str(script)],
                              capture_output=True, text=True)
        if done.returncode:
            print(f"{script.name}: failed under PyTorch:\n{done.stderr}", file=sys.stderr)
            return 1
        (HERE / "expected" / f"{script.stem}.txt").write_text(done.stdout)
        print(f"{script.name}: {len(done.stdout.splitlines())} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
