"""Texts from data (BPMN names, form labels written by a process designer) are escaped in templates.

``_(variable)`` in a Jinja template returns Markup (Flask-Babel's newstyle gettext), so a designer's
``<script>`` in a task name would reach the page unescaped; ``variable|tr`` translates and stays plain text.
"""

import re
from pathlib import Path

from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parents[1] / "portal" / "templates"
#: ``_(`` followed by a name, not a string literal: a translation of data.
DATA_GETTEXT = re.compile(r"\b_\(\s*(?!['\"])([A-Za-z_][\w.]*)\s*\)")
#: Labels the portal's own code defines (lazy strings), never data.
CODE_LABELS = {"case.stage_label", "item.stage_label", "row.case.stage_label"}


def test_no_template_translates_data_with_underscore():
    found = [f"{path.relative_to(TEMPLATES)}: _({name})"
             for path in sorted(TEMPLATES.rglob("*.*")) if path.suffix in (".html", ".txt")
             for name in DATA_GETTEXT.findall(path.read_text(encoding="utf-8")) if name not in CODE_LABELS]
    assert found == [], "use `value|tr` for texts from data:\n" + "\n".join(found)


def test_the_tr_filter_escapes_what_underscore_would_not(app):
    with app.test_request_context():
        env = app.jinja_env
        title = "<script>alert(1)</script>"
        assert "<script>" in env.from_string("{{ _(t) }}").render(t=title)
        rendered = env.from_string("{{ t|tr }}").render(t=title)
        assert "<script>" not in rendered and "&lt;script&gt;" in rendered
        assert not isinstance(env.filters["tr"](title), Markup)
