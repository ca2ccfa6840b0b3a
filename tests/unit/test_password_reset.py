"""A forgotten password: a single-use link by mail, stored hashed, that tells nobody anything."""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.conftest import fast_settings
from tests.fakes import FakeClock, FakeMailServer, FakePasswordHasher, FakeRandom
from tests.unit.conftest import ALICE_PASSWORD, stored_user
from webstore import LoginResult, Principal, Webstore, bootstrap
from webstore.adapters.memory import InMemoryUnitOfWorkFactory
from webstore.application.errors import InvalidToken, Throttled
from webstore.domain.errors import InvalidCredentials, InvalidInput, InvalidResetToken
from webstore.domain.mail import MailKind

NEW_PASSWORD = "through the looking glass"
LINK = re.compile(r"^https://shop\.example\.com/#reset=([A-Za-z0-9_-]{43})$", re.MULTILINE)


@pytest.fixture
def mail_server() -> FakeMailServer:
    return FakeMailServer()


@pytest.fixture
def store(clock: FakeClock, hasher: FakePasswordHasher, mail_server: FakeMailServer) -> Webstore:
    settings = fast_settings(public_url="https://shop.example.com/", password_reset_ttl=1800)
    return bootstrap(settings, clock=clock, hasher=hasher, random=FakeRandom(), mailer=mail_server)


def links(store: Webstore, mail_server: FakeMailServer, address: str) -> list[str]:
    """The tokens of the reset links mailed to ``address`` (sending what is pending)."""
    store.send_pending_mail()
    return [
        LINK.findall(message.mail.body)[0]
        for message in mail_server.sent_to(address)
        if message.mail.kind is MailKind.PASSWORD_RESET
    ]


def database(store: Webstore) -> InMemoryUnitOfWorkFactory:
    assert isinstance(store.uow, InMemoryUnitOfWorkFactory)
    return store.uow


def test_a_reset_mails_a_link_whose_token_is_stored_only_hashed(
    store: Webstore, alice: Principal, mail_server: FakeMailServer
) -> None:
    store.request_password_reset("alice")

    [token] = links(store, mail_server, "alice@example.com")
    [message] = mail_server.sent_to("alice@example.com")
    assert message.mail.subject == "Reset your password"
    assert "within 30 minutes" in message.mail.body
    resets = database(store).database.password_resets
    assert list(resets) == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in str(resets)


def test_the_link_sets_a_new_password_once_and_ends_every_session(
    store: Webstore, alice_login: LoginResult, mail_server: FakeMailServer
) -> None:
    store.request_password_reset("alice")
    [token] = links(store, mail_server, "alice@example.com")

    store.reset_password(token, NEW_PASSWORD)

    assert stored_user(store, "alice").password_hash == "hashed:" + NEW_PASSWORD
    with pytest.raises(InvalidToken):
        store.authenticate(alice_login.access_token)
    with pytest.raises(InvalidCredentials):
        store.log_in("alice", ALICE_PASSWORD)
    store.log_in("alice", NEW_PASSWORD)
    with pytest.raises(InvalidResetToken) as refused:
        store.reset_password(token, "yet another secret")
    assert refused.value.errors == {
        "token": ["This password reset link is invalid, used or expired."]
    }
    assert stored_user(store, "alice").password_hash == "hashed:" + NEW_PASSWORD


def test_a_link_expires_after_its_lifetime(
    store: Webstore, alice: Principal, mail_server: FakeMailServer, clock: FakeClock
) -> None:
    store.request_password_reset("alice")
    [token] = links(store, mail_server, "alice@example.com")
    clock.advance(1799)
    store.request_password_reset("alice")
    [_, later] = links(store, mail_server, "alice@example.com")
    clock.advance(1)

    with pytest.raises(InvalidResetToken):
        store.reset_password(token, NEW_PASSWORD)
    store.reset_password(later, NEW_PASSWORD)


def test_unknown_and_malformed_tokens_are_refused_alike(store: Webstore, alice: Principal) -> None:
    for token in ("x" * 43, "not even base64 !", "é"):
        with pytest.raises(InvalidResetToken):
            store.reset_password(token, NEW_PASSWORD)


