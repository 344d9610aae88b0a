"""Design tokens: the one file a designer edits to restyle Prepple.

Colors, radii and scaling go to Radix Themes (``rx.theme``); spacing and the type scale are
named here and used by every shared component, so changing a token changes it everywhere.
Light and dark mode both come from the Radix palettes (``appearance="inherit"`` follows the
user's system setting and the toggle in the nav bar).
"""

import reflex as rx

ACCENT = "iris"  # Radix color scale for buttons, links, focus rings
GRAY = "slate"  # Radix gray scale paired with the accent
RADIUS = "large"  # none | small | medium | large | full
SCALING = "100%"  # 90% .. 110%: overall density

#: Spacing steps (Radix space scale 1-9) by purpose.
SPACE = {"tight": "2", "normal": "4", "section": "6", "page": "8"}

#: Type scale (Radix font sizes 1-9) by purpose.
TEXT = {"small": "2", "body": "3", "lead": "4", "title": "6", "hero": "8"}

#: Widths of the main column on a laptop; on a phone it is the full width.
CONTENT_WIDTH = "960px"
NARROW_WIDTH = "440px"

#: Semantic colors for feedback and status, as Radix color scales.
STATUS = {"ok": "grass", "warn": "amber", "error": "tomato", "info": "blue", "muted": "gray"}

#: Difficulty badges on questions.
DIFFICULTY_COLOR = {"easy": "grass", "medium": "amber", "hard": "tomato"}


def app_theme() -> rx.Component:
    """The Radix theme Prepple renders inside."""
    return rx.theme(
        accent_color=ACCENT,
        gray_color=GRAY,
        radius=RADIUS,
        scaling=SCALING,
        appearance="inherit",
        has_background=True,
        panel_background="solid",
    )


#: Global styles: readable line length, visible focus for keyboard users.
GLOBAL_STYLE = {
    "font_family": "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    ":focus-visible": {"outline": f"2px solid var(--{ACCENT}-9)", "outline_offset": "2px"},
    "a": {"text_underline_offset": "3px"},
}

#: Native <select> elements, styled to sit with Radix inputs.
SELECT_STYLE = {
    "padding": "0.45em 0.6em",
    "border_radius": "var(--radius-3)",
    "border": f"1px solid {rx.color('gray', 7)}",
    "background": rx.color("gray", 1),
    "color": rx.color("gray", 12),
    "min_width": "10em",
    "font_size": "var(--font-size-2)",
}
