"""MkDocs hooks for the lucidnet site: the home page is the README, read at build time.

Links in the README are relative to the repository: ``docs/...`` becomes the site's own page, and a link
to a source file (which the site does not hold) keeps its text, unlinked, so the site has no broken links.
"""
import os
import re

LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)")


def _rewrite(match):
    text, target = match.groups()
    if re.match(r"^[a-z]+:", target) or target.startswith("#"):
        return match.group(0)                      # a web address or an anchor on the page
    if target.startswith("docs/"):
        return f"[{text}]({target[len('docs/'):]})"
    return text                                    # a file of the repository, not of the site


def on_page_markdown(markdown, page, config, files, **kwargs):
    if page.file.src_uri != "index.md":
        return markdown
    readme = os.path.join(os.path.dirname(config["config_file_path"]), "README.md")
    with open(readme, encoding="utf-8") as f:
        return LINK.sub(_rewrite, f.read())
