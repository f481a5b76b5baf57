"""Build real RFC 5322 message bytes the way real mail clients write them.

Independent of intake (it is the oracle the decoder is tested against).  Example:

    raw = (MessageBuilder(sender="gu@163.com", sender_name="顾莉燕", to="yaoy@moe.edu.cn",
                          subject="西藏报名回执", client="163")
           .text("姚老师：附件是报名回执。")
           .html("<p>姚老师：附件是报名回执。</p>")
           .attach("西藏报名回执.xlsx", xlsx_bytes)
           .header("X-Priority", "3")
           .build())

`client` picks how names, subject and bodies are encoded:
  qq           gb18030 encoded words, also inside quotes in name= and filename=;
               every attachment application/octet-stream; bodies base64
  163          GBK encoded words in quotes; real content types; bodies base64
  foxmail      gb2312 label (bytes are GBK/gb18030, as Foxmail really sends, so 喆 and 堃
               travel under a gb2312 label); text base64, html quoted-printable
  outlook      unquoted From encoded word; gb2312 (default) or charset="utf-8" encoded words
  apple        utf-8; filename*0*=utf-8''... RFC 2231 continuations; bodies quoted-printable
  thunderbird  UTF-8; filename*=UTF-8''...; bodies 8bit, format=flowed
`charset` overrides the client's label.  `split_mid_char=True` splits encoded words and
RFC 2231 segments in the middle of multi-byte characters, as some servers do.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import quote

CLIENTS = ("qq", "163", "foxmail", "outlook", "apple", "thunderbird")
DEFAULT_DATE = datetime(2023, 6, 12, 9, 38, 37, tzinfo=timezone(timedelta(hours=8)))
_CHARSET = {
    "qq": "gb18030",
    "163": "GBK",
    "foxmail": "gb2312",
    "outlook": "gb2312",
    "apple": "utf-8",
    "thunderbird": "UTF-8",
}
_MAILER = {
    "qq": ("X-QQ-Mailer", "QQMail 2.x"),
    "163": ("X-Mailer", "Coremail Webmail Server Version XT5.0.14"),
    "foxmail": ("X-Mailer", "Foxmail 7.2.25.228[cn]"),
    "outlook": ("X-Mailer", "Microsoft Outlook 16.0"),
    "apple": ("X-Mailer", "Apple Mail (2.3731.600.7)"),
    "thunderbird": ("User-Agent", "Mozilla Thunderbird"),
}
_TEXT_CTE = {
    "qq": "base64",
    "163": "base64",
    "foxmail": "base64",
    "outlook": "base64",
    "apple": "quoted-printable",
    "thunderbird": "8bit",
}
_HTML_CTE = {**_TEXT_CTE, "foxmail": "quoted-printable", "outlook": "quoted-printable"}
_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "doc": "application/msword",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "rar": "application/x-rar-compressed",
    "csv": "text/csv",
    "txt": "text/plain",
    "html": "text/html",
    "jpg": "image/jpeg",
    "png": "image/png",
    "wps": "application/kswps",
    "et": "application/kset",
    "eml": "message/rfc822",
}
Header = tuple[str, str | bytes]


def _codec(charset: str) -> str:
    """Real clients labelling gb2312 or GBK send GBK bytes; gb18030 is their superset."""
    return "gb18030" if charset.lower() in ("gb2312", "gbk", "gb18030", "cp936") else charset


def encoded_words(text: str, charset: str, *, split_mid_char: bool = False, chunk: int = 45) -> list[str]:
    """RFC 2047 B-encoded words of at most `chunk` raw bytes each."""
    codec = _codec(charset)
    pieces: list[bytes] = []
    if split_mid_char:
        data = text.encode(codec)
        pieces = [data[i : i + chunk] for i in range(0, len(data), chunk)] or [b""]
    else:
        current = b""
        for char in text:
            encoded = char.encode(codec)
            if current and len(current) + len(encoded) > chunk:
                pieces.append(current)
                current = b""
            current += encoded
        pieces.append(current)
    return [f"=?{charset}?B?{base64.b64encode(piece).decode('ascii')}?=" for piece in pieces]


def _b64_lines(data: bytes) -> bytes:
    return base64.encodebytes(data).rstrip(b"\n").replace(b"\n", b"\r\n")


def _qp_lines(text: str, codec: str) -> bytes:
    lines = [binascii.b2a_qp(line.encode(codec)).replace(b"=\n", b"=\r\n") for line in text.split("\n")]
    return b"\r\n".join(lines)


class MessageBuilder:
    def __init__(
        self,
        sender: str = "sender@example.com",
        sender_name: str = "",
        to: str | Sequence[str] = ("yaoy@moe.edu.cn",),
        subject: str = "",
        date: datetime | str | None = DEFAULT_DATE,
        charset: str | None = None,
        client: str = "qq",
        *,
        cc: Sequence[str] = (),
        message_id: str | None = None,
        split_mid_char: bool = False,
        multipart: str = "mixed",
        linesep: str = "\r\n",
    ) -> None:
        if client not in CLIENTS:
            raise ValueError(f"client must be one of {CLIENTS}")
        self.client = client
        self.charset = charset or _CHARSET[client]
        self.codec = _codec(self.charset)
        self.split_mid_char = split_mid_char
        self.multipart_type = multipart
        self.linesep = linesep
        self._parts: list[bytes] = []  # attachments and custom parts, in order
        self._text: bytes | None = None
        self._html: bytes | None = None
        self._serial = 0
        to_list = [to] if isinstance(to, str) else list(to)
        digest = hashlib.sha1(f"{client}{sender}{subject}".encode()).hexdigest()
        self._seed = digest[:16].upper()
        domain = sender.rpartition("@")[2] or "localhost"
        self._headers: list[Header] = [("Return-Path", f"<{sender}>")]
        if date is not None:
            self._headers.append(("Date", date if isinstance(date, str) else format_datetime(date)))
        self._headers += [
            ("From", self._mailbox(sender_name, sender)),
            ("To", ", ".join(to_list)),
            *([("Cc", ", ".join(cc))] if cc else []),
            ("Subject", self.encode_header_text(subject)),
            ("Message-ID", message_id if message_id is not None else f"<{digest[:24]}@{domain}>"),
            ("MIME-Version", "1.0"),
            _MAILER[client],
        ]

    # -- encoding in the client's style -------------------------------------------------------
    def encode_header_text(self, text: str) -> str:
        """A header value as this client writes it: plain ASCII, or folded encoded words."""
        if text.isascii():
            return text
        return "\r\n ".join(encoded_words(text, self.charset, split_mid_char=self.split_mid_char))

    def _mailbox(self, name: str, address: str) -> str:
        if not name:
            return address
        if name.isascii():
            return f'"{name}" <{address}>'
        words = " ".join(encoded_words(name, self.charset))
        if self.client in ("qq", "163", "foxmail"):
            return f'"{words}" <{address}>'
        return f"{words} <{address}>"

    def _filename_params(self, filename: str, content_type: str) -> tuple[str, str]:
        """(Content-Type value, Content-Disposition value) naming the file in the client's style."""
        t = "\r\n\t"
        words = " ".join(encoded_words(filename, self.charset, split_mid_char=self.split_mid_char))
        quoted = f'"{words}"' if not filename.isascii() else f'"{filename}"'
        if self.client == "qq":
            return (
                f'{content_type};{t}charset="{self.charset}";{t}name={quoted}',
                f"attachment; filename={quoted}",
            )
        if self.client in ("163", "outlook"):
            return f"{content_type};{t}name={quoted}", f"attachment;{t}filename={quoted}"
        if self.client == "foxmail":
            return f"{content_type};{t}name={quoted}", f"attachment;{t}filename={quoted}"
        encoded = quote(filename.encode(self.codec), safe="")
        if self.client == "thunderbird":
            return f"{content_type}; name={quoted}", f"attachment; filename*={self.charset}''{encoded}"
        segments = self._rfc2231_segments(encoded)
        lines = [
            f"filename*{i}*={self.charset}''{seg}" if i == 0 else f"filename*{i}*={seg}"
            for i, seg in enumerate(segments)
        ]
        return f"{content_type};{t}x-unix-mode=0644;{t}name={quoted}", "attachment;" + t + (";" + t).join(
            lines
        )

    def _rfc2231_segments(self, encoded: str, width: int = 60) -> list[str]:
        segments: list[str] = []
        while encoded:
            cut = min(width, len(encoded))
            while cut < len(encoded) and "%" in encoded[max(0, cut - 2) : cut]:
                cut -= 1  # never cut inside a %XX triple
            segments.append(encoded[:cut])
            encoded = encoded[cut:]
        return segments or [""]

    def _boundary(self) -> str:
        self._serial += 1
        style = {
            "qq": "----=_NextPart_{}_{}",
            "163": "----=_Part_{}_{}.1686022537000",
            "foxmail": "----=_00{1}_NextPart{0}_=----",
            "outlook": "----=_NextPart_00{1}_{0}",
            "apple": "Apple-Mail={}-{}",
            "thunderbird": "------------{}{}",
        }[self.client]
        return style.format(self._seed, self._serial)

    # -- content ---------------------------------------------------------------------------
    def _body_part(self, subtype: str, body: str, charset: str | None, encoding: str | None) -> bytes:
        charset = charset or self.charset
        codec = _codec(charset)
        cte = encoding or (_TEXT_CTE if subtype == "plain" else _HTML_CTE)[self.client]
        params = (
            f'charset="{charset}"' if self.client in ("qq", "foxmail", "outlook") else f"charset={charset}"
        )
        if self.client == "thunderbird" and subtype == "plain":
            params += "; format=flowed"
        if cte == "base64":
            payload = _b64_lines(body.replace("\n", "\r\n").encode(codec))
        elif cte == "quoted-printable":
            payload = _qp_lines(body, codec)
        else:
            payload = body.replace("\n", "\r\n").encode(codec)
        head = f"Content-Type: text/{subtype};\r\n\t{params}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
        return head.encode("ascii") + payload

    def text(self, body: str, *, charset: str | None = None, encoding: str | None = None) -> MessageBuilder:
        """The text/plain body; encoding 'base64' | 'quoted-printable' | '8bit' overrides the client's."""
        self._text = self._body_part("plain", body, charset, encoding)
        return self

    def html(self, body: str, *, charset: str | None = None, encoding: str | None = None) -> MessageBuilder:
        self._html = self._body_part("html", body, charset, encoding)
        return self

    def attach(
        self, filename: str, data: bytes, content_type: str | None = None, *, encoding: str = "base64"
    ) -> MessageBuilder:
        """An attachment named in the client's style ("" filename: a part with no name at all)."""
        ext = filename.rpartition(".")[2].lower()
        ctype = content_type or (
            "application/octet-stream" if self.client == "qq" else _TYPES.get(ext, "application/octet-stream")
        )
        if filename:
            ct_value, cd_value = self._filename_params(filename, ctype)
        else:
            ct_value, cd_value = ctype, "attachment"
        payload = _b64_lines(data) if encoding == "base64" else data
        head = (
            f"Content-Type: {ct_value}\r\nContent-Transfer-Encoding: {encoding}\r\n"
            f"Content-Disposition: {cd_value}\r\n\r\n"
        )
        self._parts.append(head.encode("ascii") + payload)
        return self

    def attach_message(self, raw: bytes, filename: str | None = None) -> MessageBuilder:
        """A forwarded message as a message/rfc822 part ("forward as attachment")."""
        ct_value, cd_value = ("message/rfc822", "attachment")
        if filename:
            ct_value, cd_value = self._filename_params(filename, "message/rfc822")
        head = f"Content-Type: {ct_value}\r\nContent-Disposition: {cd_value}\r\n\r\n"
        self._parts.append(head.encode("ascii") + raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        return self

    def part(self, content_type: str, body: bytes | str, headers: Sequence[Header] = ()) -> MessageBuilder:
        """A custom part written as given (e.g. message/delivery-status in a bounce)."""
        lines = [f"Content-Type: {content_type}".encode()]
        lines += [
            f"{name}: ".encode() + (value if isinstance(value, bytes) else value.encode())
            for name, value in headers
        ]
        payload = body.encode("utf-8") if isinstance(body, str) else body
        self._parts.append(
            b"\r\n".join(lines) + b"\r\n\r\n" + payload.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        )
        return self

    def header(self, name: str, value: str | bytes | None, *, replace: bool = True) -> MessageBuilder:
        """Set a header written as given (str non-ASCII goes out as raw UTF-8; bytes as raw bytes).

        replace=True replaces every header of that name (value None removes them);
        replace=False adds another one.
        """
        if replace:
            at = next((i for i, (key, _) in enumerate(self._headers) if key.lower() == name.lower()), None)
            self._headers = [h for h in self._headers if h[0].lower() != name.lower()]
            if value is not None:
                self._headers.insert(len(self._headers) if at is None else at, (name, value))
        elif value is not None:
            self._headers.append((name, value))
        return self

    # -- output ----------------------------------------------------------------------------
    def _multipart(self, subtype: str, parts: list[bytes]) -> bytes:
        boundary = self._boundary()
        out = [f'Content-Type: multipart/{subtype};\r\n\tboundary="{boundary}"\r\n\r\n'.encode()]
        out.append(b"This is a multi-part message in MIME format.\r\n")
        for part in parts:
            out.append(f"\r\n--{boundary}\r\n".encode() + part)
        out.append(f"\r\n--{boundary}--\r\n".encode())
        return b"".join(out)

    def build(self) -> bytes:
        bodies = [p for p in (self._text, self._html) if p is not None]
        if len(bodies) == 2:
            bodies = [self._multipart("alternative", bodies)]
        if self._parts:
            content = self._multipart(self.multipart_type, bodies + self._parts)
            if self.client == "qq":
                content = b"Content-Transfer-Encoding: 8Bit\r\n" + content
        elif bodies:
            content = bodies[0]
        else:
            content = self._body_part("plain", "", None, "8bit")
        head = b"".join(
            f"{name}: ".encode() + (value if isinstance(value, bytes) else value.encode("utf-8")) + b"\r\n"
            for name, value in self._headers
        )
        raw = head + content
        return raw if self.linesep == "\r\n" else raw.replace(b"\r\n", self.linesep.encode())
