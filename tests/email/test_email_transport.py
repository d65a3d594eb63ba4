"""COREGROUP_SMTP_URL's three shapes, and the settings that choose the route."""

from __future__ import annotations

import pytest

from bot.email.transport import SmtpTransport, parse_smtp_url, transport_from_settings
from bot.settings import Settings


def test_the_three_smtp_url_shapes() -> None:
    s = parse_smtp_url("smtp://cg%40council.example:p%3Ass@mail.council.example:587")
    assert (s.host, s.port, s.implicit_tls, s.user, s.password) == (
        "mail.council.example",
        587,
        False,
        "cg@council.example",
        "p:ss",
    )
    s = parse_smtp_url("smtps://cg:pw@mail.council.example")
    assert (s.port, s.implicit_tls) == (465, True)
    s = parse_smtp_url("smtp://relay.council.example:25")
    assert (s.port, s.user, s.password) == (25, None, None)
    with pytest.raises(ValueError, match=r"smtp://user:password@mail\.council\.gov\.uk:587"):
        parse_smtp_url("mail.council.example:25")


def test_smtp_needs_a_from_address_and_nothing_means_no_email() -> None:
    assert transport_from_settings(Settings()) is None
    assert Settings().email_ready is False
    with pytest.raises(ValueError, match="COREGROUP_MAIL_FROM must be set"):
        transport_from_settings(Settings(COREGROUP_SMTP_URL="smtp://relay.council.example:25"))
    t = transport_from_settings(
        Settings(
            COREGROUP_SMTP_URL="smtp://relay.council.example:25", COREGROUP_MAIL_FROM="cg@council.example"
        )
    )
    assert isinstance(t, SmtpTransport) and t.sender == "cg@council.example"
