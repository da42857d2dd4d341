"""The words of the video pages in Finnish, Swedish and English.

The pages' scripts need them too (statuses change while the call runs), so they live here
as one table that the template renders and hands to the scripts as data.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "title": {"fi": "Videotapaaminen", "sv": "Videomöte", "en": "Video meeting"},
    "not_recorded": {
        "fi": "Tapaamista ei tallenneta. Kuva, ääni ja viestit kulkevat vain osallistujien "
        "välillä.",
        "sv": "Mötet spelas inte in. Bild, ljud och meddelanden går bara mellan deltagarna.",
        "en": "This meeting is not recorded. Video, sound and messages go only between the "
        "participants.",
    },
    "check_title": {
        "fi": "Tarkista kamera, mikrofoni ja yhteys",
        "sv": "Kontrollera kamera, mikrofon och anslutning",
        "en": "Check your camera, microphone and connection",
    },
    "allow_devices": {
        "fi": "Salli kamera ja mikrofoni",
        "sv": "Tillåt kamera och mikrofon",
        "en": "Allow camera and microphone",
    },
    "allow_help": {
        "fi": "Selain kysyy lupaa käyttää kameraa ja mikrofonia. Valitse Salli.",
        "sv": "Webbläsaren frågar om lov att använda kameran och mikrofonen. Välj Tillåt.",
        "en": "Your browser will ask to use the camera and microphone. Choose Allow.",
    },
    "self_view": {"fi": "Oma kuva", "sv": "Din bild", "en": "Your picture"},
    "mic_level": {
        "fi": "Mikrofonin äänitaso",
        "sv": "Mikrofonens ljudnivå",
        "en": "Microphone level",
    },
    "mic_hint": {
        "fi": "Puhu: palkin pitäisi liikkua.",
        "sv": "Tala: stapeln ska röra sig.",
        "en": "Speak: the bar should move.",
    },
    "test_connection": {
        "fi": "Testaa yhteys",
        "sv": "Testa anslutningen",
        "en": "Test the connection",
    },
    "testing": {
        "fi": "Testataan yhteyttä…",
        "sv": "Anslutningen testas…",
        "en": "Testing the connection…",
    },
    "result_good": {
        "fi": "Yhteys on hyvä.",
        "sv": "Anslutningen är bra.",
        "en": "Your connection is good.",
    },
    "result_weak": {
        "fi": "Yhteys on heikko. Voit osallistua pelkällä äänellä: valitse tapaamisessa Vain ääni.",
        "sv": "Anslutningen är svag. Du kan delta med bara ljud: välj Bara ljud i mötet.",
        "en": "Your connection is weak. You can take part with sound only: choose Audio only in "
        "the meeting.",
    },
    "result_none": {
        "fi": "Yhteyttä ei saatu. Kokeile toista verkkoa, esimerkiksi mobiilidataa Wi-Fin sijaan.",
        "sv": "Ingen anslutning. Pröva ett annat nätverk, till exempel mobildata i stället "
        "för wifi.",
        "en": "No connection. Try another network, for example mobile data instead of Wi-Fi.",
    },
    "result_busy": {
        "fi": "Testi on juuri nyt varattu. Voit silti mennä odotustilaan.",
        "sv": "Testet är upptaget just nu. Du kan ändå gå till väntrummet.",
        "en": "The test is busy right now. You can still go to the waiting room.",
    },
    "rtt": {"fi": "Viive", "sv": "Fördröjning", "en": "Delay"},
    "to_waiting": {
        "fi": "Siirry odotustilaan",
        "sv": "Gå till väntrummet",
        "en": "Go to the waiting room",
    },
    "start_meeting": {"fi": "Aloita tapaaminen", "sv": "Börja mötet", "en": "Start the meeting"},
    "waiting_title": {"fi": "Odotustila", "sv": "Väntrum", "en": "Waiting room"},
    "waiting_text": {
        "fi": "Odota hetki. Työntekijä päästää sinut tapaamiseen.",
        "sv": "Vänta en stund. Medarbetaren släpper in dig i mötet.",
        "en": "Please wait. The worker will let you into the meeting.",
    },
    "host_absent": {
        "fi": "Työntekijä ei ole vielä paikalla.",
        "sv": "Medarbetaren är inte här ännu.",
        "en": "The worker is not here yet.",
    },
    "host_present": {
        "fi": "Työntekijä on paikalla.",
        "sv": "Medarbetaren är här.",
        "en": "The worker is here.",
    },
    "host_seen": {
        "fi": "Työntekijä tietää, että odotat.",
        "sv": "Medarbetaren vet att du väntar.",
        "en": "The worker knows you are waiting.",
    },
    "waiting_list": {"fi": "Odottamassa", "sv": "Väntar", "en": "Waiting"},
    "nobody_waiting": {"fi": "Kukaan ei odota.", "sv": "Ingen väntar.", "en": "Nobody is waiting."},
    "admit": {"fi": "Päästä sisään", "sv": "Släpp in", "en": "Admit"},
    "remove": {"fi": "Poista", "sv": "Ta bort", "en": "Remove"},
    "end_for_all": {"fi": "Lopeta kaikilta", "sv": "Avsluta för alla", "en": "End for everyone"},
    "leave": {"fi": "Poistu", "sv": "Lämna", "en": "Leave"},
    "mute": {"fi": "Mikrofoni pois", "sv": "Mikrofon av", "en": "Mute"},
    "unmute": {"fi": "Mikrofoni päälle", "sv": "Mikrofon på", "en": "Unmute"},
    "camera_off": {"fi": "Kamera pois", "sv": "Kamera av", "en": "Camera off"},
    "camera_on": {"fi": "Kamera päälle", "sv": "Kamera på", "en": "Camera on"},
    "flip": {"fi": "Vaihda kameraa", "sv": "Byt kamera", "en": "Switch camera"},
    "share": {"fi": "Jaa näyttö", "sv": "Dela skärmen", "en": "Share screen"},
    "stop_share": {"fi": "Lopeta jakaminen", "sv": "Sluta dela", "en": "Stop sharing"},
    "audio_only": {"fi": "Vain ääni", "sv": "Bara ljud", "en": "Audio only"},
    "video_back": {"fi": "Kuva takaisin", "sv": "Bild tillbaka", "en": "Video back on"},
    "audio_only_on": {
        "fi": "Vain ääni: kuva ei kulje kumpaankaan suuntaan.",
        "sv": "Bara ljud: ingen bild åt något håll.",
        "en": "Audio only: no video either way.",
    },
    "chat": {"fi": "Viestit", "sv": "Meddelanden", "en": "Messages"},
    "chat_label": {"fi": "Kirjoita viesti", "sv": "Skriv ett meddelande", "en": "Write a message"},
    "send": {"fi": "Lähetä", "sv": "Skicka", "en": "Send"},
    "chat_note": {
        "fi": "Viestejä ei tallenneta.",
        "sv": "Meddelandena sparas inte.",
        "en": "Messages are not saved.",
    },
    "invite": {
        "fi": "Kutsu osallistuja",
        "sv": "Bjud in en deltagare",
        "en": "Invite a participant",
    },
    "invite_parent": {
        "fi": "Toinen vanhempi",
        "sv": "Den andra föräldern",
        "en": "The other parent",
    },
    "invite_interpreter": {"fi": "Tulkki", "sv": "Tolk", "en": "Interpreter"},
    "invite_colleague": {"fi": "Kollega", "sv": "Kollega", "en": "Colleague"},
    "invite_link": {
        "fi": "Lähetä tämä linkki kutsuttavalle:",
        "sv": "Skicka den här länken till den inbjudna:",
        "en": "Send this link to the person you invite:",
    },
    "room_full": {
        "fi": "Tapaamisessa voi olla enintään neljä osallistujaa.",
        "sv": "Mötet kan ha högst fyra deltagare.",
        "en": "A meeting can have four participants at most.",
    },
    "quality_good": {"fi": "Hyvä yhteys", "sv": "Bra anslutning", "en": "Good connection"},
    "quality_weak": {"fi": "Heikko yhteys", "sv": "Svag anslutning", "en": "Weak connection"},
    "quality_bad": {"fi": "Huono yhteys", "sv": "Dålig anslutning", "en": "Poor connection"},
    "reconnecting": {
        "fi": "Yhteys katkesi. Yhdistetään uudelleen…",
        "sv": "Anslutningen bröts. Ansluter igen…",
        "en": "The connection dropped. Reconnecting…",
    },
    "joined": {"fi": "liittyi tapaamiseen", "sv": "anslöt till mötet", "en": "joined"},
    "left": {"fi": "poistui", "sv": "lämnade", "en": "left"},
    "you_left": {
        "fi": "Poistuit tapaamisesta.",
        "sv": "Du lämnade mötet.",
        "en": "You left the meeting.",
    },
    "ended": {
        "fi": "Tapaaminen on päättynyt.",
        "sv": "Mötet har avslutats.",
        "en": "The meeting has ended.",
    },
    "removed": {
        "fi": "Työntekijä poisti sinut tapaamisesta.",
        "sv": "Medarbetaren tog bort dig från mötet.",
        "en": "The worker removed you from the meeting.",
    },
    "replaced": {
        "fi": "Tapaaminen avattiin toisessa ikkunassa tai laitteessa.",
        "sv": "Mötet öppnades i ett annat fönster eller en annan enhet.",
        "en": "The meeting was opened in another window or device.",
    },
    "you": {"fi": "Sinä", "sv": "Du", "en": "You"},
    "early": {
        "fi": "Tapaamiseen pääsee vähän ennen sen alkua.",
        "sv": "Du kan gå in i mötet en stund före början.",
        "en": "You can enter the meeting shortly before it starts.",
    },
    "opens_at": {"fi": "Linkki avautuu", "sv": "Länken öppnas", "en": "The link opens"},
    "closed": {
        "fi": "Tämän tapaamisen linkki ei ole enää voimassa.",
        "sv": "Länken till mötet gäller inte längre.",
        "en": "This meeting link is no longer valid.",
    },
    "unknown": {
        "fi": "Linkki ei toimi. Tarkista, että kopioit sen kokonaan.",
        "sv": "Länken fungerar inte. Kontrollera att du kopierade hela länken.",
        "en": "The link does not work. Check that you copied all of it.",
    },
    "meeting_at": {"fi": "Tapaaminen", "sv": "Mötet", "en": "Meeting"},
    "no_camera": {
        "fi": "Kameraa tai mikrofonia ei löytynyt. Voit silti osallistua.",
        "sv": "Ingen kamera eller mikrofon hittades. Du kan ändå delta.",
        "en": "No camera or microphone was found. You can still take part.",
    },
    "denied_chrome": {
        "fi": "Lupa estettiin. Napauta osoiterivin vasemmalla olevaa kuvaketta, valitse "
        "Luvat ja salli Kamera ja Mikrofoni. Lataa sitten sivu uudelleen.",
        "sv": "Tillståndet nekades. Tryck på ikonen till vänster om adressfältet, välj "
        "Behörigheter och tillåt Kamera och Mikrofon. Ladda sedan om sidan.",
        "en": "Permission was blocked. Tap the icon left of the address bar, choose "
        "Permissions and allow Camera and Microphone. Then reload the page.",
    },
    "denied_safari_ios": {
        "fi": "Lupa estettiin. Napauta osoiterivin aA-kuvaketta, valitse Verkkosivuston "
        "asetukset ja valitse Kamera ja Mikrofoni: Salli. Lataa sitten sivu uudelleen.",
        "sv": "Tillståndet nekades. Tryck på aA i adressfältet, välj Webbplatsinställningar "
        "och ställ Kamera och Mikrofon på Tillåt. Ladda sedan om sidan.",
        "en": "Permission was blocked. Tap aA in the address bar, choose Website Settings "
        "and set Camera and Microphone to Allow. Then reload the page.",
    },
    "denied_firefox": {
        "fi": "Lupa estettiin. Napauta osoiterivin lukko- tai kamerakuvaketta, poista esto "
        "kameralta ja mikrofonilta ja lataa sivu uudelleen.",
        "sv": "Tillståndet nekades. Tryck på lås- eller kameraikonen i adressfältet, ta bort "
        "blockeringen av kamera och mikrofon och ladda om sidan.",
        "en": "Permission was blocked. Tap the lock or camera icon in the address bar, "
        "remove the block on the camera and microphone, and reload the page.",
    },
    "denied_samsung": {
        "fi": "Lupa estettiin. Avaa valikko (☰), valitse Asetukset → Sivustot ja lataukset "
        "→ Sivuston käyttöoikeudet ja salli Kamera ja Mikrofoni. Lataa sitten sivu uudelleen.",
        "sv": "Tillståndet nekades. Öppna menyn (☰), välj Inställningar → Webbplatser och "
        "nedladdningar → Webbplatsbehörigheter och tillåt Kamera och Mikrofon. Ladda sedan "
        "om sidan.",
        "en": "Permission was blocked. Open the menu (☰), choose Settings → Sites and "
        "downloads → Site permissions and allow Camera and Microphone. Then reload the page.",
    },
    "language": {"fi": "Kieli", "sv": "Språk", "en": "Language"},
    "accessibility": {
        "fi": "Saavutettavuusseloste",
        "sv": "Tillgänglighetsutlåtande",
        "en": "Accessibility statement",
    },
    "new_tab": {
        "fi": "(avautuu uuteen välilehteen)",
        "sv": "(öppnas i en ny flik)",
        "en": "(opens in a new tab)",
    },
    "participants": {"fi": "Osallistujat", "sv": "Deltagare", "en": "Participants"},
    "kind_worker": {"fi": "Työntekijä", "sv": "Medarbetare", "en": "Worker"},
    "kind_family": {"fi": "Asiakas", "sv": "Klient", "en": "Client"},
    "kind_parent": {"fi": "Vanhempi", "sv": "Förälder", "en": "Parent"},
    "kind_interpreter": {"fi": "Tulkki", "sv": "Tolk", "en": "Interpreter"},
    "kind_colleague": {"fi": "Kollega", "sv": "Kollega", "en": "Colleague"},
}


def texts_for(lang: str) -> dict[str, str]:
    """Every text in one language (Finnish where the language is not known)."""
    lang = lang if lang in ("fi", "sv", "en") else "fi"
    return {key: value[lang] for key, value in TEXTS.items()}
