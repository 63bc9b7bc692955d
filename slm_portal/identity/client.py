"""Where a request comes from: the client's IP address and browser, as the sign-in record and django-axes read them.

``X-Forwarded-For`` is anyone's to write, so it is believed only when the request comes from a proxy the portal is
told to trust (``SLM_TRUSTED_PROXIES``: addresses or networks). Then the address is the last one in the header that
is not itself a trusted proxy: each proxy appends the address it was reached from, so anything further left may be
made up by the client.
"""

import ipaddress

from django.conf import settings

USER_AGENT_LENGTH = 300


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address):
    return address is not None and any(address in network for network in settings.SLM_TRUSTED_PROXIES)


def client_ip(request):
    """The client's IP address as a string, or None when the request carries none that is valid."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if _trusted(remote):
        for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            address = _address(hop)
            if address is None:
                break  # a garbled header: fall back to the proxy's own address rather than guess
            if not _trusted(address):
                return str(address)
    return str(remote) if remote is not None else None


def user_agent(request):
    return request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH]
