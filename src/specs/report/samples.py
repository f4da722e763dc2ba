"""HTML fragments showing what the models actually wrote: eval rollouts side by side, and preference pairs.

Every piece of model or data text is escaped here (a response is untrusted text: ``<think>`` in it must show as
``<think>``, not become markup); the format tags are then highlighted so the format is visible at a glance.
Prompt images are embedded as data URIs, shrunk when large, so the page stays one small file.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any

from specs.data.records import Example, parse_example
from specs.errors import DataError
from specs.pairs.corruptions import CORRUPTIONS
from specs.pairs.io import CANONICAL_KEYS
from specs.report.html import data_uri, inline
from specs.report.run_folder import Response

STYLE = (".tag{color:#8250df;font-weight:bold}.ok{color:#1a7f37}.bad{color:#cf222e}.muted{color:#777}"
         "pre.resp{white-space:pre-wrap;word-break:break-word;margin:4px 0;font-size:12px;background:#f6f8fa;"
         "padding:4px 6px;border-radius:4px}table.samples td{vertical-align:top;min-width:150px;max-width:320px}"
         "img.prompt{width:168px;image-rendering:pixelated;border:1px solid #ddd;display:block;margin-bottom:4px}"
         ".grade{font-size:12px}")
MAX_IMAGE_SIDE = 512
MAX_IMAGE_BYTES = 256 * 1024
MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}


def image_uri(path: Path) -> str | None:
    """The image as a data URI (as stored when small; else shrunk to ``MAX_IMAGE_SIDE`` and re-encoded as PNG),
    or ``None`` when it cannot be read."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    mime = MIME.get(path.suffix.lower())
    if mime is not None and len(data) <= MAX_IMAGE_BYTES:
        return data_uri(data, mime)
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, format="PNG")
    except Exception:  # not an image PIL reads: leave it out rather than fail the report
        return None
    return data_uri(buffer.getvalue())


def response_html(text: str) -> str:
    """A response, escaped, in a ``<pre>`` that keeps its line breaks, its format tags highlighted."""
    if not text.strip():
        return '<pre class="resp"><span class="muted">(empty)</span></pre>'
    escaped = re.sub(r"&lt;/?(?:think|answer)&gt;", lambda m: f'<span class="tag">{m.group(0)}</span>',
                     html.escape(text))
    return f'<pre class="resp">{escaped}</pre>'


def _flag(value: bool | None, yes: str, no: str) -> str:
    if value is None:
        return '<span class="muted">?</span>'
    return f'<span class="ok">✓ {yes}</span>' if value else f'<span class="bad">✗ {no}</span>'


def grade_html(response: Response) -> str:
    """``✓ correct · ✓ format`` (or ✗), plus the eval's count when it sampled several responses per prompt."""
    parts = [_flag(response.correct, "correct", "wrong"), _flag(response.formatted, "format", "format")]
    if response.n is not None and response.n > 1 and response.n_correct is not None:
        parts.append(f'<span class="muted">{int(response.n_correct)}/{int(response.n)} samples correct</span>')
    return '<div class="grade">' + " · ".join(parts) + "</div>"


def prompt_html(example: Example | None, ex_id: str) -> str:
    """The prompt cell: its image(s), the question, the gold answer, its family and requested format."""
    if example is None:
        return f'<code>{html.escape(ex_id)}</code> <span class="muted">(record not found)</span>'
    parts = []
    for path in example.images:
        uri = image_uri(path)
        parts.append(f'<img class="prompt" alt="{html.escape(Path(path).name)}" src="{uri}">' if uri else
                     f'<span class="muted">(image {html.escape(Path(path).name)} missing)</span>')
    parts.append(f"<div>{html.escape(example.question)}</div>")
    if example.choices:
        parts.append('<div class="muted">choices: ' + html.escape(" | ".join(example.choices)) + "</div>")
    tags = [f"gold: <strong>{html.escape(str(example.answer))}</strong>"]
    tags += [f"{key}: {html.escape(str(example.meta[key]))}" for key in ("family", "format") if key in example.meta]
    parts.append('<div class="grade">' + " · ".join(tags) + f' · <code>{html.escape(ex_id)}</code></div>')
    return "".join(parts)


