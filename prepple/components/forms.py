"""Accessible form pieces: every input has a label, and its error text is tied to it.

Components take plain arguments (and Vars) so the gallery can render them with sample data.
"""

from __future__ import annotations

import reflex as rx

from prepple.components.theme import SELECT_STYLE, SPACE, STATUS, TEXT


def field_error(field_id: str, message) -> rx.Component:
    """The error line under an input (announced by screen readers)."""
    return rx.cond(
        message,
        rx.text(
            message,
            id=f"{field_id}-error",
            color=rx.color(STATUS["error"], 11),
            size=TEXT["small"],
            role="alert",
        ),
    )


def labelled(label: str, control: rx.Component, for_: str, *, wide: bool = False) -> rx.Component:
    """A label above any control (a select, a date or time input) whose id is ``for_``.

    ``wide``: the control fills the column (text inputs and text areas, whose own width is a
    few words: an e-mail address wrapped mid-word and a title was cut off)."""
    return rx.vstack(
        rx.el.label(label, html_for=for_, style={"font_weight": "600"}),
        control,
        spacing="1",
        width="100%",
        align="stretch" if wide else "start",
    )


def form_field(
    label: str,
    name: str,
    *,
    type: str = "text",  # noqa: A002 - mirrors the HTML attribute
    errors=None,
    hint: str = "",
    autocomplete: str = "off",
    required: bool = True,
    max_length: int = 300,
    placeholder: str = "",
    auto_focus: bool = False,
) -> rx.Component:
    """A labelled input. ``errors`` is a dict Var of field -> message (or ``None``)."""
    field_id = f"field-{name}"
    message = errors[name].to(str) if errors is not None else ""
    hint_id = f"{field_id}-hint" if hint else ""
    # Point only at elements that exist: the error line appears only with an error.
    described = (
        rx.cond(message, f"{field_id}-error {hint_id}".strip(), hint_id)
        if errors is not None
        else hint_id
    )
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"font_weight": "500"}),
        rx.input(
            id=field_id,
            name=name,
            type=type,
            auto_complete=autocomplete,
            required=required,
            max_length=max_length,
            placeholder=placeholder,
            auto_focus=auto_focus,
            aria_describedby=described,
            aria_invalid=rx.cond(message, "true", "false") if errors is not None else "false",
            size="3",
            width="100%",
        ),
        rx.cond(
            hint != "",
            rx.text(
                hint, id=f"{field_id}-hint", size=TEXT["small"], color=rx.color(STATUS["muted"], 11)
            ),
        ),
        field_error(field_id, message) if errors is not None else rx.fragment(),
        spacing=SPACE["tight"],
        width="100%",
        align="stretch",
    )


def form_alert(message, *, kind: str = "error", id: str = "form-alert") -> rx.Component:  # noqa: A002
    """A message about the whole form (wrong password, link expired, e-mail sent)."""
    icon = {"error": "triangle-alert", "ok": "circle-check", "info": "info"}[kind]
    return rx.cond(
        message,
        rx.callout(
            message, icon=icon, color_scheme=STATUS[kind], id=id, role="alert", width="100%"
        ),
    )


def submit_button(label: str, *, id: str, danger: bool = False) -> rx.Component:  # noqa: A002
    """The form's submit button; it waits until the page has loaded, so an answer from the
    server can't be wiped by the page's own start-up."""
    return rx.button(
        label,
        type="submit",
        id=id,
        loading=~rx.State.is_hydrated,
        size="3",
        width="100%",
        color_scheme=STATUS["error"] if danger else None,
    )


def email_field(errors=None, *, auto_focus: bool = False) -> rx.Component:
    """The e-mail input every account form uses."""
    return form_field(
        "E-mail",
        "email",
        type="email",
        errors=errors,
        autocomplete="email",
        max_length=254,
        auto_focus=auto_focus,
    )


def password_field(
    label: str,
    name: str,
    errors=None,
    *,
    new: bool = False,
    auto_focus: bool = False,
    hint: str = "",
) -> rx.Component:
    """A password input; ``new=True`` lets password managers suggest a fresh one."""
    return form_field(
        label,
        name,
        type="password",
        errors=errors,
        max_length=256,
        auto_focus=auto_focus,
        autocomplete="new-password" if new else "current-password",
        hint=hint,
    )


def stacked_form(
    *children: rx.Component,
    on_submit,
    id: str,
    reset_on_submit: bool = False,  # noqa: A002
    max_width: str = "100%",
) -> rx.Component:
    """A form whose fields stack vertically; values arrive in ``on_submit`` as a dict."""
    return rx.form(
        rx.vstack(*children, spacing=SPACE["normal"], width="100%", max_width=max_width),
        on_submit=on_submit,
        reset_on_submit=reset_on_submit,
        id=id,
        width="100%",
    )


def row_with_actions(main: rx.Component, *actions: rx.Component, **props) -> rx.Component:
    """A list row: ``main`` (what the row is about) takes the room, ``actions`` (status badges,
    buttons, a select) sit on the right; where the row is too narrow for both, as on a phone,
    the actions wrap under it instead of squeezing ``main`` to a word a line."""
    return rx.flex(
        rx.box(main, flex="1 1 14em", min_width="0"),
        rx.hstack(*actions, spacing="2", align="center", margin_left="auto"),
        align="center",
        wrap="wrap",
        spacing="3",
        width="100%",
        **props,
    )


def filter_select(label: str, id_: str, value, on_change, *options: rx.Component) -> rx.Component:
    """One of a list's filters: a small label over a native select (keyboard and screen-reader
    friendly), styled alike on every page."""
    return rx.vstack(
        rx.el.label(
            label, html_for=id_, style={"font_size": "var(--font-size-1)", "font_weight": "500"}
        ),
        rx.el.select(*options, id=id_, value=value, on_change=on_change, style=SELECT_STYLE),
        spacing="1",
    )
