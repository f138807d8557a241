"""A meeting's welcome text and its steps' questions in several languages, as residents
read them."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from facilitate.auth.models import User
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.meetings import operations as ops
from facilitate.meetings.models import Meeting, MeetingStatus, Phase

from .test_views import VALID

FORM = {
    **VALID,
    "starts_at": "",
    "template": "check_in_45",
    "intro": "Välkommen! Vi pratar om trygghet i kväll.",
    "intro_fi": "Tervetuloa! Puhumme tänään turvallisuudesta.",
    "intro_ar": "مرحبا! نتحدث الليلة عن الشعور بالأمان.",
    "intro_so": "",
    "intro_en": "",
}


def only_meeting(app: Flask) -> Meeting:
    with app.app_context():
        meeting = session().scalars(sa.select(Meeting)).one()
        _ = meeting.phases
        session().expunge_all()
        return meeting


def open_it(app: Flask, meeting_id: int) -> None:
    with app.app_context():
        stored = session().get(Meeting, meeting_id)
        assert stored is not None
        stored.status = MeetingStatus.open
        session().commit()


def new_meeting(app: Flask, client: FlaskClient, theme_id: int) -> tuple[Meeting, Phase]:
    """A meeting made on the form from ``FORM``, and its first step."""
    client.post(f"/themes/{theme_id}/meetings/new", data=FORM)
    meeting = only_meeting(app)
    return meeting, meeting.phases[0]


def test_meeting_intro_in_languages_saved_and_shown_on_join(
    app: Flask, client: FlaskClient, facilitator: User, theme_id: int
) -> None:
    assert client.post(f"/themes/{theme_id}/meetings/new", data=FORM).status_code == 302
    meeting = only_meeting(app)
    open_it(app, meeting.id)
    assert meeting.intro == FORM["intro"]
    # Empty ones are dropped: Somali and English readers get the original.
    assert meeting.intro_translations == {"fi": FORM["intro_fi"], "ar": FORM["intro_ar"]}
    reader = app.test_client()
    for lang, expected in [
        ("fi", FORM["intro_fi"]),
        ("ar", FORM["intro_ar"]),
        ("so", FORM["intro"]),
        ("sv", FORM["intro"]),
    ]:
        reader.set_cookie("lang", lang)
        page = reader.get(f"/j/{meeting.join_code}").get_data(as_text=True)
        assert f'<p class="intro" dir="auto">{expected}</p>' in page, lang
    detail = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'lang="fi">Suomi</span>' in detail


def test_meeting_edit_form_keeps_and_changes_intro_translations(
    app: Flask, client: FlaskClient, facilitator: User, theme_id: int
) -> None:
    client.post(f"/themes/{theme_id}/meetings/new", data=FORM)
    meeting = only_meeting(app)
    form = client.get(f"/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert FORM["intro_ar"] in form
    assert '<details class="translations" open>' in form  # open because some are filled
    edit = {k: v for k, v in FORM.items() if k.startswith(("title", "starts", "place", "intro"))}
    response = client.post(
        f"/meetings/{meeting.id}/edit", data={**edit, "intro_fi": "", "intro_so": "Soo dhawow!"}
    )
    assert response.status_code == 302
    assert only_meeting(app).intro_translations == {"ar": FORM["intro_ar"], "so": "Soo dhawow!"}


def test_meeting_intro_translation_too_long_refused(
    app: Flask, client: FlaskClient, facilitator: User, theme_id: int
) -> None:
    response = client.post(
        f"/themes/{theme_id}/meetings/new", data={**FORM, "intro_so": "x" * 1001}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="intro_so-error">At most 1000 characters.' in page
    with app.app_context():
        assert session().scalars(sa.select(Meeting)).all() == []


def test_phase_title_and_prompt_translations_shown_on_phone_in_each_language(
    app: Flask, client: FlaskClient, facilitator: User, theme_id: int
) -> None:
    meeting, first = new_meeting(app, client, theme_id)
    response = client.post(
        f"/meetings/{meeting.id}/phases/{first.id}/edit",
        data={
            "title": "Incheckning",
            "prompt": "Hur mår du i kväll?",
            "minutes": "10",
            "kind": "welcome",
            "prompt_fi": "Miten voit tänä iltana?",
            "prompt_ar": "كيف حالك هذا المساء؟",
            "prompt_so": "",
            "prompt_en": "",
            "title_fi": "Kuulumiset",
            "title_ar": "تسجيل الوصول",
            "title_so": "",
            "title_en": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        phase = session().get(Phase, first.id)
        assert phase is not None
        assert phase.prompt_translations == {
            "fi": "Miten voit tänä iltana?",
            "ar": "كيف حالك هذا المساء؟",
        }
        assert phase.title_translations == {"fi": "Kuulumiset", "ar": "تسجيل الوصول"}
        stored = session().get(Meeting, meeting.id)
        assert stored is not None
        stored.status = MeetingStatus.open
        stored.current_phase = 0
        session().commit()
    for lang, title, expected in [
        ("fi", "Kuulumiset", "Miten voit tänä iltana?"),
        ("ar", "تسجيل الوصول", "كيف حالك هذا المساء؟"),
        ("so", "Incheckning", "Hur mår du i kväll?"),
    ]:
        phone = app.test_client()
        phone.set_cookie("lang", lang)
        url = phone.post(f"/j/{meeting.join_code}", data={}).headers["Location"]
        page = phone.get(url).get_data(as_text=True)
        assert f'<h2 dir="auto">{title}</h2>' in page, lang
        assert f'<p class="prompt" dir="auto">{expected}</p>' in page, lang
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page


@pytest.mark.parametrize("screen", ["sv", "en", "ar"])
def test_meeting_from_template_has_prompts_in_every_language(
    app: Flask, theme_id: int, screen: str
) -> None:
    # Whatever the facilitator's screen is in, the steps are in Swedish, the dialogue's own.
    with app.test_request_context(headers={"Accept-Language": screen}):
        meeting = ops.create_meeting(dialogue_ops.get_theme(theme_id), "Kväll")
        assert meeting.phases[0].title == "Välkomna och incheckning"
        assert meeting.phases[0].prompt_translations["en"] == (
            "Who are you, and what brings you here today?"
        )
        for phase in meeting.phases:
            assert set(phase.prompt_translations) == {"en", "fi", "ar", "so"}, phase.title
            assert phase.prompt not in phase.prompt_translations.values()


def test_phase_edit_form_shows_the_templates_title_translations(
    app: Flask, client: FlaskClient, facilitator: User, theme_id: int
) -> None:
    meeting, first = new_meeting(app, client, theme_id)
    form = client.get(f"/meetings/{meeting.id}/phases/{first.id}/edit").get_data(as_text=True)
    assert first.title_translations["ar"] in form
    assert re.search(r'<input[^>]* id="title_ar"[^>]* lang="ar"', form)
    assert re.search(r'<input[^>]* id="title_ar"[^>]* maxlength="200"', form)


def test_phase_title_translation_with_control_character_refused(
    app: Flask, client: FlaskClient, facilitator: User, theme_id: int
) -> None:
    meeting, first = new_meeting(app, client, theme_id)
    response = client.post(
        f"/meetings/{meeting.id}/phases/{first.id}/edit",
        data={"title": "Start", "minutes": "10", "kind": "welcome", "title_so": "a\x07b"},
    )
    assert response.status_code == 422
    assert 'id="title_so-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize("screen", ["sv", "ar"])
def test_meeting_from_template_has_titles_in_every_language(
    app: Flask, theme_id: int, screen: str
) -> None:
    with app.test_request_context(headers={"Accept-Language": screen}):
        meeting = ops.create_meeting(dialogue_ops.get_theme(theme_id), "Kväll")
        assert meeting.phases[0].title_translations["en"] == "Welcome and check-in"
        for phase in meeting.phases:
            assert set(phase.title_translations) == {"en", "fi", "ar", "so"}, phase.title
            assert phase.title not in phase.title_translations.values()
