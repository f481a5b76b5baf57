"""decode_message and classify on hostile and random input: never raise, never leak CR/LF/NUL."""

from __future__ import annotations

import base64
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.mime.classify import KINDS, classify
from intake.mime.message import DecodedMessage, decode_message
from tests.guard import finishes
from tests.mailbuilder import MessageBuilder

FORBIDDEN = ("\r", "\n", "\x00")


def b64_word(data: bytes, charset: str = "utf-8") -> str:
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?="


def assert_one_line(msg: DecodedMessage) -> None:
    values = [
        msg.subject,
        msg.sender,
        msg.sender_name,
        msg.message_id,
        msg.in_reply_to,
        msg.reply_to,
        *msg.references,
        *msg.to,
        *msg.cc,
        *(a.filename for a in msg.attachments),
        *(name + value for name, value in msg.headers),
    ]
    for value in values:
        assert not any(char in value for char in FORBIDDEN), repr(value)


def test_crlf_injection_in_encoded_subject_stays_one_line() -> None:
    raw = MessageBuilder().header("Subject", b64_word(b"x\r\nBcc: evil@x")).text("x").build()
    msg = decode_message(raw)
    assert msg.subject == "x Bcc: evil@x"
    assert msg.header("bcc") is None
    assert_one_line(msg)


def test_crlf_and_nul_injection_in_filenames() -> None:
    word = b64_word("回执\r\nContent-Type: text/html\x00.xlsx".encode("gbk"), "gbk")
    raw = (
        b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
        b'Content-Type: application/octet-stream; name="' + word.encode() + b'"\r\n'
        b"Content-Disposition: attachment; filename*=utf-8''%E5%9B%9E%0D%0ABcc%3A%20x%00.xls\r\n\r\nA\r\n"
        b'--B\r\nContent-Type: application/pdf; name="' + word.encode() + b'"\r\n\r\nB\r\n--B--\r\n'
    )
    msg = decode_message(raw)
    # the "/" of "text/html" counts as a path separator: only the last component is kept
    assert [a.filename for a in msg.attachments] == ["回 Bcc: x.xls", "html.xlsx"]
    assert_one_line(msg)


def test_nul_bytes_and_bidi_overrides_are_removed_from_the_subject() -> None:
    raw = (
        MessageBuilder()
        .header(
            "Subject",
            b"a\x00b =?utf-8?Q?c=00d?= "
            + b64_word("\u202ecod.exe\u202c\u2066x\u2069\u2028y".encode()).encode(),
        )
        .text("x")
        .build()
    )
    # the space between the two adjacent encoded words is dropped, as RFC 2047 says
    assert decode_message(raw).subject == "ab cdcod.exex y"


def test_ten_thousand_character_header_lines() -> None:
    long_ascii = "报" * 10_000
    raw = (
        MessageBuilder(subject=long_ascii, client="qq")
        .header("X-Long", "a" * 10_000)
        .header("Subject2", b64_word(b"x" * 10_000))
        .text("x")
        .build()
    )
    msg = decode_message(raw)
    assert msg.subject == long_ascii and msg.header("x-long") == "a" * 10_000


def junk_headers(count: int) -> bytes:
    builder = MessageBuilder(subject="s")
    for index in range(count):
        builder.header("X-Junk", f"{b64_word(str(index).encode())} v", replace=False)
    return builder.text("x").build()


def calls_to_decode(raw: bytes) -> int:
    """Function calls (Python and C) made decoding raw: the work, counted instead of timed."""
    calls = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(count)
    try:
        decode_message(raw)
    finally:
        sys.setprofile(None)
    return calls


def test_thousands_of_headers_decode_in_linear_work() -> None:
    raw = junk_headers(5000)
    msg = finishes(lambda: decode_message(raw), "decoding 5000 headers")
    assert len(msg.header_all("x-junk")) == 5000 and msg.subject == "s"
    calls_to_decode(junk_headers(10))  # warm caches (codecs, regular expressions)
    small, large = calls_to_decode(junk_headers(1000)), calls_to_decode(raw)
    assert large <= 6 * small, f"{small} calls for 1000 headers, {large} for 5000: more than linear"


