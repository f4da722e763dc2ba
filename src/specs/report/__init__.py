"""Reports as self-contained HTML pages.

:mod:`~specs.report.html` (blocks → Markdown / HTML, data URIs) and :mod:`~specs.report.plots` (matplotlib
helpers) serve both the study's report and the run report; :mod:`~specs.report.run_report`
(``render_run_report``) reads one run folder through :mod:`~specs.report.run_folder` and shows its rollouts and
pairs with :mod:`~specs.report.samples`; :mod:`~specs.report.cli` is ``specs report RUN_DIR``.
"""
