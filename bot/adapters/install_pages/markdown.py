"""The privacy notice's little Markdown as HTML; everything else stays text, escaped.

Headings, paragraphs, "- " lists, **bold**, `code` and [links](…) to this site or the web.
"""

from __future__ import annotations

import re
from html import escape

_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|/|#)[^)\s]*)\)")


def inline(text: str) -> str:
    """One line's text as HTML: escaped first, then bold, code and links."""
    html = escape(text, quote=False)
    html = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html)
    html = re.sub(r"`([^`]+)`", r"<code>\1</code>", html)
    return _LINK.sub(lambda m: f'<a href="{escape(m.group(2))}">{m.group(1)}</a>', html)


def _block(lines: list[str]) -> str:
    first = lines[0]
    if first.startswith("#"):
        level = min(len(first) - len(first.lstrip("#")), 3)
        rest = _block(lines[1:]) if len(lines) > 1 else ""
        return f"<h{level}>{inline(first.lstrip('#').strip())}</h{level}>{rest}"
    if first.startswith("- "):
        items: list[str] = []
        for line in lines:
            if line.startswith("- "):
                items.append(line[2:].strip())
            else:  # a continuation line of the item above
                items[-1] += " " + line.strip()
        return "<ul>" + "".join(f"<li>{inline(item)}</li>" for item in items) + "</ul>"
    return f"<p>{inline(' '.join(line.strip() for line in lines))}</p>"


def to_html(text: str) -> str:
    """``text`` (Markdown, blocks separated by blank lines) as HTML."""
    blocks = re.split(r"\n[ \t]*\n", text.strip())
    return "".join(_block(block.splitlines()) for block in blocks if block.strip())