def test_deeply_nested_multiparts_do_not_raise() -> None:
    depth = 3000
    head = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(depth)
    )
    msg = decode_message(b"Subject: deep\r\n" + head + b"Content-Type: text/plain\r\n\r\nleaf\r\n")
    assert msg.subject == "deep" and msg.defects


def test_deeply_nested_forwards_do_not_raise() -> None:
    raw = MessageBuilder(subject="leaf").attach("a.xlsx", b"PK\x03\x04").build()
    for _ in range(60):
        raw = MessageBuilder(subject="fwd").attach_message(raw).build()
    msg = decode_message(raw)
    assert msg.subject == "fwd"


def test_many_parts_are_capped_and_reported() -> None:
    parts = b"".join(b"--B\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n" for _ in range(3000))
    msg = decode_message(b"Content-Type: multipart/mixed; boundary=B\r\n\r\n" + parts + b"--B--\r\n")
    assert 0 < len(msg.attachments) < 3000
    assert any("MIME parts" in defect for defect in msg.defects)


def test_hostile_charset_names_in_encoded_words() -> None:
    subject = " ".join(
        f"=?{charset}?B?{base64.b64encode(b'x+AGEA-y').decode()}?="
        for charset in ("zlib", "rot13", "base64", "utf-7", "../../etc", "x" * 200, "idna", "punycode")
    )
    msg = decode_message(MessageBuilder().header("Subject", subject).text("x").build())
    assert_one_line(msg)


def test_non_bytes_input_is_accepted() -> None:
    # Each input is not bytes on purpose: decode_message must tolerate what untyped callers pass.
    assert decode_message(bytearray(b"Subject: a\r\n\r\nb")).subject == "a"  # type: ignore[arg-type]  # not bytes, on purpose
    assert decode_message(memoryview(b"Subject: a\r\n\r\nb")).text == "b"  # type: ignore[arg-type]  # not bytes, on purpose
    assert decode_message("Subject: 报名\r\n\r\nb").subject == "报名"  # type: ignore[arg-type]  # not bytes, on purpose
    assert decode_message(None).defects  # type: ignore[arg-type]  # not bytes, on purpose


def check_total(raw: bytes) -> None:
    msg = decode_message(raw, max_attachment_bytes=4096)
    assert isinstance(msg, DecodedMessage)
    assert_one_line(msg)
    assert all(len(a.data) <= 4097 for a in msg.attachments)
    assert classify(msg).kind in KINDS


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    check_total(raw)


SEEDS = [
    MessageBuilder(sender_name="王喆", subject="报名回执", client="qq")
    .text("姓名 性别 单位")
    .html("<table><tr><td>喆</td></tr></table>")
    .attach("回执.xlsx", b"PK\x03\x04" + b"x" * 300)
    .build(),
    MessageBuilder(sender_name="李堃", subject="青海报名回执", client="apple")
    .text("x")
    .attach("青海省报名回执表格文件名很长很长很长很长很长.zip", b"PK\x03\x04" * 50)
    .build(),
    MessageBuilder(subject="Fwd", client="thunderbird")
    .attach_message(
        MessageBuilder(subject="inner", client="163").attach("a.xls", b"\xd0\xcf\x11\xe0" * 40).build()
    )
    .build(),
    MessageBuilder(sender="MAILER-DAEMON@x.cn", multipart="report; report-type=delivery-status")
    .text("failed")
    .part("message/delivery-status", "Reporting-MTA: dns; x\n\nAction: failed\n")
    .build(),
]


@st.composite
def spliced_messages(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(raw)))
        end = min(len(raw), start + draw(st.integers(0, 64)))
        noise = draw(
            st.one_of(
                st.binary(max_size=64),
                st.sampled_from(
                    [
                        b"\r\n",
                        b"\r\n\r\n",
                        b"--",
                        b"=?",
                        b"?=",
                        b'"',
                        b";",
                        b"\x00",
                        b"*0*=",
                        b"=?gb2312?B?",
                        b"\r\n--B--\r\n",
                        b"Content-Type: multipart/mixed\r\n",
                    ]
                ),
            )
        )
        raw[start:end] = noise
    return bytes(raw)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spliced_messages())
def test_valid_messages_with_random_bytes_spliced_in_never_raise(raw: bytes) -> None:
    check_total(raw)
