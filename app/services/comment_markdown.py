"""Comment Markdown to HTML, safely, without a dependency.

Comments come from people and from imported Trello and Jira files, so nothing in them may
reach the card editor's HTML view as markup: the whole text is HTML-escaped *first*, and only
then is the small Markdown subset below turned into tags this module writes itself. A link
keeps its href only for http, https and mailto (``javascript:``, ``data:``, ``vbscript:``,
relative and odd-Unicode tricks become plain text). Every pattern is linear (no nested
quantifiers), so a 20,000-character comment renders at once.

The subset: paragraphs (one newline is a line break), ``#`` headings, ``-``/``*``/``1.``
lists, ``>`` quotes, fenced code blocks, `code`, **bold**, *italic*/_italic_, ``[text](url)``,
bare http(s) URLs, and ``@Name`` mentions of the project's members (highlighted; names with
spaces match, longest first, regardless of case).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

SAFE_SCHEMES = ("http://", "https://", "mailto:")
MENTION_STYLE = "color:#1a5fb4;background-color:#e3ecfa;font-weight:600"

# Placeholders for finished pieces of HTML while the rest is being converted. \x00 cannot
# be in a comment (control characters are refused; render_markdown strips them anyway).
_HOLD = "\x00{}\x00"
_HELD = re.compile(r"\x00(\d+)\x00")

_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\[([^\[\]\n]{1,1000})\]\(([^()\s]{1,2000})\)")
_BARE_URL = re.compile(r"https?://[^\s<>\"'\x00]{1,2000}")
_BOLD = re.compile(r"\*\*([^*\n]+)\*\*|__([^_\n]+)__")
_ITALIC = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])|(?<![\w_])_([^_\n]+)_(?![\w_])")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s{0,3}\d{1,9}[.)]\s+(.*)$")
_QUOTE = re.compile(r"^\s{0,3}&gt;\s?(.*)$")
_FENCE = re.compile(r"^\s{0,3}```")


def safe_href(url: str) -> str | None:
    """``url`` (as written, unescaped) if it is a link worth following, else None.

    Browsers ignore whitespace and control characters inside a scheme ("java\\nscript:"), so
    they are removed before the scheme is checked."""
    plain = unicodedata.normalize("NFKC", html.unescape(url))
    squeezed = "".join(
        ch for ch in plain if not ch.isspace() and unicodedata.category(ch)[0] != "C"
    )
    lowered = squeezed.lower()
    if not lowered.startswith(SAFE_SCHEMES):
        return None
    if lowered.startswith(("http://", "https://")) and len(lowered.split("//", 1)[1]) == 0:
        return None
    return squeezed


def render_markdown(text: str, members: Iterable[str] = ()) -> str:
    """The comment ``text`` as an HTML fragment; ``members`` are the names @mentions match."""
    text = "".join(
        ch
        for ch in str(text).replace("\r\n", "\n")
        if ch in "\n\t" or unicodedata.category(ch) != "Cc"
    )
    mention = _mention_pattern(members)
    out: list[str] = []
    lines = text.split("\n")
    i = 0
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append("<p>" + "<br>".join(_inline(line, mention) for line in paragraph) + "</p>")
            paragraph.clear()

    while i < len(lines):
        raw = lines[i]
        line = html.escape(raw, quote=True)
        if _FENCE.match(raw):
            flush()
            body: list[str] = []
            i += 1
            while i < len(lines) and not _FENCE.match(lines[i]):
                body.append(html.escape(lines[i], quote=True))
                i += 1
            i += 1  # the closing fence (or the end)
            out.append("<pre><code>" + "\n".join(body) + "</code></pre>")
            continue
        if not raw.strip():
            flush()
            i += 1
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            level = len(heading.group(1))
            out.append(f"<h{level}>{_inline(heading.group(2), mention)}</h{level}>")
            i += 1
            continue
        for pattern, tag in ((_BULLET, "ul"), (_NUMBERED, "ol")):
            if pattern.match(line):
                flush()
                items = []
                while i < len(lines):
                    match = pattern.match(html.escape(lines[i], quote=True))
                    if not match:
                        break
                    items.append("<li>" + _inline(match.group(1), mention) + "</li>")
                    i += 1
                out.append(f"<{tag}>" + "".join(items) + f"</{tag}>")
                break
        else:
            if _QUOTE.match(line):
                flush()
                quoted = []
                while i < len(lines):
                    match = _QUOTE.match(html.escape(lines[i], quote=True))
                    if not match:
                        break
                    quoted.append(_inline(match.group(1), mention))
                    i += 1
                out.append("<blockquote>" + "<br>".join(quoted) + "</blockquote>")
            else:
                paragraph.append(line)
                i += 1
    flush()
    return "\n".join(out)


def mentioned(text: str, members: Iterable[str]) -> list[str]:
    """The members ``text`` @mentions, as the member list spells them, in order, once each."""
    names = {name.lower(): name for name in members}
    pattern = _mention_pattern(names.values())
    if pattern is None:
        return []
    seen: dict[str, str] = {}
    for match in pattern.finditer(str(text)):
        name = names.get(match.group(1).lower())
        if name is not None:
            seen.setdefault(name, name)
    return list(seen)


# --- pieces -----------------------------------------------------------------------------


def _mention_pattern(members: Iterable[str]) -> re.Pattern[str] | None:
    names = sorted({m for m in members if m and m.strip()}, key=len, reverse=True)
    if not names:
        return None
    # Names are matched in their escaped form too (an O'Brien is O&#x27;Brien by then).
    choices = {re.escape(n) for n in names} | {re.escape(html.escape(n, quote=True)) for n in names}
    ordered = sorted(choices, key=len, reverse=True)
    return re.compile(r"(?<![\w@])@(" + "|".join(ordered) + r")(?![\w])", re.IGNORECASE)


def _inline(line: str, mention: re.Pattern[str] | None) -> str:
    """One line, already HTML-escaped, with its inline Markdown turned into tags."""
    held: list[str] = []

    def hold(fragment: str) -> str:
        held.append(fragment)
        return _HOLD.format(len(held) - 1)

    line = _CODE_SPAN.sub(lambda m: hold(f"<code>{m.group(1)}</code>"), line)

    def link(m: re.Match[str]) -> str:
        label, url = m.group(1), m.group(2)
        href = safe_href(url)
        if href is None:
            return hold(f"{label} ({url})")
        return hold(f'<a href="{html.escape(href, quote=True)}">{label}</a>')

    line = _LINK.sub(link, line)

    def bare(m: re.Match[str]) -> str:
        url = m.group(0)
        trail = ""
        while url and url[-1] in ".,;:!?)":
            trail = url[-1] + trail
            url = url[:-1]
        href = safe_href(url)
        if href is None:
            return m.group(0)
        return hold(f'<a href="{html.escape(href, quote=True)}">{url}</a>') + trail

    line = _BARE_URL.sub(bare, line)
    if mention is not None:
        line = mention.sub(
            lambda m: hold(f'<span style="{MENTION_STYLE}">@{m.group(1)}</span>'), line
        )
    line = _BOLD.sub(lambda m: f"<b>{m.group(1) or m.group(2)}</b>", line)
    line = _ITALIC.sub(lambda m: f"<i>{m.group(1) or m.group(2)}</i>", line)
    while _HELD.search(line):
        line = _HELD.sub(lambda m: held[int(m.group(1))], line)
    return line


__all__ = ["MENTION_STYLE", "mentioned", "render_markdown", "safe_href"]
