"""Fill the English catalog from the message ids, which are English already.

Run by `make messages`. An explicit English catalog keeps English "complete" in the
same sense as Swedish: every message has a translation, and a test can check both.
Entries someone has already worded differently are kept.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PATH = Path(__file__).resolve().parent.parent / "facilitate/translations/en/LC_MESSAGES/messages.po"


def main() -> int:
    with PATH.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = (message.id[0], message.id[1])
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with PATH.open("wb") as handle:
        # As wide as `pybabel update` writes every catalog (76), so the two agree and
        # `make messages` leaves the file as they both write it.
        write_po(handle, catalog, width=76, sort_output=True)
    print(f"English catalog: {filled} messages filled from their ids.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
