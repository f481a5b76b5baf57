"""Two mobiles in one 手机 cell: the first is registered and the sender is told which, by row."""

from __future__ import annotations

from intake.extract.normalize import other_mobiles
from rules.verdict import Severity, Status
from tests.test_verdict_probe import HENAN, ZZ1, found, judged


def test_the_first_mobile_is_registered_and_the_second_named_in_a_warning() -> None:
    people = [HENAN[0], (HENAN[1][0], HENAN[1][1], HENAN[1][2], "139 0000 0002 / 138-0000-0009")]
    v = judged("河南省教育厅", ZZ1, people)
    assert v.status is Status.ACCEPTED and v.participants[1].mobile == "13900000002"
    [warning] = found(v, "two_mobiles")
    assert warning.severity is Severity.WARNING and warning.row == 6 and warning.field == "mobile"
    assert "13900000002、13800000009" in warning.message and "已登记第一个 13900000002" in warning.message


def test_a_mobile_beside_an_office_phone_or_written_twice_is_one_mobile() -> None:
    assert other_mobiles("13900000002（微信同号）", "13900000002") == ()
    assert other_mobiles("13900000002\n0371-65432100", "13900000002") == ()
    assert other_mobiles("13900000002/13900000002", "13900000002") == ()
    assert other_mobiles("+86 139 0000 0002；13800000009", "13900000002") == ("13800000009",)
    assert other_mobiles("0371-65432100", "0371-65432100") == ()  # no mobile registered: bad_mobile says so
