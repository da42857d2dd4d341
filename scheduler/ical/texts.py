"""Plain words for feed errors and problems, for a municipal administrator (fi, sv, en).

Codes are stored in the database (CalendarFeed.last_error, CalendarFeed.report); the
words are chosen when the admin page is shown, in the viewer's language.
"""

from __future__ import annotations

# ruff: noqa: E501  (whole sentences read and translated best unbroken)

TEXTS: dict[str, dict[str, str]] = {
    # Errors: the feed gave nothing usable this time; the last good busy times are kept.
    "bad_url": {
        "fi": "Osoite ei ole kalenterin verkko-osoite (sen pitää alkaa https:// tai webcal://).",
        "sv": "Adressen är inte en kalenderadress på webben (den ska börja med https:// eller webcal://).",
        "en": "The address is not a web calendar address (it must start with https:// or webcal://).",
    },
    "blocked_address": {
        "fi": "Osoite vie palvelun omaan sisäverkkoon, joten sitä ei lueta. Kalenterit luetaan vain julkisista internetosoitteista. Jos organisaationne julkaisee kalenterit sisäisellä palvelimella, ylläpitäjä voi sallia sen.",
        "sv": "Adressen leder in i tjänstens eget interna nät, så den läses inte. Kalendrar läses bara från offentliga internetadresser. Om er organisation publicerar kalendrar på en intern server kan driftsansvarig tillåta den.",
        "en": "The address leads into the service's own internal network, so it is not read. Calendars are read from public internet addresses only. If your organisation publishes calendars on an internal server, the system administrator can allow it.",
    },
    "too_many_redirects": {
        "fi": "Kalenteripalvelin ohjasi eteenpäin liian monta kertaa. Tarkista osoite ja käytä kalenterin suoraa julkaisuosoitetta.",
        "sv": "Kalenderservern skickade vidare för många gånger. Kontrollera adressen och använd kalenderns direkta publiceringsadress.",
        "en": "The calendar server redirected too many times. Check the address and use the calendar's direct publishing address.",
    },
    "unreachable": {
        "fi": "Kalenteripalvelimeen ei saatu yhteyttä. Tarkista osoite tai yritä myöhemmin.",
        "sv": "Det gick inte att nå kalenderservern. Kontrollera adressen eller försök senare.",
        "en": "The calendar server could not be reached. Check the address or try again later.",
    },
    "tls": {
        "fi": "Kalenteripalvelimen varmenne ei kelpaa, joten yhteyttä ei avattu.",
        "sv": "Kalenderserverns certifikat är inte giltigt, så ingen anslutning öppnades.",
        "en": "The calendar server's certificate is not valid, so no connection was made.",
    },
    "timeout": {
        "fi": "Kalenteripalvelin vastasi liian hitaasti.",
        "sv": "Kalenderservern svarade för långsamt.",
        "en": "The calendar server answered too slowly.",
    },
    "too_large": {
        "fi": "Kalenteri on liian suuri luettavaksi. Julkaise lyhyempi ajanjakso.",
        "sv": "Kalendern är för stor för att läsas. Publicera en kortare tidsperiod.",
        "en": "The calendar is too large to read. Publish a shorter period.",
    },
    "forbidden": {
        "fi": "Kalenteripalvelin ei anna lukea kalenteria. Julkaisu on ehkä peruttu tai osoite vaihtunut.",
        "sv": "Kalenderservern tillåter inte att kalendern läses. Publiceringen har kanske upphört eller adressen ändrats.",
        "en": "The calendar server refuses to share the calendar. Publishing may have been stopped or the address changed.",
    },
    "not_found": {
        "fi": "Kalenteria ei löydy tästä osoitteesta. Osoite on ehkä vaihtunut.",
        "sv": "Kalendern finns inte på den här adressen. Adressen har kanske ändrats.",
        "en": "There is no calendar at this address. The address may have changed.",
    },
    "server_error": {
        "fi": "Kalenteripalvelimessa on vika. Yritämme uudelleen automaattisesti.",
        "sv": "Det är fel på kalenderservern. Vi försöker igen automatiskt.",
        "en": "The calendar server has a fault. We will try again automatically.",
    },
    "http_error": {
        "fi": "Kalenteripalvelin antoi odottamattoman vastauksen.",
        "sv": "Kalenderservern gav ett oväntat svar.",
        "en": "The calendar server gave an unexpected answer.",
    },
    "empty": {
        "fi": "Kalenteripalvelin palautti tyhjän tiedoston.",
        "sv": "Kalenderservern returnerade en tom fil.",
        "en": "The calendar server returned an empty file.",
    },
    "not_icalendar": {
        "fi": "Osoitteesta ei tule kalenteria vaan jotain muuta (esimerkiksi kirjautumissivu).",
        "sv": "Adressen ger inte en kalender utan något annat (till exempel en inloggningssida).",
        "en": "The address does not give a calendar but something else (a sign-in page, for example).",
    },
    "unreadable": {
        "fi": "Kalenteritiedosto on niin rikki, ettei sitä voi lukea.",
        "sv": "Kalenderfilen är så trasig att den inte kan läsas.",
        "en": "The calendar file is too broken to be read.",
    },
    # Problems: the feed was read, but some parts were skipped or repaired.
    "not_utf8": {
        "fi": "Tiedoston merkistö ei ole UTF-8; ääkköset voivat näkyä väärin.",
        "sv": "Filens teckenkodning är inte UTF-8; å, ä och ö kan visas fel.",
        "en": "The file is not in UTF-8; special letters may look wrong.",
    },
    "repaired": {
        "fi": "Tiedostossa oli muotovirheitä, jotka korjattiin lukemista varten.",
        "sv": "Filen hade formfel som rättades för att den skulle kunna läsas.",
        "en": "The file had format errors that were repaired to read it.",
    },
    "repaired_no_calendar": {
        "fi": "Tiedostosta puuttui kalenterin kehys; tapahtumat luettiin silti.",
        "sv": "Filen saknade kalenderns ram; händelserna lästes ändå.",
        "en": "The file had no calendar wrapper; the events were read anyway.",
    },
    "repaired_truncated": {
        "fi": "Tiedosto oli katkennut; luettiin se, mikä oli ehjää.",
        "sv": "Filen var avbruten; det som var helt lästes.",
        "en": "The file was cut short; what was intact was read.",
    },
    "dropped_lines": {
        "fi": "Tiedostosta ohitettiin rivejä, jotka eivät olleet kalenterin muotoa.",
        "sv": "Rader som inte var i kalenderformat hoppades över.",
        "en": "Lines that were not in calendar format were skipped.",
    },
    "dropped_timezones": {
        "fi": "Virheellinen aikavyöhykkeen kuvaus korvattiin vakiotiedolla.",
        "sv": "En felaktig tidszonsbeskrivning ersattes med standarddata.",
        "en": "A faulty time zone description was replaced with standard data.",
    },
    "invalid_property": {
        "fi": "Joissakin tapahtumissa oli virheellisiä tietoja, jotka ohitettiin.",
        "sv": "Vissa händelser hade felaktiga uppgifter som hoppades över.",
        "en": "Some events had faulty details that were skipped.",
    },
    "event_without_start": {
        "fi": "Tapahtumia ilman kelvollista alkuaikaa ohitettiin.",
        "sv": "Händelser utan giltig starttid hoppades över.",
        "en": "Events without a valid start time were skipped.",
    },
    "invalid_event": {
        "fi": "Joitakin virheellisiä tapahtumia ohitettiin.",
        "sv": "Några felaktiga händelser hoppades över.",
        "en": "Some faulty events were skipped.",
    },
    "end_before_start": {
        "fi": "Tapahtumia, jotka päättyvät ennen alkuaan, ohitettiin.",
        "sv": "Händelser som slutar innan de börjar hoppades över.",
        "en": "Events that end before they start were skipped.",
    },
    "bad_recurrence": {
        "fi": "Joidenkin toistuvien tapahtumien toistosääntö oli virheellinen; ne ohitettiin.",
        "sv": "Upprepningsregeln för vissa återkommande händelser var felaktig; de hoppades över.",
        "en": "Some recurring events had a faulty repeat rule and were skipped.",
    },
    "unknown_timezone": {
        "fi": "Tuntematon aikavyöhyke; ajat luettiin parhaan arvion mukaan (yleensä Suomen aikaa).",
        "sv": "Okänd tidszon; tiderna lästes enligt bästa uppskattning (oftast finsk tid).",
        "en": "Unknown time zone; times were read by best guess (usually Finnish time).",
    },
    "too_many_events": {
        "fi": "Kalenterissa on hyvin paljon tapahtumia; vain osa tallennettiin.",
        "sv": "Kalendern har mycket många händelser; bara en del sparades.",
        "en": "The calendar has very many events; only some were stored.",
    },
    "calendar_skipped": {
        "fi": "Osa kalenterista ohitettiin virheen vuoksi.",
        "sv": "En del av kalendern hoppades över på grund av ett fel.",
        "en": "Part of the calendar was skipped because of an error.",
    },
    "stale": {
        "fi": "Kalenteria ei ole saatu päivitettyä aikoihin. Työntekijän aikoja ei tarjota varattavaksi ennen kuin päivitys onnistuu.",
        "sv": "Kalendern har inte kunnat uppdateras på länge. Medarbetarens tider erbjuds inte för bokning förrän uppdateringen lyckas.",
        "en": "The calendar has not been updated for a long time. The worker's times are not offered for booking until an update succeeds.",
    },
    "stale_warn": {
        "fi": "Kalenteria ei ole saatu päivitettyä aikoihin. Varattavat ajat voivat olla päällekkäin kalenterin menojen kanssa.",
        "sv": "Kalendern har inte kunnat uppdateras på länge. Bokningsbara tider kan krocka med kalenderns händelser.",
        "en": "The calendar has not been updated for a long time. Bookable times may clash with events in the calendar.",
    },
    "never_fetched": {
        "fi": "Kalenteria ei ole vielä luettu. Työntekijän aikoja ei tarjota ennen ensimmäistä onnistunutta lukua.",
        "sv": "Kalendern har inte lästs ännu. Medarbetarens tider erbjuds inte före den första lyckade läsningen.",
        "en": "The calendar has not been read yet. The worker's times are not offered until the first successful read.",
    },
}


def text(code: str | None, lang: str = "fi") -> str:
    """The words for ``code`` in ``lang`` (fi, sv, en), falling back to Finnish."""
    if not code:
        return ""
    texts = TEXTS.get(code)
    if texts is None:
        return TEXTS["http_error"].get(lang) or TEXTS["http_error"]["fi"]
    return texts.get(lang) or texts["fi"]
