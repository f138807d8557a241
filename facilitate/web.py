"""Shared pieces of the server-rendered pages: how a refused write reaches the form."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, render_template
from flask_babel import LazyString, format_decimal, format_percent, get_timezone
from markupsafe import Markup

from facilitate import charts
from facilitate.db import rollback
from facilitate.errors import DomainError


def attach_error(form: Any, error: DomainError) -> None:
    """Show a domain refusal next to the input at fault, or above the form.

    ``error.field`` may be dotted: ``intro.fi`` is the form's ``intro_fi``, ``phase.prompt.fi``
    its ``prompt_fi``, and otherwise the first part names the field (``voting.dots``).
    """
    parts = (error.field or "").split(".")
    field = None
    for name in ("_".join(parts), "_".join(parts[1:]), parts[0]):
        field = getattr(form, name, None) if name else None
        if field is not None:
            break
    if field is not None and hasattr(field, "errors") and hasattr(field, "data"):
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


def refuse(template: str, form: Any, error: DomainError, **context: Any) -> tuple[str, int]:
    """Roll the request back and show the form again with the refusal, as 422."""
    rollback()
    attach_error(form, error)
    return render_template(template, form=form, **context), 422


def show_form(template: str, form: Any, **context: Any) -> str | tuple[str, int]:
    """The form page: fresh on GET, or again with its own validators' messages (422)."""
    if form.is_submitted():
        return invalid(template, form, **context)
    return render_template(template, form=form, **context)


def invalid(template: str, form: Any, **context: Any) -> tuple[str, int]:
    """A form that failed its own validators: show it again, as 422."""
    rollback()
    return render_template(template, form=form, **context), 422


def local_zone() -> ZoneInfo:
    return ZoneInfo(str(get_timezone()))


def to_local(value: dt.datetime | None) -> dt.datetime | None:
    """A stored UTC time as the wall-clock time the facilitator types and reads."""
    return None if value is None else value.astimezone(local_zone()).replace(tzinfo=None)


def from_local(value: dt.datetime | None) -> dt.datetime | None:
    """A wall-clock time from a form, in the configured zone (BABEL_DEFAULT_TIMEZONE)."""
    return None if value is None else value.replace(tzinfo=local_zone())


#: Each domain names its own statuses and roles from its views module (``register_labels``),
#: so this helper, shared by every domain's pages, imports none of them. Keyed by
#: (enum, value): members of different StrEnums with one value compare equal.
_LABELS: dict[tuple[type[enum.StrEnum], str], LazyString] = {}


def register_labels(*labels: tuple[enum.StrEnum, LazyString]) -> None:
    for member, label in labels:
        _LABELS[(type(member), member.value)] = label


def status_label(value: enum.StrEnum) -> str:
    """A status or role as people read it, in the current language."""
    return str(_LABELS.get((type(value), value.value), value.value))


def local_number(value: float | int) -> str:
    """A number as the reader's language writes it (3,4 in Swedish), to two decimals."""
    return str(format_decimal(value, format="#,##0.##"))


def local_percent(value: float) -> str:
    """A share in percent as the reader's language writes it (12 % in Swedish, 12% in
    English), whole percents from 10 up, one decimal below."""
    return str(format_percent(value / 100, format="#,##0%" if value >= 10 else "#,##0.#%"))


def chart_svg(chart: charts.Chart) -> Markup:
    """A chart's picture for the page, mirrored when the page runs right to left."""
    from facilitate.i18n import text_direction

    # charts.svg escapes every text it draws and writes only numbers and its own colours.
    return Markup(charts.svg(chart.drawing, rtl=text_direction() == "rtl"))  # noqa: S704


def legend_swatch(colour: str) -> Markup:
    """A legend's square; the colour is quoted as an attribute (``charts.legend_swatch``)."""
    return Markup(charts.legend_swatch(colour))  # noqa: S704


def init_app(app: Flask) -> None:
    app.jinja_env.globals["chart_svg"] = chart_svg
    app.jinja_env.filters["number"] = local_number
    app.jinja_env.filters["percent"] = local_percent
    app.jinja_env.globals["legend_swatch"] = legend_swatch
    app.jinja_env.globals["status_label"] = status_label
    app.jinja_env.globals["role_label"] = status_label
