"""Exports that carry hostile text: the Markdown report rendered by two Markdown engines
(CommonMark's markdown-it-py and Python-Markdown) has no script, no event handler and no
javascript: link; the HTML report and the CSV export carry none either."""

from __future__ import annotations

import csv
import io

import markdown
import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from app.reports import sprint_report_render as sr
from app.services.demo import DEMO_KEY
from app.services.sprint_report_data import ReportService

HOSTILE = (
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(1))",
    "![pic](javascript:alert(1))",
    "<a href='javascript:alert(1)'>a</a>",
    "`code` *bold* _it_ | pipe | ~~gone~~",
    "<javascript:alert(1)>",
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
)


@pytest.fixture
def hostile_report(demo):  # type: ignore[no-untyped-def]
    project = demo.projects.find_project(DEMO_KEY)
    active = next(s for s in demo.sprints.list_sprints(project.id) if s.state == "active")
    demo.sprints.update_sprint(
        active.id,
        goal="<script>steal()</script> [x](javascript:alert(1))",
        expected_version=active.version,
    )
    cards = [c for c in demo.cards.list_cards(project.id) if c.sprint_id == active.id]
    for card, title in zip(cards, HOSTILE, strict=False):
        demo.cards.update_card(card.id, {"title": title}, expected_version=card.version)
    return ReportService(demo.context).sprint_report(project.id, "active")


def unsafe_things(html: str) -> list[str]:
    """Scripts, event handlers and javascript: URLs in rendered HTML."""
    soup = BeautifulSoup(html, "html.parser")
    found = [f"<{tag.name}>" for tag in soup.find_all(["script", "iframe", "object", "embed"])]
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on"):
                found.append(f"{tag.name} {name}=")
            if "javascript:" in text.replace(" ", "").lower():
                found.append(f"{tag.name} {name}={text}")
    return found


def test_markdown_report_renders_safely_in_two_engines(hostile_report) -> None:  # type: ignore[no-untyped-def]
    text = sr.render_markdown(hostile_report)
    assert all(title in {c.title for c in hostile_report.cards} for title in HOSTILE[:3])
    for html in (
        MarkdownIt("commonmark").enable("table").render(text),
        markdown.markdown(text, extensions=["tables"]),
    ):
        assert unsafe_things(html) == []
        # The titles are still there, as text a person can read.
        page = BeautifulSoup(html, "html.parser").get_text()
        assert "<script>alert('x')</script>" in page
        assert "[click me](javascript:alert(1))" in page
        assert "`code` *bold* _it_ | pipe | ~~gone~~" in page


def test_html_report_carries_no_script(hostile_report) -> None:  # type: ignore[no-untyped-def]
    html = sr.render_html(hostile_report)
    assert unsafe_things(html) == []
    assert "<script>alert('x')</script>" in BeautifulSoup(html, "html.parser").get_text()


def test_report_csv_carries_no_formula(hostile_report) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.reader(io.StringIO(sr.render_csv(hostile_report))))
    assert len(rows) > 1
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), row
            if cell.startswith("-"):
                float(cell)  # only numbers may start with a minus
    titles = {row[1] for row in rows[1:]}
    assert "'" + HOSTILE[7] in titles and "'" + HOSTILE[8] in titles
