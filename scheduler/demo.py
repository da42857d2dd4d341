"""Demo data: a fictional municipality in Lapland with five services and eight workers."""

from __future__ import annotations

import random
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import delete, select

from scheduler.extensions import db
from scheduler.kernel import local_date, local_instant, now_utc
from scheduler.models import (
    Absence,
    Booking,
    BookingStatus,
    Organisation,
    Professional,
    Service,
    Unit,
    WeeklyRule,
)

SLUG = "tunturikyla"


def _t(fi: str, sv: str, en: str) -> dict[str, str]:
    return {"fi": fi, "sv": sv, "en": en}


SERVICES: list[dict[str, Any]] = [
    {
        "slug": "lastenvalvoja",
        "category": "family",
        "name": _t("Lastenvalvoja", "Barnatillsyningsman", "Child supervisor"),
        "description": _t(
            "Sopimukset lapsen huollosta, asumisesta, tapaamisista ja elatuksesta sekä isyyden ja "
            "äitiyden vahvistaminen.",
            "Avtal om barnets vårdnad, boende, umgänge och underhåll samt fastställande av "
            "faderskap och moderskap.",
            "Agreements on a child's custody, residence, contact and maintenance, and "
            "confirming paternity and maternity.",
        ),
        "audience": _t("Lasten vanhemmille", "För barnens föräldrar", "For parents of children"),
        "duration_min": 60,
        "slot_interval_min": 30,
        "buffer_after_min": 15,
        "requires_strong_id": True,
        "meeting_modes": ["video", "phone"],
        "max_per_worker_per_day": 4,
        "intake_questions": [
            {
                "id": "topic",
                "kind": "choice",
                "required": True,
                "label": _t(
                    "Mistä asiasta haluat sopia?",
                    "Vad vill ni avtala om?",
                    "What would you like to agree on?",
                ),
                "options": [
                    {
                        "value": "custody",
                        "label": _t(
                            "Huolto ja asuminen", "Vårdnad och boende", "Custody and residence"
                        ),
                    },
                    {"value": "contact", "label": _t("Tapaamiset", "Umgänge", "Contact")},
                    {"value": "maintenance", "label": _t("Elatus", "Underhåll", "Maintenance")},
                    {
                        "value": "paternity",
                        "label": _t(
                            "Isyys tai äitiys",
                            "Faderskap eller moderskap",
                            "Paternity or maternity",
                        ),
                    },
                ],
            },
            {
                "id": "both_parents",
                "kind": "yesno",
                "required": False,
                "label": _t(
                    "Osallistuvatko molemmat vanhemmat?",
                    "Deltar båda föräldrarna?",
                    "Will both parents take part?",
                ),
            },
        ],
    },
    {
        "slug": "palveluneuvonta",
        "category": "advice",
        "name": _t("Palveluneuvonta", "Servicerådgivning", "Service counselling"),
        "description": _t(
            "Matalan kynnyksen neuvontaa: mistä apua arjen huoliin, etuuksiin ja palveluihin.",
            "Lågtröskelrådgivning: var man får hjälp med vardagens bekymmer, förmåner och "
            "tjänster.",
            "Low-threshold advice: where to get help with everyday worries, benefits and services.",
        ),
        "audience": _t("Kaikille, nimettömänä", "För alla, anonymt", "For everyone, anonymously"),
        "duration_min": 30,
        "slot_interval_min": 15,
        "min_notice_min": 60,
        "requires_strong_id": False,
        "meeting_modes": ["video", "phone"],
        "intake_questions": [
            {
                "id": "question",
                "kind": "text",
                "required": False,
                "label": _t(
                    "Mitä haluaisit kysyä? (vapaaehtoinen)",
                    "Vad vill du fråga? (frivilligt)",
                    "What would you like to ask? (optional)",
                ),
            },
        ],
    },
    {
        "slug": "lastensuojelu",
        "category": "children",
        "sensitive": True,
        "name": _t(
            "Lastensuojelun sosiaalityö",
            "Socialt arbete inom barnskyddet",
            "Child protection social work",
        ),
        "description": _t(
            "Tapaaminen oman sosiaalityöntekijän kanssa lastensuojelun asiakkuudessa.",
            "Möte med den egna socialarbetaren inom barnskyddet.",
            "A meeting with your own social worker in child protection.",
        ),
        "audience": _t(
            "Lastensuojelun asiakasperheille",
            "För barnskyddets klientfamiljer",
            "For families who are clients of child protection",
        ),
        "duration_min": 60,
        "slot_interval_min": 30,
        "buffer_before_min": 15,
        "buffer_after_min": 15,
        "requires_strong_id": True,
        "meeting_modes": ["video"],
        "min_notice_min": 24 * 60,
    },
    {
        "slug": "aikuissosiaalityo",
        "category": "adults",
        "name": _t("Aikuissosiaalityö", "Socialt arbete för vuxna", "Adult social work"),
        "description": _t(
            "Tukea elämäntilanteen muutoksiin, toimeentuloon, asumiseen ja päihdeasioihin.",
            "Stöd vid förändringar i livet, utkomst, boende och missbruksfrågor.",
            "Support with changes in life, income, housing and substance use.",
        ),
        "audience": _t("Täysi-ikäisille", "För vuxna", "For adults"),
        "duration_min": 45,
        "slot_interval_min": 15,
        "buffer_after_min": 15,
        "requires_strong_id": True,
        "meeting_modes": ["video", "phone"],
    },
    {
        "slug": "vammaispalvelut",
        "category": "disability",
        "name": _t("Vammaispalvelut", "Handikappservice", "Disability services"),
        "description": _t(
            "Palvelutarpeen arviointi, henkilökohtainen apu, kuljetuspalvelu ja asunnon "
            "muutostyöt.",
            "Bedömning av servicebehov, personlig assistans, färdtjänst och ändringsarbeten i "
            "bostaden.",
            "Assessment of service needs, personal assistance, transport services and home "
            "adaptations.",
        ),
        "audience": _t(
            "Vammaisille henkilöille ja läheisille",
            "För personer med funktionsnedsättning och närstående",
            "For disabled people and their families",
        ),
        "duration_min": 60,
        "slot_interval_min": 30,
        "requires_strong_id": False,
        "meeting_modes": ["video", "phone"],
    },
]

