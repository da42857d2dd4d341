"""Which network addresses a calendar feed may be read from.

An administrator types the feed's address, so the server must not become a way into its
own network: a feed is read only from a public internet address, unless the operator
allows internal ones (``ETAAIKA_FEED_ALLOW_PRIVATE``). The check is made on the address
that was resolved and is then connected to (``fetch.py`` pins the connection to it), so
a name that resolves to a public address once and to an internal one a moment later
cannot slip through.

No Flask, no database: plain values in, plain values out.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_TRUE_WORDS = ("true", "yes", "1", "on")
_FALSE_WORDS = ("", "false", "no", "0", "off", "none", "null")


class AddressRefused(Exception):
    """The feed's host is, or resolves to, an address the server must not connect to."""

    def __init__(self, address: str, kind: str) -> None:
        super().__init__(f"{address} is a {kind} address")
        self.address = address
        self.kind = kind


def effective(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address carries and leads to (IPv4-mapped, NAT64, 6to4,
    Teredo), else ``ip`` itself: ``::ffff:127.0.0.1`` is loopback, whatever its form."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
    return ip


def kind_of(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public internet address (``"loopback"``, ``"private"`` ...), or
    None when it is one."""
    ip = effective(ip)
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "non-public"
    return None


@dataclass(frozen=True)
class AddressPolicy:
    """The internal addresses an operator allows feeds from, on top of public ones.

    ``allow_internal`` opens loopback, private, shared and reserved ranges, but not
    link-local addresses (where cloud metadata services answer): those only by a listed
    network. No setting opens unspecified or multicast addresses.
    """

    allow_internal: bool = False
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_setting(cls, value: Any) -> AddressPolicy:
        """``True``/``"true"``: every internal address; a list of CIDRs (or one string of
        them, comma separated): those networks only; false or empty: public addresses only.
        A malformed network raises ValueError (the app refuses to start with it)."""
        if value is None or value is False:
            return cls()
        if value is True:
            return cls(allow_internal=True)
        if isinstance(value, str):
            word = value.strip().lower()
            if word in _TRUE_WORDS:
                return cls(allow_internal=True)
            if word in _FALSE_WORDS:
                return cls()
            value = [part for part in value.replace(";", ",").split(",") if part.strip()]
        if not isinstance(value, list | tuple):
            raise ValueError(f"FEED_ALLOW_PRIVATE: not true, false or a list of CIDRs: {value!r}")
        return cls(networks=tuple(ipaddress.ip_network(str(n).strip()) for n in value))

    def refusal(self, ip: IPAddress) -> str | None:
        """Why the server must not connect to ``ip`` under this policy, or None."""
        kind = kind_of(ip)
        if kind is None or kind in ("unspecified", "multicast"):
            return kind
        if any(ip in net or effective(ip) in net for net in self.networks):
            return None
        if self.allow_internal and kind != "link-local":
            return None
        return kind


def resolve(host: str, port: int, policy: AddressPolicy) -> IPAddress:
    """Resolve ``host`` once and return the address to connect to.

    Every address the name resolves to must pass ``policy`` (a name that mixes a public
    and an internal address is refused). Numeric forms such as ``127.1`` or
    ``2130706433`` are resolved by the system like any name, to what they really mean.
    Raises AddressRefused, or OSError when the name does not resolve.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        reason = policy.refusal(ip)
        if reason is not None:
            raise AddressRefused(str(ip), reason)
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise OSError(f"{host} has no address")
    return addresses[0]
