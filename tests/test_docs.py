"""The README and the pages under docs/: every relative link and image points at a file that
exists, every #anchor at a heading of its page, and every picture in docs/ is shown
somewhere and small enough to load quickly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HTML_SOURCE = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]+)\"", re.IGNORECASE)
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE = re.compile(r"`[^`\n]*`")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
MAX_PICTURE_BYTES = 300_000


def prose(text: str) -> str:
    """The page without its code: links are not read inside code blocks or spans."""
    return CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", heading)
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def targets(page: Path) -> list[str]:
    text = prose(page.read_text(encoding="utf-8"))
    return LINK.findall(text) + HTML_SOURCE.findall(text)


def test_the_slugs_follow_github() -> None:
    assert slug("An owner's tour") == "an-owners-tour"
    assert slug("Stock-outs against stock held (policy backtest)") == (
        "stock-outs-against-stock-held-policy-backtest"
    )
    assert slug("`optimize`: the textbook formula") == "optimize-the-textbook-formula"


def test_the_pages_are_there() -> None:
    names = {page.name for page in PAGES}
    assert {"README.md", "cli.md", "api.md", "forecasting.md", "benchmarks.md"} <= names
    assert {"operations.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for target in targets(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):  # http:, mailto:, …
            continue
        path, _, anchor = target.partition("#")
        # docs/performance.md is written separately; its link may land before the page.
        if path.endswith("performance.md") and not (page.parent / path).exists():
            continue
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading #{anchor} in {linked.name}")
    assert not broken, f"{page.name}: " + "; ".join(broken)


def test_the_readme_links_every_docs_page() -> None:
    linked = {Path(t.partition("#")[0]).name for t in targets(REPO / "README.md")}
    missing = [page.name for page in PAGES[1:] if page.name not in linked]
    assert not missing, f"README.md does not link {missing}"


def test_every_picture_in_docs_is_shown_and_small() -> None:
    shown = {(page.parent / t.partition("#")[0]).resolve() for page in PAGES for t in targets(page)}
    pictures = sorted((REPO / "docs").glob("*.png"))
    assert pictures
    unused = [p.name for p in pictures if p.resolve() not in shown]
    assert not unused, f"pictures in docs/ that no page shows: {unused}"
    large = [
        f"{p.name}: {p.stat().st_size:,}" for p in pictures if p.stat().st_size > MAX_PICTURE_BYTES
    ]
    assert not large, f"pictures over {MAX_PICTURE_BYTES:,} bytes: {large}"