def pick_prompts(graded: dict[str, dict[str, Response]], order: list[str], k: int) -> list[str]:
    """``k`` prompt ids every model answered; those the models grade differently first (where training changed
    something), then in data order. Deterministic, so re-rendering shows the same prompts for the same files."""
    common = [i for i in order if all(i in by_id for by_id in graded.values())]

    def differs(ex_id: str) -> bool:
        return len({(r[ex_id].correct, r[ex_id].formatted) for r in graded.values()}) > 1

    return sorted(common, key=lambda i: (not differs(i), common.index(i)))[:k]


def rollouts_html(labels: dict[str, str], graded: dict[str, dict[str, Response]], examples: dict[str, Example],
                  ids: list[str]) -> str:
    """One row per prompt: the prompt, then each model's response (escaped) and its grade, side by side."""
    head = "<th>prompt</th>" + "".join(f"<th>{html.escape(labels[name])}</th>" for name in graded)
    rows = []
    for ex_id in ids:
        cells = [f"<td>{prompt_html(examples.get(ex_id), ex_id)}</td>"]
        cells += [f"<td>{grade_html(by_id[ex_id])}{response_html(by_id[ex_id].text)}</td>" for by_id in graded.values()]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="samples"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def corruption_doc(name: str) -> str:
    """The first line of the corruption's docstring (RST double backticks made single), so the report says what
    the corruption did."""

    fn = CORRUPTIONS.get(name)
    doc = (fn.__doc__ or "").strip().splitlines() if fn is not None else []
    return doc[0].replace("``", "`") if doc else ""


def pick_pairs(pairs: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """Up to ``k`` pairs, one per corruption first (in file order), so different corruptions are shown."""
    first: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        first.setdefault(str(pair.get("corruption")), pair)
    shown = list(first.values())[:k]
    return shown + [p for p in pairs if not any(p is s for s in shown)][: k - len(shown)]


def pair_example(pair: dict[str, Any], folder: Path) -> Example | None:
    """A pair line's record (its images resolve against the pairs file's folder), tolerant of odd fields."""

    try:
        return parse_example({k: pair[k] for k in CANONICAL_KEYS if k in pair}, folder / "pairs.jsonl", 0,
                             check_images=False)
    except (ValueError, DataError, TypeError):
        return None


def pairs_html(pairs: list[dict[str, Any]], folder: Path) -> str:
    """One row per pair: the prompt, the chosen response, the rejected one with its corruption named (and the
    base response before it, when the corruption changed it)."""
    head = "<th>prompt</th><th>chosen</th><th>rejected</th>"
    rows = []
    for pair in pairs:
        example = pair_example(pair, folder)
        prov = pair.get("provenance") if isinstance(pair.get("provenance"), dict) else {}
        name = str(pair.get("corruption"))
        chosen = (f'<div class="grade muted">from {html.escape(Path(str(prov.get("chosen_model", "?"))).name)}, '
                  f'sample {html.escape(str(prov.get("chosen_sample", "?")))}</div>'
                  + response_html(str(pair.get("chosen", ""))))
        rejected = (f'<div class="grade">corruption: <strong class="bad">{html.escape(name)}</strong> — '
                    f'{inline(corruption_doc(name))}</div>'
                    f'<div class="grade muted">from {html.escape(Path(str(prov.get("rejected_model", "?"))).name)}, '
                    f'sample {html.escape(str(prov.get("rejected_sample", "?")))}</div>'
                    + response_html(str(pair.get("rejected", ""))))
        original = str(pair.get("rejected_original", ""))
        if original and original != pair.get("rejected"):
            rejected += '<div class="grade muted">before the corruption:</div>' + response_html(original)
        ex_id = str(pair.get("id"))
        rows.append(f"<tr><td>{prompt_html(example, ex_id)}</td><td>{chosen}</td><td>{rejected}</td></tr>")
    return f'<table class="samples"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
