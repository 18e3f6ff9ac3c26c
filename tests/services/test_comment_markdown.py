"""The comment Markdown renderer: what it makes of Markdown, and that hostile input (raw
HTML, script and data links, attribute breaking, huge and odd text) never becomes markup."""

from __future__ import annotations

import re

import pytest

from app.services.comment_markdown import mentioned, render_markdown, safe_href

TEAM = ["Ana Lima", "Bo", "O'Brien"]


def test_the_subset() -> None:
    out = render_markdown(
        "# Title\n**bold** and *it* and `co<de>`\n\n- one\n- two\n\n1. first\n\n> quoted\n"
        "```\n<b>raw</b>\n```\n[site](https://example.com/a?b=1&c=2)"
    )
    assert "<h1>Title</h1>" in out
    assert "<b>bold</b>" in out and "<i>it</i>" in out and "<code>co&lt;de&gt;</code>" in out
    assert "<ul><li>one</li><li>two</li></ul>" in out and "<ol><li>first</li></ol>" in out
    assert "<blockquote>quoted</blockquote>" in out
    assert "<pre><code>&lt;b&gt;raw&lt;/b&gt;</code></pre>" in out
    assert '<a href="https://example.com/a?b=1&amp;c=2">site</a>' in out


def test_line_breaks_and_bare_urls() -> None:
    out = render_markdown("one\ntwo see https://x.org/p.")
    assert out == '<p>one<br>two see <a href="https://x.org/p">https://x.org/p</a>.</p>'


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src='https://evil'></iframe>",
        "<style>body{display:none}</style>",
        "**<svg onload=alert(1)>**",
    ],
)
def test_raw_html_is_text(hostile: str) -> None:
    out = render_markdown(hostile)
    assert "<script" not in out and "<img" not in out and "<iframe" not in out
    assert "<svg" not in out and "<style" not in out and '<a href="javascript' not in out
    assert "&lt;" in out


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java%0ascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox",
        "&#106;avascript:alert(1)",
        "\u200bjavascript:alert(1)",
        "ｊａｖａｓｃｒｉｐｔ:alert(1)",
        "/relative/path",
        "file:///etc/passwd",
    ],
)
def test_unsafe_links_lose_their_href(url: str) -> None:
    out = render_markdown(f"[click]({url})")
    assert "href" not in out
    assert "click" in out


def test_control_characters_inside_a_scheme_do_not_help() -> None:
    assert safe_href("java\tscript:alert(1)") is None
    assert safe_href("https://ok.example") == "https://ok.example"
    assert safe_href("mailto:a@b.c") == "mailto:a@b.c"


def test_quotes_cannot_break_out_of_an_attribute() -> None:
    out = render_markdown('[x](https://a.b/"onmouseover="alert(1))')
    for href in re.findall(r'href="([^"]*)"', out):
        assert "onmouseover" not in href or "&quot;" in href or '"' not in href
    assert 'onmouseover="' not in out
    bare = render_markdown('https://a.b/"><script>alert(1)</script>')
    assert "<script" not in bare


def test_mentions_are_highlighted_longest_first_regardless_of_case() -> None:
    out = render_markdown("ping @ana lima and @Bo, not @Bob or mail@Bo", TEAM)
    assert out.count("<span") == 2
    assert ">@ana lima</span>" in out and ">@Bo</span>" in out
    assert "@Bob" in out  # not a member: left as text
    assert mentioned("hi @bo and @Ana Lima and @bo", TEAM) == ["Bo", "Ana Lima"]


def test_a_name_with_an_apostrophe_and_a_mention_in_a_hostile_name() -> None:
    out = render_markdown("thanks @O'Brien", TEAM)
    assert "<span" in out and "O&#x27;Brien" in out
    evil = render_markdown("hi @<b>x</b>", ["<b>x</b>"])
    assert "<b>x</b>" not in evil.replace("&lt;b&gt;x&lt;/b&gt;", "")


def test_huge_and_pathological_text_renders_quickly_and_whole() -> None:
    text = ("*" * 5000) + ("_a" * 5000) + ("[" * 3000) + ("`" * 2000)
    out = render_markdown(text)
    assert out.startswith("<p>")
    long = render_markdown("word " * 4000)
    assert long.count("word") == 4000


def test_odd_unicode_survives() -> None:
    text = "RTL \u202e אבג 👩🏽‍💻 e\u0301 \u0000nul"
    out = render_markdown(text)
    assert "👩🏽‍💻" in out and "אבג" in out and "\x00" not in out
