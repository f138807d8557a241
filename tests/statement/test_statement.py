"""The accessibility statement: public in every language, linked from every page's footer
but the projector's, and kept true by an admin through one checked operation."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from facilitate.auth.models import Role, User
from facilitate.db import session
from facilitate.errors import ValidationError
from facilitate.languages import LANGUAGES
from facilitate.site import operations
from facilitate.site.models import AccessibilityStatement, Compliance

CATALOGS = Path(__file__).resolve().parents[2] / "facilitate" / "translations"
DIGG = "Myndigheten för digital förvaltning"
COMPLAINTS = "https://www.digg.se/tdosanmalan"
FOOTER = re.compile(r'<footer class="site-footer">.*?</footer>', re.DOTALL)
#: Our introduction, which a municipality may replace per language.
OUR_INTRO = (
    "This statement covers Facilitate, the service %(organisation)s uses for citizen dialogues: "
    "joining a meeting and taking part from a phone, the projector in the room, and the pages "
    "staff use to plan meetings and report back."
)
GOOD: dict[str, Any] = {
    "organisation": "Exempelby kommun",
    "email": "tillganglighet@exempelby.se",
    "phone": "08-123 456 78",
    "status": "partially_compliant",
    "shortcomings": "Kartan saknar textalternativ\n\n  Filmerna saknar undertexter  ",
    "made_on": "2026-09-01",
    "reviewed_on": "2026-11-20",
}


def translated(language: str, message: str) -> str:
    path = CATALOGS / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    found = catalog.get(message)
    assert found is not None, (language, message)
    assert found.string, (language, message)
    return str(found.string)


def ours(message: str, language: str) -> str:
    """The words of one of our texts before its first placeholder, in ``language``."""
    return translated(language, message).split("%(")[0]


def page(client: FlaskClient, path: str, language: str | None = None) -> str:
    if language is not None:
        client.set_cookie("lang", language)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def stored(app: Flask) -> AccessibilityStatement | None:
    with app.app_context():
        statement = operations.get_statement()
        if statement is not None:
            session().expunge(statement)
        return statement


@pytest.fixture
def admin(make_user: Callable[..., User], login: Callable[[User], None]) -> User:
    user = make_user(Role.admin)
    login(user)
    return user


# -- the public page -----------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_statement_is_public_in_every_language(client: FlaskClient, language: str) -> None:
    html = page(client, "/accessibility", language)
    assert f'<html lang="{language}"' in html
    assert f"<h1>{translated(language, 'Accessibility statement')}</h1>" in html
    assert ours(OUR_INTRO, language) in html
    for message in (
        "Compliance status",
        "Known shortcomings",
        "Report a problem or ask for accessible content",
        "Enforcement",
        "How we assessed the service",
        "The spreadsheet downloads have not been checked for accessibility.",
        "The municipality has not yet reviewed this statement; until it does, the page shows "
        "the text written by the makers of Facilitate.",
    ):
        assert translated(language, message) in html, message
    # The enforcement body by its own name, marked as Swedish, and its complaint route.
    assert f'<span lang="sv">{DIGG}</span> (Digg)' in html
    assert f'href="{COMPLAINTS}"' in html
    assert "axe-core" in html
    assert "Edit the accessibility statement" not in html  # nothing for the public to edit


def test_statement_loads_nothing_from_another_host(client: FlaskClient) -> None:
    html = page(client, "/accessibility")
    fetched = re.findall(r'<(?:link|script|img|source)\b[^>]*\b(?:href|src)="([^"]+)"', html)
    assert fetched
    assert all(url.startswith(("/", "data:")) for url in fetched)


# -- the footer ------------------------------------------------------------------------------


def footer_links(html: str) -> list[str]:
    found = FOOTER.search(html)
    return re.findall(r'href="([^"]+)"', found.group(0)) if found else []


def test_footer_links_the_statement_on_every_kind_of_page(
    app: Flask,
    client: FlaskClient,
    demo_join_path: str,
    make_user: Callable[..., User],
    login: Callable[[User], None],
) -> None:
    public = {"login": "/login", "start": "/join", "join": demo_join_path, "privacy": "/privacy"}
    shown = {name: footer_links(page(client, path)) for name, path in public.items()}
    joined = client.post(demo_join_path, data={})
    assert joined.status_code == 302
    shown["phone"] = footer_links(page(client, joined.headers["Location"]))
    login(make_user(Role.facilitator))
    for name, path in {"dashboard": "/", "report": "/meetings/1/report"}.items():
        shown[name] = footer_links(page(client, path))
    assert shown == {name: ["/accessibility", "/privacy"] for name in shown}


def test_projector_has_no_footer(
    client: FlaskClient, demo: None, make_user: Callable[..., User], login: Callable[..., None]
) -> None:
    login(make_user(Role.facilitator))
    html = page(client, "/meetings/1/screen")
    assert "site-footer" not in html
    assert "/accessibility" not in html


def test_admins_find_the_edit_page_in_the_navigation(
    client: FlaskClient, make_user: Callable[..., User], login: Callable[..., None]
) -> None:
    login(make_user(Role.facilitator))
    assert "/admin/accessibility" not in page(client, "/")
    client.post("/logout")
    login(make_user(Role.admin))
    nav = page(client, "/").split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/admin/users"' in nav
    assert 'href="/admin/accessibility"' in nav
    assert 'href="/admin/accessibility"' in page(client, "/accessibility")


# -- editing -----------------------------------------------------------------------------------


def test_admin_edits_the_statement(app: Flask, client: FlaskClient, admin: User) -> None:
    form = page(client, "/admin/accessibility")
    # A first edit starts from our default shortcomings, dated today.
    assert "The spreadsheet downloads have not been checked for accessibility." in form
    response = client.post("/admin/accessibility", data=GOOD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/accessibility"
    saved = stored(app)
    assert saved is not None
    assert saved.organisation == "Exempelby kommun"
    assert saved.status is Compliance.partially_compliant
    assert saved.shortcomings == "Kartan saknar textalternativ\nFilmerna saknar undertexter"
    assert (saved.made_on, saved.reviewed_on) == (dt.date(2026, 9, 1), dt.date(2026, 11, 20))
    assert repr(saved).startswith("<AccessibilityStatement 'Exempelby kommun'")

    assert "The accessibility statement was saved." in page(client, "/accessibility")
    html = page(client, "/accessibility", "sv")
    assert "<bdi>Exempelby kommun</bdi>" in html
    assert 'href="mailto:tillganglighet@exempelby.se"' in html
    assert 'href="tel:08-12345678"' in html
    assert "<li><bdi>Kartan saknar textalternativ</bdi></li>" in html
    assert "Kalkylbladen" not in html  # the municipality's list replaces ours
    assert "1 september 2026" in html
    assert "20 november 2026" in html
    english = page(client, "/accessibility", "en")
    # Staff write Swedish: on an English page their lines say so, for screen readers.
    assert '<li><bdi lang="sv">Filmerna saknar undertexter</bdi></li>' in english
    assert "This statement was made on September 1, 2026" in english


def test_a_compliant_service_states_so(app: Flask, client: FlaskClient, admin: User) -> None:
    data = {**GOOD, "status": "compliant", "shortcomings": ""}
    assert client.post("/admin/accessibility", data=data).status_code == 302
    html = page(client, "/accessibility")
    assert "The service is fully compliant with the law (2018:1937)" in html
    assert "We know of no shortcomings." in html


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "not an address"}, "email", "Enter a valid e-mail address."),
        ({"organisation": "x" * 201}, "organisation", "At most 200 characters."),
        ({"organisation": "  "}, "organisation", "Enter the name of the organisation."),
        ({"phone": "call us"}, "phone", "Enter a phone number with digits only"),
        ({"email": "", "phone": ""}, "email", "Give an e-mail address or a phone number"),
        ({"status": "mostly"}, "status", "Not a valid choice."),
        ({"shortcomings": "x" * 5001}, "shortcomings", "At most 5000 characters."),
        ({"shortcomings": " \n "}, "shortcomings", "List the known shortcomings"),
        ({"status": "compliant"}, "shortcomings", "A fully compliant service has no known"),
        ({"reviewed_on": "2026-08-31"}, "reviewed_on", "cannot be reviewed before it was made"),
        ({"made_on": "2999-01-01"}, "made_on", "The date cannot be in the future."),
        ({"intro_ar": "ن" * 5001}, "intro_ar", "At most 5000 characters."),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_changes_nothing(
    app: Flask,
    client: FlaskClient,
    admin: User,
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    assert client.post("/admin/accessibility", data=GOOD).status_code == 302
    before = stored(app)
    response = client.post("/admin/accessibility", data={**GOOD, "intro_en": "New", **change})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert error is not None, html
    assert message in error.group(1)
    assert f'aria-describedby="{field}-error"' in html
    after = stored(app)
    assert after is not None
    assert before is not None
    assert (after.organisation, after.email, after.phone, after.intros, after.updated_at) == (
        before.organisation,
        before.email,
        before.phone,
        before.intros,
        before.updated_at,
    )


def test_a_refused_first_edit_writes_no_row(app: Flask, client: FlaskClient, admin: User) -> None:
    response = client.post("/admin/accessibility", data={**GOOD, "email": "nope"})
    assert response.status_code == 422
    with app.app_context():
        assert session().scalar(sa.select(sa.func.count(AccessibilityStatement.id))) == 0
    html = page(client, "/accessibility")
    assert "The municipality has not yet reviewed this statement" in html


def test_only_admins_may_edit(
    app: Flask, client: FlaskClient, make_user: Callable[..., User], login: Callable[..., None]
) -> None:
    anonymous = client.post("/admin/accessibility", data=GOOD)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/login")
    for role in (Role.observer, Role.facilitator):
        login(make_user(role))
        assert client.get("/admin/accessibility").status_code == 403
        assert client.post("/admin/accessibility", data=GOOD).status_code == 403
        client.post("/logout")
    assert stored(app) is None


def test_own_text_replaces_ours_for_its_language_only(
    app: Flask, client: FlaskClient, admin: User
) -> None:
    own = "هذه الخدمة تديرها بلدية إكسمبلبي.\nاتصلوا بنا في أي وقت."
    assert client.post("/admin/accessibility", data={**GOOD, "intro_ar": own}).status_code == 302
    assert stored(app).intros == {"ar": own}  # type: ignore[union-attr]
    arabic = page(client, "/accessibility", "ar")
    assert f'<div class="custom-intro" dir="auto">{own}</div>' in arabic
    assert ours(OUR_INTRO, "ar") not in arabic
    for language in ("sv", "en", "fi", "so"):
        html = page(client, "/accessibility", language)
        assert own not in html, language
        assert "custom-intro" not in html, language
        assert ours(OUR_INTRO, language) in html, language
    # Emptying it brings ours back.
    assert client.post("/admin/accessibility", data={**GOOD, "intro_ar": ""}).status_code == 302
    assert "custom-intro" not in page(client, "/accessibility", "ar")


def test_the_operation_checks_everything_before_it_writes(app: Flask) -> None:
    with app.test_request_context():
        with pytest.raises(ValidationError) as refused:
            operations.update_statement(
                organisation="Exempelby kommun",
                email="a@b.se",
                phone="",
                status=Compliance.partially_compliant,
                shortcomings="Kartan",
                made_on=dt.date(2026, 1, 1),
                reviewed_on=dt.date(2026, 1, 2),
                intros={"de": "Guten Tag"},
            )
        assert refused.value.field == "intro.de"
        assert operations.get_statement() is None
        saved = operations.update_statement(
            organisation="  Exempelby kommun ",
            email="Tillganglighet@Exempelby.se",
            phone="+46  8 123 45 67",
            status="not_compliant",
            shortcomings="Kartan\r\nFilmerna",
            made_on=dt.date(2026, 1, 1),
            reviewed_on=dt.date(2026, 1, 1),
            intros={"sv": "  ", "fi": "Tervetuloa"},
        )
        assert (saved.organisation, saved.email, saved.phone) == (
            "Exempelby kommun",
            "tillganglighet@exempelby.se",
            "+46 8 123 45 67",
        )
        assert saved.shortcoming_lines() == ["Kartan", "Filmerna"]
        assert saved.intros == {"fi": "Tervetuloa"}
