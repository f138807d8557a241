"""Demo data: the safety dialogue of the case we build for, ready to click through.

Everything goes through the operations, so the demo is held to the same rules as
real input. Loading flushes and never commits; the caller commits once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import force_locale

from .auth import operations as auth_ops
from .auth.models import Role, User
from .db import session
from .dialogues import operations as dialogue_ops
from .dialogues.models import Dialogue, ThemeStatus
from .errors import Conflict
from .intake import operations as intake_ops
from .meetings import operations as meeting_ops

STOCKHOLM = ZoneInfo("Europe/Stockholm")

FACILITATOR_EMAIL = "demo@facilitate.local"
ADMIN_EMAIL = "admin@facilitate.local"
# Fixed so that `make run` can show it again on every start; it exists only in
# demo databases, which `demo` refuses to load into a database that has users.
DEMO_PASSWORD = "trygghet-2021"  # noqa: S105

TITLE = "Trygghet i stadsdelarna"
DESCRIPTION = (
    "Eskilstuna kommun för tillsammans med SKR en medborgardialog om trygghet. "
    "Efter ett par hundra samtal – på gatan, utanför butiker, vid dörrar och i "
    "digitala möten – har dialogteamet sammanfattat materialet i åtta temaområden. "
    "De fördjupade dialogerna börjar med tema 7 och 8, tillsammans med boende och "
    "personer som arbetar i området. Målet är förslag på åtgärder och initiativ före "
    "sommaren; övriga teman fortsätter i höst."
)
PERIOD_START = dt.date(2020, 5, 1)
PERIOD_END = dt.date(2021, 6, 30)
#: The Friday before Midsummer's Eve 2021.
ACTION_DEADLINE = dt.date(2021, 6, 18)

AREAS = (
    "Fröslunda",
    "Lagersberg",
    "Råbergstorp",
    "Myrtorp",
    "Västermalm",
    "Brunnsbacken",
    "Hovängen",
)

#: (title, description, status), in the order the dialogue team numbered them.
THEMES: tuple[tuple[str, str, ThemeStatus], ...] = (
    (
        "Arbete minskar risken för kriminalitet",
        "Ett jobb ger sammanhang och framtidstro. Många unga ser få vägar in på "
        "arbetsmarknaden, och då blir andra vägar lockande.",
        ThemeStatus.planned,
    ),
    (
        "Arbete ger egenvärde och egen makt – entreprenörskap och innovation",
        "Att försörja sig och skapa något eget ger självkänsla. Boende har idéer och "
        "driv men saknar ofta kontakter, lokaler och kapital.",
        ThemeStatus.planned,
    ),
    (
        "Ojämlik tillgång till utbildning och skola",
        "Skolresultaten skiljer sig mellan stadsdelarna. Föräldrar och elever "
        "beskriver stora klasser, byten av lärare och svårt att få stöd.",
        ThemeStatus.planned,
    ),
    (
        "Många barn är utan fritidsaktiviteter",
        "Aktiviteter kostar, ligger långt bort eller är okända. Barn som inte har "
        "något att göra efter skolan blir lätt utan vuxna omkring sig.",
        ThemeStatus.planned,
    ),
    (
        "Misstro till samhället",
        "Många känner att de inte blir lyssnade på och att löften inte hålls. "
        "Förtroendet för myndigheter och polis är lågt.",
        ThemeStatus.planned,
    ),
    (
        "Området och platsen utarmas",
        "Butiker och service försvinner, lokaler står tomma och utemiljön slits. "
        "Det påverkar hur trygg man känner sig.",
        ThemeStatus.planned,
    ),
    (
        "Segregation och isolering men god kontakt mellan oss som bor här",
        "Stadsdelarna är isolerade från resten av staden, men grannar känner och "
        "hjälper varandra. Hur bygger vi vidare på den gemenskapen?",
        ThemeStatus.in_depth,
    ),
    (
        "Oro och föräldraskapets svårigheter",
        "Föräldrar oroar sig för sina barn och känner sig ensamma i sitt föräldraskap. "
        "Vad behöver de för stöd, och från vem?",
        ThemeStatus.in_depth,
    ),
)

#: Where each in-depth theme's meeting is held, in theme order.
PLACES = ("Fröslunda folkets hus", "Lagersbergs fritidsgård")
#: The demo meetings' welcome, in every language residents can pick.
INTRO = (
    "Välkommen! I kväll pratar vi om trygghet här i stadsdelen. Du behöver inte skriva ditt namn."
)
INTRO_TRANSLATIONS = {
    "en": "Welcome! Tonight we talk about feeling safe here in the district. "
    "You do not need to give your name.",
    "fi": "Tervetuloa! Tänään puhumme turvallisuudesta täällä kaupunginosassa. "
    "Sinun ei tarvitse kirjoittaa nimeäsi.",
    "ar": "أهلا وسهلا! نتحدث الليلة عن الشعور بالأمان هنا في الحي. لا تحتاج إلى كتابة اسمك.",
    "so": "Soo dhawow! Caawa waxaan ka hadlaynaa nabadgelyada xaafaddan. "
    "Uma baahnid inaad qorto magacaaga.",
}
MEETING_HOUR = 18


class DatabaseNotEmpty(Conflict):
    code = "not_empty"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: Role


#: The first phase, as the team noted it: (date, channel, district, age band, role, notes,
#: 1-based theme numbers, whether the first note is a quote that speaks for its theme).
#: Some notes are left without a theme, so the suggestions have something to do.
CONVERSATIONS: tuple[
    tuple[dt.date, str, str | None, str | None, str | None, tuple[str, ...], tuple[int, ...], bool],
    ...,
] = (
    (
        dt.date(2020, 9, 3),
        "street",
        "Fröslunda",
        "16-19",
        "resident",
        (
            "Det finns inga sommarjobb för oss som bor här.",
            "Man hänger på torget för att det inte finns något annat.",
        ),
        (1, 4),
        True,
    ),
    (
        dt.date(2020, 9, 3),
        "shop",
        "Fröslunda",
        "45-64",
        "staff",
        ("Butiken stänger tidigare nu, personalen känner sig otrygg på kvällen.",),
        (6,),
        True,
    ),
    (
        dt.date(2020, 9, 10),
        "door",
        "Lagersberg",
        "65-",
        "resident",
        (
            "Jag går inte ut efter mörkrets inbrott längre.",
            "Ingen lyssnar när vi säger till om lamporna.",
        ),
        (5,),
        False,
    ),
    (
        dt.date(2020, 9, 17),
        "street",
        "Råbergstorp",
        "20-29",
        "resident",
        ("Min bror fick jobb via ett sommarprojekt och slutade umgås med fel gäng.",),
        (1,),
        False,
    ),
    (
        dt.date(2020, 10, 1),
        "digital",
        "Myrtorp",
        "30-44",
        "resident",
        ("Vi föräldrar känner varandra men vet inte vart vi ska vända oss när barnen far illa.",),
        (8,),
        True,
    ),
    (
        dt.date(2020, 10, 8),
        "meeting",
        "Västermalm",
        "30-44",
        "staff",
        (
            "Fritidsgården har bara öppet två kvällar i veckan.",
            "Aktiviteterna kostar för mycket för många familjer.",
        ),
        (4,),
        True,
    ),
    (
        dt.date(2020, 10, 15),
        "door",
        "Brunnsbacken",
        "65-",
        "resident",
        ("Posten och apoteket har flyttat, nu måste man ta bussen för allt.",),
        (6,),
        False,
    ),
    (
        dt.date(2020, 10, 22),
        "street",
        "Hovängen",
        "16-19",
        "resident",
        ("Skolan i stan har bättre lärare, alla som kan byter dit.",),
        (3,),
        True,
    ),
    (
        dt.date(2020, 11, 5),
        "shop",
        "Lagersberg",
        "20-29",
        "resident",
        ("Jag har startat en liten catering hemifrån men vet inte hur man får tillstånd.",),
        (2,),
        True,
    ),
    (
        dt.date(2020, 11, 12),
        "digital",
        "Fröslunda",
        "45-64",
        "resident",
        ("Politikerna kommer bara hit före valet.",),
        (5,),
        True,
    ),
    (
        dt.date(2020, 11, 19),
        "street",
        "Myrtorp",
        "16-19",
        "resident",
        (
            "Fler unga borde få jobba på sommaren, då blir det lugnare.",
            "Det behövs bättre belysning i gångtunneln vid skolan.",
        ),
        (),
        False,
    ),
)


def is_empty() -> bool:
    """True when there is neither a dialogue nor a user: only then is the demo loaded."""
    has_dialogue = session().scalar(sa.select(Dialogue.id).limit(1)) is not None
    has_user = session().scalar(sa.select(User.id).limit(1)) is not None
    return not (has_dialogue or has_user)


def logins() -> list[DemoLogin]:
    return [
        DemoLogin(FACILITATOR_EMAIL, DEMO_PASSWORD, Role.facilitator),
        DemoLogin(ADMIN_EMAIL, DEMO_PASSWORD, Role.admin),
    ]


def meeting_start(today: dt.date, weeks: int) -> dt.datetime:
    """18:00 Stockholm time on the same weekday ``weeks`` weeks after ``today``, in UTC."""
    day = today + dt.timedelta(weeks=weeks)
    local = dt.datetime.combine(day, dt.time(MEETING_HOUR), tzinfo=STOCKHOLM)
    return local.astimezone(dt.UTC)


def load_demo(*, now: dt.datetime | None = None) -> list[DemoLogin]:
    """Create the demo dialogue, its meetings and users; return the logins.

    Refuses (``DatabaseNotEmpty``) unless the database is empty, so it never mixes
    demo rows and passwords into real data.
    """
    if not is_empty():
        raise DatabaseNotEmpty(
            "The database already has dialogues or users; the demo is only loaded "
            "into an empty database."
        )
    now = now or dt.datetime.now(dt.UTC)
    today = now.astimezone(STOCKHOLM).date()
    # Agenda texts are copied from the template in the current locale; the demo is Swedish.
    with force_locale("sv"):
        for login in logins():
            auth_ops.create_user(
                login.email,
                name="Demo, samtalsledare" if login.role is Role.facilitator else "Demo, admin",
                password=login.password,
                role=login.role,
            )
        dialogue = dialogue_ops.create_dialogue(
            TITLE,
            description=DESCRIPTION,
            period_start=PERIOD_START,
            period_end=PERIOD_END,
            action_deadline=ACTION_DEADLINE,
            areas=AREAS,
        )
        in_depth = []
        for title, description, status in THEMES:
            theme = dialogue_ops.create_theme(
                dialogue, title, description=description, status=status
            )
            if status is ThemeStatus.in_depth:
                in_depth.append(theme)
        themes = list(dialogue.themes)
        for held_on, channel, area, band, role, notes, numbers, quote in CONVERSATIONS:
            conversation = intake_ops.record_conversation(
                dialogue,
                intake_ops.ConversationSpec(
                    held_on=held_on,
                    channel=channel,
                    area=area,
                    age_band=band,
                    role=role,
                    notes=notes,
                    theme_ids=[themes[n - 1].id for n in numbers],
                ),
                user_id=None,
            )
            if quote:
                intake_ops.set_representative(conversation.notes[0], themes[numbers[0] - 1], True)
        for weeks, (theme, place) in enumerate(zip(in_depth, PLACES, strict=True), start=1):
            meeting_ops.create_meeting(
                theme,
                f"Fördjupad dialog: {theme.title}",
                starts_at=meeting_start(today, weeks),
                place=place,
                intro=INTRO,
                intro_translations=INTRO_TRANSLATIONS,
                template="in_depth_90",
            )
    return logins()
