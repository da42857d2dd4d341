"""The demo municipality's services, workers and clients, as plain values."""

from __future__ import annotations

from datetime import time
from typing import Any

SLUG = "tunturikyla"


def texts(fi: str, sv: str, en: str) -> dict[str, str]:
    """One text in Finnish, Swedish and English."""
    return {"fi": fi, "sv": sv, "en": en}


SERVICES: list[dict[str, Any]] = [
    {
        "slug": "lastenvalvoja",
        "category": "family",
        "name": texts("Lastenvalvoja", "Barnatillsyningsman", "Child supervisor"),
        "description": texts(
            "Sopimukset lapsen huollosta, asumisesta, tapaamisista ja elatuksesta sekä isyyden ja "
            "äitiyden vahvistaminen.",
            "Avtal om barnets vårdnad, boende, umgänge och underhåll samt fastställande av "
            "faderskap och moderskap.",
            "Agreements on a child's custody, residence, contact and maintenance, and "
            "confirming paternity and maternity.",
        ),
        "audience": texts("Lasten vanhemmille", "För barnens föräldrar", "For parents of children"),
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
                "label": texts(
                    "Mistä asiasta haluat sopia?",
                    "Vad vill ni avtala om?",
                    "What would you like to agree on?",
                ),
                "options": [
                    {
                        "value": "custody",
                        "label": texts(
                            "Huolto ja asuminen", "Vårdnad och boende", "Custody and residence"
                        ),
                    },
                    {"value": "contact", "label": texts("Tapaamiset", "Umgänge", "Contact")},
                    {"value": "maintenance", "label": texts("Elatus", "Underhåll", "Maintenance")},
                    {
                        "value": "paternity",
                        "label": texts(
                            "Isyys tai äitiys",
                            "Faderskap eller moderskap",
                            "Paternity or maternity",
                        ),
                    },
                ],
            },
        ],
        # "Will both parents take part?": the other parent gets their own invitation and link.
        "allows_second_client": True,
    },
    {
        "slug": "palveluneuvonta",
        "category": "advice",
        "name": texts("Palveluneuvonta", "Servicerådgivning", "Service counselling"),
        "description": texts(
            "Matalan kynnyksen neuvontaa: mistä apua arjen huoliin, etuuksiin ja palveluihin.",
            "Lågtröskelrådgivning: var man får hjälp med vardagens bekymmer, förmåner och "
            "tjänster.",
            "Low-threshold advice: where to get help with everyday worries, benefits and services.",
        ),
        "audience": texts(
            "Kaikille, nimettömänä", "För alla, anonymt", "For everyone, anonymously"
        ),
        "duration_min": 30,
        "slot_interval_min": 15,
        "min_notice_min": 60,
        "requires_strong_id": False,
        "name_rule": "nickname",  # anonymous: a nickname, or no name at all
        "meeting_modes": ["video", "phone"],
        "intake_questions": [
            {
                "id": "question",
                "kind": "text",
                "required": False,
                "label": texts(
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
        "name": texts(
            "Lastensuojelun sosiaalityö",
            "Socialt arbete inom barnskyddet",
            "Child protection social work",
        ),
        "description": texts(
            "Tapaaminen oman sosiaalityöntekijän kanssa lastensuojelun asiakkuudessa.",
            "Möte med den egna socialarbetaren inom barnskyddet.",
            "A meeting with your own social worker in child protection.",
        ),
        "audience": texts(
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
        "name": texts("Aikuissosiaalityö", "Socialt arbete för vuxna", "Adult social work"),
        "description": texts(
            "Tukea elämäntilanteen muutoksiin, toimeentuloon, asumiseen ja päihdeasioihin.",
            "Stöd vid förändringar i livet, utkomst, boende och missbruksfrågor.",
            "Support with changes in life, income, housing and substance use.",
        ),
        "audience": texts("Täysi-ikäisille", "För vuxna", "For adults"),
        "duration_min": 45,
        "slot_interval_min": 15,
        "buffer_after_min": 15,
        "requires_strong_id": True,
        "meeting_modes": ["video", "phone"],
    },
    {
        "slug": "vammaispalvelut",
        "category": "disability",
        "name": texts("Vammaispalvelut", "Handikappservice", "Disability services"),
        "description": texts(
            "Palvelutarpeen arviointi, henkilökohtainen apu, kuljetuspalvelu ja asunnon "
            "muutostyöt.",
            "Bedömning av servicebehov, personlig assistans, färdtjänst och ändringsarbeten i "
            "bostaden.",
            "Assessment of service needs, personal assistance, transport services and home "
            "adaptations.",
        ),
        "audience": texts(
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
        texts("lastenvalvoja", "barnatillsyningsman", "child supervisor"),
        ["fi", "en"],
        ["lastenvalvoja"],
        ((0, 1, 2, 3), time(8, 30), time(15, 30)),
    ),
    (
        "Marja-Liisa Aikio",
        texts("sosiaalityöntekijä", "socialarbetare", "social worker"),
        ["fi", "se"],
        ["lastenvalvoja", "lastensuojelu"],
        ((0, 1, 2, 3, 4), time(8), time(15)),
    ),
    (
        "Johanna Lindqvist",
        texts("sosiaaliohjaaja", "socialhandledare", "social counsellor"),
        ["sv", "fi", "en"],
        ["palveluneuvonta", "aikuissosiaalityo"],
        ((0, 1, 2, 3, 4), time(9), time(16)),
    ),
    (
        "Pekka Mäkelä",
        texts("sosiaaliohjaaja", "socialhandledare", "social counsellor"),
        ["fi"],
        ["palveluneuvonta"],
        ((0, 2, 4), time(8), time(16)),
    ),
    (
        "Sanna Rautio",
        texts("sosiaalityöntekijä", "socialarbetare", "social worker"),
        ["fi", "en"],
        ["lastensuojelu"],
        ((1, 2, 3, 4), time(8), time(15, 30)),
    ),
    (
        "Timo Kangas",
        texts("sosiaalityöntekijä", "socialarbetare", "social worker"),
        ["fi"],
        ["aikuissosiaalityo"],
        ((0, 1, 2, 3), time(8), time(16)),
    ),
    (
        "Leena Ylitalo",
        texts(
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
        texts("palveluohjaaja", "servicehandledare", "service coordinator"),
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