# (name, title, languages, service slugs, weekly hours as (weekdays, start, end))
WORKERS: list[
    tuple[str, dict[str, str], list[str], list[str], tuple[tuple[int, ...], time, time]]
] = [
    (
        "Aino Niemelä",
        _t("lastenvalvoja", "barnatillsyningsman", "child supervisor"),
        ["fi", "en"],
        ["lastenvalvoja"],
        ((0, 1, 2, 3), time(8, 30), time(15, 30)),
    ),
    (
        "Marja-Liisa Aikio",
        _t("sosiaalityöntekijä", "socialarbetare", "social worker"),
        ["fi", "se"],
        ["lastenvalvoja", "lastensuojelu"],
        ((0, 1, 2, 3, 4), time(8), time(15)),
    ),
    (
        "Johanna Lindqvist",
        _t("sosiaaliohjaaja", "socialhandledare", "social counsellor"),
        ["sv", "fi", "en"],
        ["palveluneuvonta", "aikuissosiaalityo"],
        ((0, 1, 2, 3, 4), time(9), time(16)),
    ),
    (
        "Pekka Mäkelä",
        _t("sosiaaliohjaaja", "socialhandledare", "social counsellor"),
        ["fi"],
        ["palveluneuvonta"],
        ((0, 2, 4), time(8), time(16)),
    ),
    (
        "Sanna Rautio",
        _t("sosiaalityöntekijä", "socialarbetare", "social worker"),
        ["fi", "en"],
        ["lastensuojelu"],
        ((1, 2, 3, 4), time(8), time(15, 30)),
    ),
    (
        "Timo Kangas",
        _t("sosiaalityöntekijä", "socialarbetare", "social worker"),
        ["fi"],
        ["aikuissosiaalityo"],
        ((0, 1, 2, 3), time(8), time(16)),
    ),
    (
        "Leena Ylitalo",
        _t(
            "vammaispalvelujen sosiaalityöntekijä",
            "socialarbetare inom handikappservice",
            "disability services social worker",
        ),
        ["fi", "en"],
        ["vammaispalvelut"],
        ((0, 1, 2, 3, 4), time(8, 30), time(15)),
    ),
    (
        "Heikki Ojala",
        _t("palveluohjaaja", "servicehandledare", "service coordinator"),
        ["fi"],
        ["vammaispalvelut", "palveluneuvonta"],
        ((1, 3), time(10), time(18)),
    ),
]

CLIENTS = [
    "Maria Korhonen",
    "Jari Virtanen",
    "Anna Lehtinen",
    "Mikko Heikkinen",
    "Elina Koskinen",
    "Ville Järvinen",
    "Sofia Nyström",
    "Ante Magga",
]