def test_using_one_link_spends_the_others_and_forgives_failed_logins(
    store: Webstore, alice: Principal, mail_server: FakeMailServer
) -> None:
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            store.log_in("alice", "a guess")
    store.request_password_reset("alice")
    store.request_password_reset("alice@example.com")
    first, second = links(store, mail_server, "alice@example.com")

    store.reset_password(second, NEW_PASSWORD)

    with pytest.raises(InvalidResetToken):
        store.reset_password(first, "yet another secret")
    store.log_in("alice", NEW_PASSWORD)  # not throttled any more


def test_a_password_changed_otherwise_spends_every_link(
    store: Webstore, alice: Principal, admin: Principal, mail_server: FakeMailServer
) -> None:
    store.request_password_reset("alice")
    store.request_password_reset("alice")
    first, second = links(store, mail_server, "alice@example.com")

    store.change_own_password(alice, ALICE_PASSWORD, NEW_PASSWORD)
    with pytest.raises(InvalidResetToken):
        store.reset_password(first, "yet another secret")
    store.change_password(admin, "alice", "the admin's choice")
    with pytest.raises(InvalidResetToken):
        store.reset_password(second, "yet another secret")


def test_the_address_matches_whatever_its_case_and_reaches_every_account_it_belongs_to(
    store: Webstore, mail_server: FakeMailServer
) -> None:
    store.register_user("alice", "Alice@Example.com", ALICE_PASSWORD)
    store.register_user("alice-work", "alice@example.com", ALICE_PASSWORD)

    store.request_password_reset("ALICE@example.COM")

    store.send_pending_mail()
    assert sorted(m.mail.to for m in mail_server.sent) == ["Alice@example.com", "alice@example.com"]
    assert "Hello alice-work," in mail_server.sent_to("alice@example.com")[0].mail.body


def test_unknown_and_inactive_accounts_get_the_same_answer_and_no_mail(
    store: Webstore, admin: Principal, mail_server: FakeMailServer
) -> None:
    store.register_user("dormouse", "dormouse@example.com", ALICE_PASSWORD)
    store.set_user_active(admin, "dormouse", False)

    assert store.request_password_reset("dormouse") is None
    assert store.request_password_reset("nobody@example.com") is None
    assert store.request_password_reset("nobody") is None

    store.send_pending_mail()
    assert mail_server.sent == []
    assert database(store).database.password_resets == {}


def test_a_user_deactivated_after_asking_cannot_use_the_link(
    store: Webstore, alice: Principal, admin: Principal, mail_server: FakeMailServer
) -> None:
    store.request_password_reset("alice")
    [token] = links(store, mail_server, "alice@example.com")
    store.set_user_active(admin, "alice", False)
    store.set_user_active(admin, "alice", True)

    with pytest.raises(InvalidResetToken):
        store.reset_password(token, NEW_PASSWORD)


def test_requests_are_throttled_per_username_or_address_as_logins_are(
    store: Webstore, alice: Principal
) -> None:
    for _ in range(5):
        store.request_password_reset("nobody", "203.0.113.7")

    with pytest.raises(Throttled):
        store.request_password_reset("nobody", "198.51.100.1")
    with pytest.raises(Throttled):
        store.request_password_reset("NOBODY")  # the same name
    store.request_password_reset("alice", "203.0.113.7")
    store.log_in("alice", ALICE_PASSWORD)  # logins are counted apart


def test_requests_are_throttled_per_client_address(store: Webstore) -> None:
    for n in range(50):
        store.request_password_reset(f"name-{n}", "203.0.113.7")

    with pytest.raises(Throttled):
        store.request_password_reset("name-50", "203.0.113.7")
    store.request_password_reset("name-50", "198.51.100.1")


def test_an_account_gets_no_more_than_three_live_links(
    store: Webstore, alice: Principal, mail_server: FakeMailServer, clock: FakeClock
) -> None:
    for _ in range(4):
        store.request_password_reset("alice")
    assert len(links(store, mail_server, "alice@example.com")) == 3

    clock.advance(1800)  # they expire
    store.request_password_reset("alice")
    assert len(links(store, mail_server, "alice@example.com")) == 4


def test_a_bad_request_names_its_field(store: Webstore) -> None:
    with pytest.raises(InvalidInput) as refused:
        store.request_password_reset("   ")
    assert refused.value.errors == {"username_or_email": ["This field may not be blank."]}

    with pytest.raises(InvalidInput) as refused:
        store.reset_password(None, "short")  # type: ignore[arg-type]
    assert refused.value.errors == {
        "token": ["This field may not be null."],
        "new_password": ["This password is too short. It must contain at least 8 characters."],
    }
