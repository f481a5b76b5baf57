"""intake.mime.headers: charset labels, encoded words, RFC 2231 parameters, cleaning."""

from __future__ import annotations

import base64

import pytest

from intake.mime.charsets import decode_bytes, normalize_charset
from intake.mime.headers import (
    decode_header,
    decode_words,
    get_param,
    one_line,
    parse_addresses,
    parse_msgids,
)


def b_word(text: str, charset: str, codec: str | None = None) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(codec or charset)).decode()}?="


@pytest.mark.parametrize(
    "label",
    [
        "gb2312",
        "GB2312",
        "gbk",
        "GBK",
        "x-gbk",
        "cp936",
        "gb18030",
        "GB18030",
        "euc-cn",
        "csGB2312",
        '"gb2312"',
        "gb2312*zh-cn",
    ],
)
def test_every_gb_label_decodes_as_gb18030(label: str) -> None:
    assert normalize_charset(label) == "gb18030"


@pytest.mark.parametrize("label", ["utf8", "UTF-8", "unicode-1-1-utf-8", "utf-8"])
def test_utf8_aliases_map_to_utf8(label: str) -> None:
    assert normalize_charset(label) == "utf-8"


@pytest.mark.parametrize(
    "label", [None, "", "x-unknown", "unknown-8bit", "zlib", "rot13", "base64", "no-such"]
)
def test_unknown_or_non_text_charsets_are_treated_as_undeclared(label: str | None) -> None:
    assert normalize_charset(label) is None


def test_gb2312_labelled_text_keeps_characters_outside_gb2312() -> None:
    data = "王喆 李堃".encode("gbk")
    assert decode_bytes(data, "gb2312") == ("王喆 李堃", True)


def test_unknown_charset_falls_back_to_utf8_then_gb18030() -> None:
    assert decode_bytes("报名".encode(), "x-made-up") == ("报名", True)
    assert decode_bytes("报名".encode("gbk"), "x-made-up") == ("报名", True)


def test_bytes_invalid_everywhere_are_replaced_and_reported_unclean() -> None:
    text, clean = decode_bytes(b"ok \x81\xff", "utf-8")
    assert text.startswith("ok ") and not clean


def test_encoded_word_inside_quotes_is_decoded() -> None:
    assert (
        get_param(f'attachment; filename="{b_word("上海报名回执.xlsx", "gb18030")}"', "filename")
        == "上海报名回执.xlsx"
    )


def test_adjacent_encoded_words_split_inside_a_character_join_their_bytes() -> None:
    data = "广东省报名回执（补报）".encode("gb18030")
    first, second = data[:7], data[7:]  # 7 bytes: cuts the fourth character in half
    raw = (
        f"=?gb18030?B?{base64.b64encode(first).decode()}?=\r\n"
        f" =?gb18030?B?{base64.b64encode(second).decode()}?="
    )
    assert decode_header(raw) == "广东省报名回执（补报）"


def test_space_between_encoded_words_is_dropped_but_text_between_them_kept() -> None:
    assert decode_words(f"{b_word('报名', 'utf-8')} {b_word('回执', 'utf-8')}") == "报名回执"
    assert decode_words(f"Re: {b_word('报名', 'utf-8')} and {b_word('回执', 'utf-8')}") == "Re: 报名 and 回执"


def test_q_encoded_word_with_underscores_and_hex() -> None:
    assert decode_words("=?utf-8?Q?=E6=8A=A5=E5=90=8D_2023?=") == "报名 2023"


def test_mixed_charsets_in_one_header() -> None:
    raw = f"{b_word('报名', 'gbk')} {b_word('回执', 'utf-8')}"
    assert decode_header(raw) == "报名回执"


def test_undecodable_encoded_word_is_kept_literally() -> None:
    assert decode_words("=?utf-8?B?@@@?=") in ("=?utf-8?B?@@@?=", "")


def test_raw_8bit_header_is_utf8_when_valid_else_gb18030() -> None:
    as_utf8 = "报名回执".encode().decode("ascii", "surrogateescape")
    as_gbk = "王喆报名".encode("gbk").decode("ascii", "surrogateescape")
    assert decode_header(as_utf8) == "报名回执"
    assert decode_header(as_gbk) == "王喆报名"


def test_rfc2231_continuations_split_inside_a_utf8_character() -> None:
    raw = (
        "attachment;\r\n\tfilename*0*=utf-8''%E9%9D%92%E6%B5%B7%E7%9C%81%E6%8A%A5%E5%90%8D%E5%9B;"
        "\r\n\tfilename*1*=%9E%E6%89%A7.zip"
    )
    assert get_param(raw, "filename") == "青海省报名回执.zip"


def test_rfc2231_single_extended_value_with_gbk_charset() -> None:
    raw = "attachment; filename*=gbk''%CD%F5%86%B4.xlsx"
    assert get_param(raw, "filename") == "王喆.xlsx"


def test_rfc2231_value_wins_over_plain_value() -> None:
    raw = "attachment; filename=\"fallback.xlsx\"; filename*=UTF-8''%E5%9B%9E%E6%89%A7.xlsx"
    assert get_param(raw, "filename") == "回执.xlsx"


def test_quoted_parameter_with_semicolon_and_escaped_quote() -> None:
    assert get_param('attachment; filename="a;b \\"c\\".xlsx"; size=3', "filename") == 'a;b "c".xlsx'


def test_missing_parameter_is_none() -> None:
    assert get_param("attachment", "filename") is None


def test_one_line_removes_controls_bidi_and_line_separators() -> None:
    dirty = "报名\r\n回执\x00\x1b[31m \u202etxt.exe\u202c\u2028next\u2029\x85end\x7f\x9b"
    assert one_line(dirty) == "报名 回执[31m txt.exe next end"


def test_addresses_keep_commas_inside_encoded_display_names() -> None:
    name = b_word("张三, 李四", "utf-8")
    pairs = parse_addresses([f'"{name}" <ZS@Example.COM>, other@x.cn'])
    assert pairs == [("张三, 李四", "zs@example.com"), ("", "other@x.cn")]


def test_unparseable_address_is_skipped() -> None:
    assert parse_addresses(["<<<>>>,,,"]) == []


def test_message_ids_without_angle_brackets() -> None:
    assert parse_msgids("<a@b> <c@d>") == ["a@b", "c@d"]
    assert parse_msgids("bare@id") == ["bare@id"]
