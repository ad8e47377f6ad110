"""The documentation site, opened in a real headless browser (Debian's chromium, driven by selenium): every
tutorial page shows its executed figures (images that actually decode), and no link inside the site is
broken (every page and file linked answers, every #anchor exists on its page).

Part of ``make test``; alone: ``make docs-test`` (``python3 -m pytest -q tests/test_docs_site.py``). It builds the site with the
tutorials' small settings (``LUCIDNET_QUICK=1``) into a temporary folder, unless ``LUCIDNET_SITE_DIR`` names
a site already built (``make docs`` writes ``site/``).
"""
import functools
import http.server
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
TUTORIALS = sorted(p.stem for p in (ROOT / "docs" / "tutorials").glob("[0-9][0-9]_*.py"))
CHROMIUM, CHROMEDRIVER = shutil.which("chromium") or "/usr/bin/chromium", shutil.which("chromedriver")


@pytest.fixture(scope="module")
def site():
    given = os.environ.get("LUCIDNET_SITE_DIR")
    if given:
        yield pathlib.Path(given)
        return
    out = pathlib.Path(tempfile.mkdtemp(prefix="lucidnet-site-"))
    env = dict(os.environ, LUCIDNET_QUICK="1", PYTHONPATH=os.pathsep.join(
        [str(ROOT / "src")] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d",
                           str(out / "site")], env=env, capture_output=True, text=True, cwd=out)
    assert done.returncode == 0, f"mkdocs build failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    yield out / "site"
    shutil.rmtree(out, ignore_errors=True)


@pytest.fixture(scope="module")
def server(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass                                  # the browser dropping a connection is not a site error

    httpd = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="pip install 'lucidnet[docs]'")
    assert CHROMEDRIVER, "chromedriver not found: apt-get install chromium chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="lucidnet-chromium-")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1000", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


IMAGES = """return Array.from(document.querySelectorAll('article img')).map(
    im => [im.currentSrc.slice(0, 30), im.complete, im.naturalWidth, im.naturalHeight]);"""
LINKS = "return Array.from(document.querySelectorAll('a[href]')).map(a => a.href);"
IDS = "return Array.from(document.querySelectorAll('[id]')).map(e => e.id);"


@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_page_renders_its_figures(browser, server, name):
    browser.get(f"{server}tutorials/{name}/")
    heading = browser.find_element("css selector", "article h1").text
    assert heading.split(".")[0] == str(int(name[:2])), heading
    images = browser.execute_script(IMAGES)
    assert images, f"{name}: no figure on the page"
    for src, complete, width, height in images:
        assert complete and width > 100 and height > 100, f"{name}: an image did not render: {src}... {width}x{height}"
    errors = browser.find_elements("css selector", "[data-mime-type='application/vnd.jupyter.stderr'] pre")
    assert not [e.text for e in errors if "Error" in e.text], f"{name}: an error output on the page"
    if name == TUTORIALS[-1]:
        browser.save_screenshot(os.path.join(tempfile.gettempdir(), "lucidnet-tutorial.png"))


def _status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_no_broken_links(browser, server):
    """Crawl every page reachable from the home page; every internal link must answer 200 and every
    #anchor must exist on its page."""
    pages, queue, ids, broken = set(), [server], {}, []
    links = []                                    # (page, target)
    while queue:
        page = queue.pop()
        if page in pages:
            continue
        pages.add(page)
        browser.get(page)
        ids[page] = set(browser.execute_script(IDS))
        for href in browser.execute_script(LINKS):
            if not href.startswith(server):
                continue                          # the web: not part of the site, not reachable from here
            target, _, fragment = href.partition("#")
            links.append((page, target, fragment))
            path = urllib.parse.urlparse(target).path
            if target not in pages and (path.endswith("/") or path.endswith(".html")):
                queue.append(target)
    assert len(pages) >= len(TUTORIALS) + 5, sorted(pages)
    statuses = {}
    for page, target, fragment in links:
        if target not in statuses:
            statuses[target] = _status(target)
        if statuses[target] != 200:
            broken.append(f"{page} -> {target}: HTTP {statuses[target]}")
        elif fragment and target in ids and urllib.parse.unquote(fragment) not in ids[target]:
            broken.append(f"{page} -> {target}#{fragment}: no such anchor")
    assert not broken, "\n".join(sorted(set(broken)))


def test_home_page_is_the_readme_and_the_api_reference_is_built(browser, server):
    browser.get(server)
    readme = (ROOT / "README.md").read_text().splitlines()[0].lstrip("# ").strip()
    assert browser.find_element("css selector", "article h1").text.strip() == readme
    browser.get(f"{server}reference/autograd/")
    text = browser.find_element("css selector", "article").text
    assert "gradcheck" in text and "numerical_derivative" in text and "jacobian" in text
