"""The run report, rendered from synthetic run folders (no training) and, slow, from a real ``specs run``."""

import io
import re
from html.parser import HTMLParser

import pytest
from PIL import Image
from run_synthetic import PAIR, SUMMARY, full_run, partial_run
from typer.testing import CliRunner

from specs.cli import app
from specs.errors import ConfigError
from specs.report import plots
from specs.report.run_folder import stage_log
from specs.report.run_report import refresh_run_report, render_run_report

SECTIONS = ("Stages", "Summary", "GRPO training", "Cold start", "Rollouts", "Preference pairs")
SUMMARY_HEADER = ["model", "ID format", "ID acc", "OOD format", "OOD acc"]


class _Tables(HTMLParser):
    """Every ``<table>`` of a page as rows of cell texts (header row first)."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(page):
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def summary_table(page):
    (found,) = [t for t in tables(page) if t and t[0] == SUMMARY_HEADER]
    return {row[0]: row[1:] for row in found[1:]}


def section(page, title):
    """The HTML between ``<h2>title</h2>`` and the next ``<h2>``."""
    start = page.index(f"<h2>{title}</h2>")
    end = page.find("<h2>", start + 1)
    return page[start: end if end > 0 else None]


def assert_self_contained(page):
    sources = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert sources and all(src.startswith("data:image/") for src in sources)
    assert not re.search(r'(src|href)="(?!data:)', page) and "<link" not in page and "<script" not in page


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    root = full_run(tmp_path_factory.mktemp("run") / "synthetic")
    path = render_run_report(root)
    return root, path, path.read_text()


def test_every_section_in_one_self_contained_page(full):
    root, path, page = full
    assert path == root / "report.html"
    assert [h for h in re.findall(r"<h2>(.+?)</h2>", page)] == list(SECTIONS)
    assert_self_contained(page)
    assert page.count("<figure>") == 3  # GRPO, DPO, GF
    assert not list(root.glob(".report.html.*")), "the atomic writer leaves no temp file"


def test_the_summary_table_is_summary_json(full):
    _, _, page = full
    shown = summary_table(page)
    assert list(shown) == list(SUMMARY)
    for label, row in SUMMARY.items():
        keys = ["id-test/format_rate", "id-test/accuracy", "ood-test/format_rate", "ood-test/accuracy"]
        assert shown[label] == [f"{100 * row[k]:.1f}" for k in keys]
    assert "from <code>summary.json</code>" in section(page, "Summary")


def test_rollouts_show_image_question_escaped_responses_and_grades(full):
    _, _, page = full
    part = section(page, "Rollouts")
    (rollouts,) = [t for t in tables(part) if t[0][0] == "prompt"]
    assert rollouts[0] == ["prompt", "base", "GRPO-zero", "final"] and len(rollouts) == 1 + 3
    assert part.count('<img class="prompt"') == 3 and 'src="data:image/png;base64,' in part
    assert "How many circles are there?" in part and "Is 2 &lt; 3 &amp; 3 &gt; 1?" in part
    assert "&lt;think&gt;" in part and "<think>" not in page
    assert "About 2 &amp; maybe &lt;b&gt;4&lt;/b&gt;." in part and "<b>4</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in part
    first = rollouts[1]  # gold 3: base answers 2 (formatted), GRPO-zero and final answer 3
    assert first[1].startswith("✗ wrong · ✓ format") and first[2].startswith("✓ correct · ✓ format")
    assert rollouts[2][1].startswith("✓ correct · ✗ format")  # the base's bare "2"


def test_pairs_show_chosen_rejected_and_the_corruption(full):
    _, _, page = full
    part = section(page, "Preference pairs")
    assert "<code>answer_to_plain</code>" in part and "corruption: <strong" in part
    assert "Replace <code>&lt;answer&gt;</code> with the plain text <code>Answer:</code>" in part
    assert "Counting: 1 blue square." in part and "Answer: 1" in part and "before the corruption" in part
    assert PAIR["question"] in part and 'src="data:image/png;base64,' in part
    assert "1 pair from 4 prompts; chosen from <code>grpo_zero</code>. Dropped prompts: no_correct_base 3." in part


def test_curves_come_from_the_metrics_jsonl_or_the_trainer_log(full):
    root, _, page = full
    rows, path = stage_log(root / "models", ("grpo_zero",))
    assert path.name == "grpo_zero.metrics.jsonl" and [r["step"] for r in rows] == [1, 2]  # torn line skipped
    rows, path = stage_log(root / "models", ("final",))
    assert path.name == "trainer_log.json" and plots.series(rows, "filter/dropped_share") == ([1, 2], [0.25, 0.5])
    assert "<code>models/final/trainer_log.json</code>" in section(page, "GRPO training")
    assert "<code>models/cold_start-gf/gf_curve.json</code>" in section(page, "Cold start")
    with_filter = Image.open(io.BytesIO(plots.grpo_figure({"final": rows})))
    without = Image.open(io.BytesIO(plots.grpo_figure({"final": [{k: v for k, v in r.items()
                                                                   if k != "filter/dropped_share"} for r in rows]})))
    assert with_filter.height > without.height  # the dropped-share row is drawn only when logged
    assert plots.grpo_figure({"x": [{"step": 1, "loss": 0.3}]}) is None and plots.dpo_figure([]) is None


def test_a_partial_run_folder_renders_what_it_has(tmp_path):
    root = partial_run(tmp_path / "partial")
    page = render_run_report(root).read_text()
    assert re.findall(r"<h2>(.+?)</h2>", page) == ["Stages", "Summary", "Rollouts"]
    assert summary_table(page) == {"base": ["33.3", "33.3", "33.3", "16.7"]}
    assert "the eval reports in <code>evals/</code>" in page and "<td>running</td>" in page
    assert_self_contained(page)


def test_a_data_folder_alone_is_a_page_with_its_title(tmp_path):
    from run_synthetic import data_folder

    page = render_run_report(data_folder(tmp_path / "fresh")).read_text()
    assert "<h1>SPECS run — synthetic</h1>" in page and "<h2>" not in page


def test_not_a_run_folder_is_one_line(tmp_path):
    with pytest.raises(ConfigError, match="no such directory"):
        render_run_report(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="not a run folder"):
        render_run_report(tmp_path / "empty")
    lines = []
    assert refresh_run_report(tmp_path / "missing", lines.append) is None
    assert len(lines) == 1 and lines[0].startswith("[report] not rendered: ConfigError")


def test_the_report_command(tmp_path):
    root = partial_run(tmp_path / "run")
    result = CliRunner().invoke(app, ["report", str(root)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"report: {root / 'report.html'}" and (root / "report.html").is_file()
    result = CliRunner().invoke(app, ["report", str(tmp_path / "nope")])
    assert result.exit_code == 2 and result.output.strip().splitlines() == [
        f"error: {tmp_path / 'nope'}: not a run folder (no such directory)"]


@pytest.mark.slow
def test_a_real_toy_fast_run_renders_every_section(toy_fast_run):
    out, _ = toy_fast_run
    page = (out / "report.html").read_text()  # written by specs run itself, after its last stage
    assert re.findall(r"<h2>(.+?)</h2>", page) == list(SECTIONS)
    assert list(summary_table(page)) == ["base", "GRPO-zero", "cold start", "final"]
    assert page.count("<figure>") == 2  # GRPO (both stages) and DPO; toy-fast tracks no GF
    (rollouts,) = [t for t in tables(section(page, "Rollouts")) if t[0][0] == "prompt"]
    assert rollouts[0] == ["prompt", "base", "GRPO-zero", "cold start", "final"] and len(rollouts) == 1 + 4
    assert section(page, "Rollouts").count('<img class="prompt" alt="id-test-') == 4
    pairs = section(page, "Preference pairs")
    assert "corruption: <strong" in pairs and pairs.count('<img class="prompt"') >= 1
    assert_self_contained(page)
