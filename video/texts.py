"""The words of the video pages, from their own catalogues (``translations/video``).

The pages' scripts need them too (statuses change while the call runs), so they are kept
as one table of keys that the template renders and hands to the scripts as data.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp

# ruff: noqa: E501  (whole sentences read and translated best unbroken)

LANGUAGES = ("fi", "sv", "en")

# Texts with a context ("video") are worded differently elsewhere in the service.
TEXTS = {
    "title": _l("Video meeting"),
    "not_recorded": _l(
        "This meeting is not recorded. Video, sound and messages go only between the participants."
    ),
    "check_title": _l("Check your camera, microphone and connection"),
    "allow_devices": _l("Allow camera and microphone"),
    "allow_help": _l("Your browser will ask to use the camera and microphone. Choose Allow."),
    "self_view": _l("Your picture"),
    "mic_level": _l("Microphone level"),
    "mic_hint": _l("Speak: the bar should move."),
    "test_connection": _l("Test the connection"),
    "testing": _l("Testing the connection…"),
    "result_good": _l("Your connection is good."),
    "result_weak": _l(
        "Your connection is weak. You can take part with sound only: choose Audio only in the meeting."
    ),
    "result_none": _l(
        "No connection. Try another network, for example mobile data instead of Wi-Fi."
    ),
    "result_busy": _l("The test is busy right now. You can still go to the waiting room."),
    "rtt": _l("Delay"),
    "to_waiting": _l("Go to the waiting room"),
    "start_meeting": _l("Start the meeting"),
    "waiting_title": _l("Waiting room"),
    "waiting_text": _l("Please wait. The worker will let you into the meeting."),
    "host_absent": _l("The worker is not here yet."),
    "host_present": _l("The worker is here."),
    "host_seen": _l("The worker knows you are waiting."),
    "waiting_list": _l("Waiting"),
    "nobody_waiting": _l("Nobody is waiting."),
    "admit": _l("Admit"),
    "admit_all": _l("Admit everyone"),
    "display_name": _l("Your name in the meeting"),
    "display_name_hint": _l(
        "The others see only this name, never your phone number or e-mail address."
    ),
    "remove": _l("Remove"),
    "end_for_all": _l("End for everyone"),
    "leave": _l("Leave"),
    "mute": _l("Mute"),
    "unmute": _l("Unmute"),
    "camera_off": _l("Camera off"),
    "camera_on": _l("Camera on"),
    "flip": _l("Switch camera"),
    "share": _l("Share screen"),
    "stop_share": _l("Stop sharing"),
    "audio_only": _l("Audio only"),
    "video_back": _l("Video back on"),
    "audio_only_on": _l("Audio only: no video either way."),
    "chat": _l("Messages"),
    "chat_label": _l("Write a message"),
    "send": _l("Send"),
    "chat_note": _l("Messages are not saved."),
    "invite": _l("Invite a participant"),
    "invite_parent": _l("The other parent"),
    "invite_interpreter": _l("Interpreter"),
    "invite_colleague": _l("Colleague"),
    "invite_guest": _l("Guest from outside"),
    "invite_link": _l("Send this link to the person you invite:"),
    "room_full": _l("A meeting can have six participants at most."),
    "quality_good": _l("Good connection"),
    "quality_weak": _l("Weak connection"),
    "quality_bad": _l("Poor connection"),
    "reconnecting": _l("The connection dropped. Reconnecting…"),
    "joined": _l("joined"),
    "left": _l("left"),
    "you_left": _l("You left the meeting."),
    "ended": _l("The meeting has ended."),
    "cancelled": _l("This meeting was cancelled, so the link no longer works."),
    "reopen": _l("Reopen the meeting"),
    "reopen_hint": _l(
        "You ended the meeting. Until the meeting's time is over you can open it again: everyone's links work as before."
    ),
    "end_confirm": _l(
        "End the meeting for everyone? Everyone leaves the call. You can reopen it until the meeting's time is over."
    ),
    "end_yes": _l("Yes, end for everyone"),
    "end_no": _l("No, go on"),
    "removed": _l("The worker removed you from the meeting."),
    "replaced": _l("The meeting was opened in another window or device."),
    "you": _l("You"),
    "early": _l("You can enter the meeting shortly before it starts."),
    "opens_at": _l("The link opens"),
    "check_now": _l(
        "You can test your camera, microphone and connection now, as often as you like."
    ),
    "come_back": _l("Come back through this same link when the meeting opens."),
    "closed": _l("This meeting link is no longer valid."),
    "unknown": _l("The link does not work. Check that you copied all of it."),
    "meeting_at": _lp("video", "Meeting"),
    "no_camera": _l("No camera or microphone was found. You can still take part."),
    "denied_chrome": _l(
        "Permission was blocked. Tap the icon left of the address bar, choose Permissions and allow Camera and Microphone. Then reload the page."
    ),
    "denied_safari_ios": _l(
        "Permission was blocked. Tap aA in the address bar, choose Website Settings and set Camera and Microphone to Allow. Then reload the page."
    ),
    "denied_firefox": _l(
        "Permission was blocked. Tap the lock or camera icon in the address bar, remove the block on the camera and microphone, and reload the page."
    ),
    "denied_samsung": _l(
        "Permission was blocked. Open the menu (☰), choose Settings → Sites and downloads → Site permissions and allow Camera and Microphone. Then reload the page."
    ),
    "language": _l("Language"),
    "accessibility": _l("Accessibility statement"),
    "new_tab": _l("(opens in a new tab)"),
    "participants": _l("Participants"),
    "kind_worker": _lp("video", "Worker"),
    "kind_family": _l("Client"),
    "kind_parent": _l("Parent"),
    "kind_interpreter": _l("Interpreter"),
    "kind_colleague": _l("Colleague"),
    "kind_guest": _l("Guest"),
}


def texts_for(lang: str) -> dict[str, str]:
    """Every text in one language (Finnish where the language is not known)."""
    with force_locale(lang if lang in LANGUAGES else "fi"):
        return {key: str(value) for key, value in TEXTS.items()}
