"""What meetings tell the layers above them, without importing them.

``content_changed`` fires (with the meeting as sender) after a write to what a live room
shows of the meeting itself: its title and welcome text, or its agenda. The live rooms
subscribe and bring every open screen up to date once the transaction commits.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()
content_changed = _signals.signal("meeting-content-changed")
