"""Agenda templates a facilitator starts from, following SKR's steps for dialogues on
complex questions: perspectives, co-creation, proposals and commitments.

Texts are translated when a meeting is created, in the creating facilitator's
language (each prompt also in the other languages, for residents who read those),
and then belong to the meeting: editing the template later changes no
existing agenda.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from .models import PhaseKind


@dataclass(frozen=True)
class Step:
    kind: PhaseKind
    title: LazyString
    prompt: LazyString
    minutes: int


@dataclass(frozen=True)
class AgendaTemplate:
    key: str
    name: LazyString
    steps: tuple[Step, ...]

    @property
    def minutes(self) -> int:
        return sum(step.minutes for step in self.steps)


WELCOME = Step(
    PhaseKind.welcome,
    _l("Welcome and check-in"),
    _l("Who are you, and what brings you here today?"),
    10,
)

TEMPLATES: dict[str, AgendaTemplate] = {
    t.key: t
    for t in (
        AgendaTemplate(
            "in_depth_90",
            _l("In-depth dialogue, 90 min"),
            (
                WELCOME,
                Step(
                    PhaseKind.share,
                    _l("Share experiences"),
                    _l("What have you experienced yourself around this theme?"),
                    20,
                ),
                Step(
                    PhaseKind.explore,
                    _l("Explore causes"),
                    _l("Why do you think it is like this? What lies behind it?"),
                    20,
                ),
                Step(
                    PhaseKind.propose,
                    _l("Proposals"),
                    _l("What could be done, and by whom?"),
                    20,
                ),
                Step(
                    PhaseKind.prioritise,
                    _l("Prioritise by vote"),
                    _l("Which proposals matter most to you?"),
                    10,
                ),
                Step(
                    PhaseKind.close,
                    _l("Close and next steps"),
                    _l("What happens next, and what do you take with you?"),
                    10,
                ),
            ),
        ),
        AgendaTemplate(
            "check_in_45",
            _l("Short check-in, 45 min"),
            (
                Step(WELCOME.kind, WELCOME.title, WELCOME.prompt, 5),
                Step(
                    PhaseKind.share,
                    _l("How is it going?"),
                    _l("What has changed since we last met?"),
                    15,
                ),
                Step(
                    PhaseKind.propose,
                    _l("Ideas"),
                    _l("What should we do next?"),
                    15,
                ),
                Step(
                    PhaseKind.close,
                    _l("Close and next steps"),
                    _l("What happens next, and what do you take with you?"),
                    10,
                ),
            ),
        ),
        AgendaTemplate(
            "world_cafe_3",
            _l("World café, 3 rounds"),
            (
                WELCOME,
                Step(
                    PhaseKind.share,
                    _l("Round 1: perspectives"),
                    _l("How do you see this theme from where you live or work?"),
                    20,
                ),
                Step(
                    PhaseKind.explore,
                    _l("Round 2: co-creation"),
                    _l("Building on the first round: what could change things?"),
                    20,
                ),
                Step(
                    PhaseKind.propose,
                    _l("Round 3: proposals"),
                    _l("Which concrete proposals do we bring to everyone?"),
                    20,
                ),
                Step(
                    PhaseKind.prioritise,
                    _l("Prioritise by vote"),
                    _l("Which proposals matter most to you?"),
                    10,
                ),
                Step(
                    PhaseKind.close,
                    _l("Commitments"),
                    _l("What will you do, and who takes which proposal further?"),
                    10,
                ),
            ),
        ),
        AgendaTemplate(
            "common_ground_90",
            _l("Common ground, 90 min"),
            (
                WELCOME,
                Step(
                    PhaseKind.share,
                    _l("Share experiences"),
                    _l("What have you experienced yourself around this theme?"),
                    15,
                ),
                Step(
                    PhaseKind.perspectives,
                    _l("Where do we stand?"),
                    _l(
                        "Agree, disagree or pass on each statement. Add your own if one is missing."
                    ),
                    20,
                ),
                Step(
                    PhaseKind.explore,
                    _l("What we have in common"),
                    _l("What do the statements most of us agree with tell us?"),
                    15,
                ),
                Step(
                    PhaseKind.propose,
                    _l("Proposals"),
                    _l("What could be done, and by whom?"),
                    20,
                ),
                Step(
                    PhaseKind.close,
                    _l("Close and next steps"),
                    _l("What happens next, and what do you take with you?"),
                    10,
                ),
            ),
        ),
    )
}

DEFAULT_TEMPLATE = "in_depth_90"
