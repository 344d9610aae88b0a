"""The Reflex app: theme, pages, error page. Page modules register themselves with @rx.page."""

import reflex as rx

from prepple.components.theme import GLOBAL_STYLE
from prepple.pages import account, admin, auth, errors, gallery, home, questions  # noqa: F401

app = rx.App(
    style=GLOBAL_STYLE,
    stylesheets=["/prepple.css"],
    head_components=[
        rx.el.meta(name="description", content="Prepare for behavioral interviews with Prepple.")
    ],
)
app.add_page(errors.not_found_page, route="404", title="Page not found - Prepple")
