"""SMS through an HTTP gateway: one JSON POST per message.

The request body is ``{"from": sender, "to": "+358…", "text": …, "reference": key}``
with HTTP basic auth when credentials are configured, and an ``Idempotency-Key``
header, so that a gateway that honours it drops a repeat after a dispatcher crash.
A 2xx answer means accepted; 408, 429 and 5xx are retried; any other 4xx is final.
"""

from __future__ import annotations

import requests

from notifications.channels.base import Channel, Outgoing, SendError
from notifications.config import SmsSettings

_RETRYABLE = {408, 425, 429}


class SmsHttpChannel(Channel):
    name = "sms"

    def __init__(self, settings: SmsSettings) -> None:
        self.settings = settings
        self._session: requests.Session | None = None

    def _http(self) -> requests.Session:
        if self._session is None:
            self._session = requests.Session()
            if self.settings.user:
                self._session.auth = (self.settings.user, self.settings.password or "")
        return self._session

    def send(self, message: Outgoing) -> None:
        body = {
            "from": self.settings.sender,
            "to": message.recipient,
            "text": message.text,
            "reference": message.idempotency_key,
        }
        try:
            response = self._http().post(
                self.settings.url,
                json=body,
                headers={"Idempotency-Key": message.idempotency_key},
                timeout=self.settings.timeout,
            )
        except requests.RequestException as exc:
            self.close()
            raise SendError(f"SMS gateway unreachable: {exc.__class__.__name__}") from exc
        if 200 <= response.status_code < 300:
            return
        permanent = 400 <= response.status_code < 500 and response.status_code not in _RETRYABLE
        raise SendError(
            f"SMS gateway answered {response.status_code}: {response.text[:200]}", permanent
        )

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
