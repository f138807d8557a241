"""How counts read in reports, pages and PDFs."""

from __future__ import annotations

from flask_babel import gettext as _


def tally_label(key: str) -> str:
    """A tally key as people read it: yes, agree, dots…; consent levels by number."""
    labels = {
        "yes": _("Yes"),
        "no": _("No"),
        "agree": _("Agree"),
        "disagree": _("Disagree"),
        "pass": _("Pass"),
        "dots": _("Dots"),
        "voters": _("Voters"),
        "blocks": _("Blocks"),
    }
    if key.isdigit():
        return str(_("Level %(num)s", num=key))
    return str(labels.get(key, key))
