"""Report blocks rendered to Markdown and to one self-contained HTML page (the study's and the run's reports).

A report is a list of blocks (headings, paragraphs, lists, tables, figures, prepared HTML fragments) rendered by
one renderer, so both reports share one look and one escaping rule. Figures and images are embedded as base64
data URIs: an HTML report is a single file that can be mailed or opened from an archive, with no assets beside it.

Block kinds: ``("h", level, text)``, ``("p", text)``, ``("ul", [text, …])``, ``("table", header, rows)``,
``("img", source, caption)`` — ``source`` is a file name under the page's ``image_dir`` or the PNG bytes
themselves — and ``("html", fragment)``, markup made by code that escaped its own text (HTML only; Markdown
skips it). Text in the other blocks is Markdown-lite: ``**bold**``, ``*italic*`` and ```code``` only.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

Block = tuple

STYLE = ("body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;line-height:1.4}"
         "table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;"
         "padding:3px 6px;text-align:left}th{background:#f3f3f3}img{max-width:100%}figure{margin:1em 0}")


def data_uri(data: bytes, mime: str = "image/png") -> str:
    """``data:<mime>;base64,…``: an image inside the page itself."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def inline(text: str) -> str:
    """Escape ``text`` for HTML, then turn Markdown-lite ``**bold**``, ``*italic*`` and ```code``` into tags.

    >>> inline("`<think>` is **kept**")
    '<code>&lt;think&gt;</code> is <strong>kept</strong>'
    """
    text = html.escape(text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"(?<![\w*])\*(.+?)\*(?![\w*])", r"<em>\1</em>", text)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", text)


def to_markdown(items: list[Block]) -> str:
    """The blocks as Markdown (figures given as bytes become data URIs; ``html`` fragments are left out)."""
    lines: list[str] = []
    for block in items:
        kind = block[0]
        if kind == "h":
            lines += ["#" * block[1] + " " + block[2], ""]
        elif kind == "p":
            lines += [block[1], ""]
        elif kind == "ul":
            lines += [f"- {item}" for item in block[1]] + [""]
        elif kind == "img":
            src = data_uri(block[1]) if isinstance(block[1], bytes) else block[1]
            lines += [f"![{block[2]}]({src})", "", f"*{block[2]}*", ""]
        elif kind == "table":
            cells = [[c.replace("|", "\\|") for c in row] for row in [block[1], *block[2]]]
            lines += ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(block[1])]
            lines += ["| " + " | ".join(row) + " |" for row in cells[1:]] + [""]
    return "\n".join(lines)


def table_html(header: list[str], rows: list[list[str]]) -> str:
    """A table whose cells are Markdown-lite text (escaped here)."""
    head = "".join(f"<th>{inline(c)}</th>" for c in header)
    body = "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def figure_html(data: bytes, caption: str) -> str:
    """A PNG figure with its caption, embedded."""
    alt = html.escape(re.sub(r"[`*]", "", caption))
    return (f'<figure><img alt="{alt}" src="{data_uri(data)}">'
            f"<figcaption>{inline(caption)}</figcaption></figure>")


def to_html(items: list[Block], image_dir: Path | None, title: str, style: str = "") -> str:
    """One self-contained page: ``img`` blocks are read from ``image_dir`` (or given as bytes) and embedded."""
    body: list[str] = []
    for block in items:
        kind = block[0]
        if kind == "h":
            body.append(f"<h{block[1]}>{inline(block[2])}</h{block[1]}>")
        elif kind == "p":
            body.append(f"<p>{inline(block[1])}</p>")
        elif kind == "ul":
            body.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in block[1]) + "</ul>")
        elif kind == "img":
            source = block[1]
            data = source if isinstance(source, bytes) else (Path(image_dir or ".") / source).read_bytes()
            body.append(figure_html(data, block[2]))
        elif kind == "table":
            body.append(table_html(block[1], block[2]))
        elif kind == "html":
            body.append(block[1])
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{STYLE}{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
