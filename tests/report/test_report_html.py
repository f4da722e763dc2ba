"""The shared block renderer: one escaping rule, embedded figures, and the study using the same code."""

import base64

from specs.report.html import data_uri, to_html, to_markdown

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
                       "AAAABJRU5ErkJggg==")  # a 1x1 pixel


def test_figures_given_as_bytes_or_file_names_are_embedded(tmp_path):
    (tmp_path / "fig.png").write_bytes(PNG)
    items = [("h", 1, "T <1>"), ("img", "fig.png", "from a file"), ("img", PNG, "from `bytes`"),
             ("html", '<div class="x">kept</div>'), ("table", ["a"], [["<b>"]])]
    page = to_html(items, tmp_path, "T <1>", style=".x{}")
    assert page.count(f'src="{data_uri(PNG)}"') == 2 and "<code>bytes</code>" in page
    assert '<div class="x">kept</div>' in page and "<td>&lt;b&gt;</td>" in page and ".x{}</style>" in page
    assert "<title>T &lt;1&gt;</title>" in page and 'alt="from bytes"' in page
    text = to_markdown(items)
    assert "kept" not in text and f"]({data_uri(PNG)})" in text and "](fig.png)" in text


def test_the_study_renders_with_the_shared_code():
    import specs.report.html as shared
    import specs.study.report as study

    assert study.to_html is shared.to_html and study.to_markdown is shared.to_markdown