def remove_demo() -> None:
    org = db.session.scalar(select(Organisation).where(Organisation.slug == SLUG))
    if org is None:
        return
    for table in reversed(db.metadata.sorted_tables):
        if "organisation_id" in table.c:
            db.session.execute(delete(table).where(table.c.organisation_id == org.id))
    db.session.delete(org)
    db.session.flush()


def create_demo(reset: bool = False, today: date | None = None, seed: int = 7) -> bool:
    """Create the demo organisation; False when it is there already. Flushes, never commits."""
    if reset:
        remove_demo()
    if db.session.scalar(select(Organisation.id).where(Organisation.slug == SLUG)):
        return False
    rng = random.Random(seed)
    org = Organisation(
        slug=SLUG,
        name=_t("Tunturikylän kunta", "Tunturikylä kommun", "Municipality of Tunturikylä"),
        timezone="Europe/Helsinki",
        languages=["fi", "sv", "en", "se"],
        email_from="etaasiointi@tunturikyla.example",
    )
    db.session.add(org)
    db.session.flush()
    unit = Unit(
        organisation_id=org.id,
        name=_t(
            "Perhekeskus ja sosiaalipalvelut",
            "Familjecentret och socialservicen",
            "Family centre and social services",
        ),
        phone="+358161234567",
        phone_hours=_t("ma–pe klo 9–15", "mån–fre kl. 9–15", "Mon–Fri 9 am – 3 pm"),
    )
    db.session.add(unit)
    db.session.flush()
    services: dict[str, Service] = {}
    for spec in SERVICES:
        service = Service(organisation_id=org.id, unit_id=unit.id, **spec)
        db.session.add(service)
        services[spec["slug"]] = service
    db.session.flush()
    workers: list[Professional] = []
    for name, title, languages, slugs, (weekdays, start, end) in WORKERS:
        email = name.lower().replace(" ", ".").replace("ä", "a").replace("ö", "o")
        pro = Professional(
            organisation_id=org.id,
            unit_id=unit.id,
            name=name,
            title=title,
            languages=languages,
            email=f"{email}@tunturikyla.example",
        )
        pro.services.extend(services[s] for s in slugs)
        db.session.add(pro)
        db.session.flush()
        for weekday in weekdays:
            # A lunch break splits the day into two rules.
            db.session.add(
                WeeklyRule(
                    professional_id=pro.id,
                    weekday=weekday,
                    start_time=start,
                    end_time=time(11, 30),
                    service_ids=[],
                )
            )
            db.session.add(
                WeeklyRule(
                    professional_id=pro.id,
                    weekday=weekday,
                    start_time=time(12),
                    end_time=end,
                    service_ids=[],
                )
            )
        workers.append(pro)
    db.session.flush()
    zone = org.zone
    now = now_utc()
    today = today or local_date(now, zone)
    # One worker is on a training day next week.
    absent_day = today + timedelta(days=7 - today.weekday() + 2)
    db.session.add(
        Absence(
            professional_id=workers[5].id,
            start_at=local_instant(absent_day, time(0), zone),
            end_at=local_instant(absent_day + timedelta(days=1), time(0), zone),
            reason="koulutus",
        )
    )
    _demo_bookings(workers, today, rng)
    db.session.flush()
    return True


def _demo_bookings(workers: list[Professional], today: date, rng: random.Random) -> None:
    zone = workers[0].organisation.zone
    now = now_utc()
    n = 0
    for offset in range(1, 15):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for pro in workers:
            if rng.random() < 0.5:
                continue
            service = pro.services[0]
            start = local_instant(day, time(rng.choice([9, 10, 13, 14])), zone)
            end = start + timedelta(minutes=service.duration_min)
            n += 1
            db.session.add(
                Booking(
                    uid=f"demo-{n}@etaaika",
                    organisation_id=pro.organisation_id,
                    service_id=service.id,
                    professional_id=pro.id,
                    start_at=start,
                    end_at=end,
                    block_start_at=start - timedelta(minutes=service.buffer_before_min),
                    block_end_at=end + timedelta(minutes=service.buffer_after_min),
                    status=BookingStatus.CONFIRMED,
                    meeting_mode=service.meeting_modes[0],
                    client_name=rng.choice(CLIENTS),
                    client_email=f"asiakas{n}@example.org",
                    language="fi",
                    intake_answers={},
                    created_at=now,
                    updated_at=now,
                    confirmed_at=now,
                    consent_at=now,
                )
            )
