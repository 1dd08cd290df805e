"""Whole flows in one call, for lessons that build on earlier steps, demos and tests.

Each helper calls the same public actions a learner would, so everything lands in the journal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from congdanso.world.identity.vneid import SECURITY_QUESTIONS
from congdanso.world.society.people import Person

if TYPE_CHECKING:
    from congdanso.world.dossiers.portal import PortalSession
    from congdanso.world.identity.vneid import VneidSession
    from congdanso.world.world import World

PRACTICE_PASSWORD = "TapHuan@2026"
PRACTICE_PASSCODE = "258036"


def activate_vneid(world: World, person: Person, *, level: int = 2,
                   password: str = PRACTICE_PASSWORD,
                   passcode: str = PRACTICE_PASSCODE) -> VneidSession:
    """Register (level 1 in the app, or level 2 at ward police), activate and log in.

    Resumes where the resident is: re-running a lesson's cell does not fail on steps already
    done (the journal keeps both runs).
    """
    from congdanso.world.identity.vneid import ACTIVATING, ACTIVE, APPROVED

    assert person.phone is not None, "this resident has no phone"
    account = world.vneid.account_of(person.id_number)
    if account is None or (level == 2 and account.level < 2):
        if level == 2:
            world.police.enroll_level2(person.id_number, person.phone)
        else:
            world.vneid.register(person.id_number, person.phone)
        account = world.vneid.account_of(person.id_number)
    assert account is not None
    if account.status == APPROVED or (account.status == ACTIVATING and account.step == "otp"):
        world.vneid.activate(person.id_number, person.phone) if account.status == APPROVED \
            else world.vneid.resend_otp(person.id_number)
        world.vneid.verify_otp(person.id_number, world.inbox(person.phone).latest_otp() or "")
    if account.status == ACTIVATING and account.step == "password":
        world.vneid.set_password(person.id_number, password, password)
    if account.status == ACTIVATING and account.step == "passcode":
        world.vneid.set_passcode(person.id_number, passcode, passcode)
    if account.status == ACTIVATING and account.step == "questions":
        world.vneid.set_security_questions(person.id_number, list(SECURITY_QUESTIONS[:2]),
                                           ["Trường Tiểu học Lái Thiêu", "Bông"])
    assert account.status == ACTIVE
    return world.vneid.login(person.id_number, password)


def portal_login_with_vneid(
    world: World, vneid_session: VneidSession, passcode: str = PRACTICE_PASSCODE
) -> PortalSession:
    """Open the portal's VNeID login, scan its QR in the app, confirm, and finish."""
    qr = world.portal.start_vneid_login()
    world.vneid.scan_qr(vneid_session.token, qr.payload)
    world.vneid.confirm_qr(vneid_session.token, qr.payload, passcode)
    return world.portal.finish_vneid_login(qr.token)
