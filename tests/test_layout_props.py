"""Layout props that Reflex passes through as raw CSS.

On Radix layout components (``rx.flex``, ``rx.hstack``, ``rx.grid``...) the space between
children is the ``spacing`` prop ("1" to "9", the theme's scale). ``gap="3"`` is not a prop: it
becomes the CSS declaration ``gap: 3``, which browsers drop, so the children touch (the question
filters sat edge to edge). A length (``gap="0.5em"``) is real CSS and fine."""

from __future__ import annotations

import ast
from pathlib import Path

import reflex as rx

ROOT = Path(__file__).resolve().parent.parent / "prepple"


def _bare_scale_gaps(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if (
                    kw.arg in ("gap", "row_gap", "column_gap")
                    and isinstance(kw.value, ast.Constant)
                    and isinstance(kw.value.value, str | int)
                    and str(kw.value.value).isdigit()
                ):
                    lines.append(kw.value.lineno)
    return lines


def test_a_bare_number_gap_is_dropped_css_and_spacing_is_the_prop():
    # Why the rule exists: what Reflex renders for each.
    assert '["gap"] : "3"' in str(rx.flex(rx.text("a"), gap="3"))
    assert 'gap:"3"' in str(rx.flex(rx.text("a"), spacing="3"))


def test_no_component_uses_a_theme_step_as_a_css_gap():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        for line in _bare_scale_gaps(ast.parse(path.read_text(), filename=str(path))):
            found.append(f"{path.relative_to(ROOT.parent)}:{line}")
    assert not found, "use spacing= (a theme step) instead of gap= here:\n" + "\n".join(found)
