"""Files sent as a download link instead of an attachment: QQ Mail's 超大附件, 163's 云附件, net disks.

QQ Mail, 163/126 and Coremail switch an attachment over their size limit (or one the sender picks
as 超大附件) to a link in the body: 「从QQ邮箱发来的超大附件 … 报名回执表.xlsx (25.3K, 2023年07月10日
到期) 进入下载页面：https://wx.mail.qq.com/ftn/download?…」.  Others paste a net-disk share (百度网盘,
微云, 天翼云盘 …).  We never fetch a link from a message (it is the sender's, it expires, and it may
be anything), so such a file is named back to the sender as not read, with how to send it instead.

A link counts when its host is a net disk, or a mail provider's host with a big-attachment path.
The file names are those written beside the links (a document's name with its extension); when none
is written, the file is named by the service.  Pure, never raises.
"""

from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

_LINK = re.compile(r"https?://[^\s\"'<>()（）]+", re.I)
# Net-disk share hosts (the host or any subdomain of it).
_DISKS = (
    "pan.baidu.com",
    "weiyun.com",
    "cloud.189.cn",
    "caiyun.139.com",
    "yun.139.com",
    "aliyundrive.com",
    "alipan.com",
    "pan.quark.cn",
    "123pan.com",
    "lanzoui.com",
    "lanzoux.com",
    "lanzouw.com",
    "wenshushu.cn",
    "jianguoyun.com",
    "feishu.cn",
    "u.163.com",
)
# Mail providers' hosts, and the path words of their big-attachment downloads.
_MAIL_HOSTS = ("qq.com", "163.com", "126.com", "yeah.net", "sina.com", "sohu.com", "aliyun.com", "edu.cn")
_BIG_PATH = re.compile(r"ftn|large-?attach|bigattach|bigfile|netfile|nffile|netdisk|fileshare", re.I)
# A document's name: no spaces or separators, brackets only in pairs (河南省报名回执（中职学生）.xlsx).
_NAME_CHAR = r"[^\s/\\:*?\"<>|（）()【】\[\]，,；;：:、]"
_FILE_NAME = re.compile(
    rf"((?:{_NAME_CHAR}|（{_NAME_CHAR}{{1,20}}）|\({_NAME_CHAR}{{1,20}}\)){{1,80}}"
    r"\.(?:xlsx|xlsm|xls|et|docx|doc|wps|csv|pdf|zip|rar|7z|jpe?g|png))(?![A-Za-z0-9])",
    re.I,
)
_TAG = re.compile(r"<[^>]*>")
_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.I)


@dataclass(frozen=True)
class CloudFiles:
    """What the sender's own words link to instead of attaching."""

    names: tuple[str, ...]  # the file names written beside the links, or the service's name
    hosts: tuple[str, ...]  # the link hosts, for the log


def cloud_files(text: str, html: str, attached: tuple[str, ...] = ()) -> CloudFiles:
    """The files this body links to instead of attaching (names already attached left out)."""
    try:
        return _cloud_files(text, html, attached)
    except Exception:  # never raises: a body we cannot look through has no links
        return CloudFiles((), ())


def _cloud_files(text: str, html: str, attached: tuple[str, ...]) -> CloudFiles:
    words = text + "\n" + html_module.unescape(_TAG.sub(" ", html))
    links = _LINK.findall(words) + [html_module.unescape(h) for h in _HREF.findall(html)]
    hosts = tuple(dict.fromkeys(host for host in map(_cloud_host, links) if host))
    if not hosts:
        return CloudFiles((), ())
    written = tuple(dict.fromkeys(m.strip() for m in _FILE_NAME.findall(_LINK.sub(" ", words))))
    if not written:
        return CloudFiles((f"（{_service(hosts[0])}下载链接）",), hosts)
    seen = {name.strip().lower() for name in attached}
    return CloudFiles(tuple(name for name in written if name.lower() not in seen), hosts)


def _cloud_host(link: str) -> str:
    """The link's host when it is a net disk or a mail provider's big-attachment download; else ""."""
    parts = urlsplit(link)
    host = (parts.hostname or "").lower()
    if any(host == d or host.endswith("." + d) for d in _DISKS):
        return host
    if any(host == m or host.endswith("." + m) for m in _MAIL_HOSTS) and _BIG_PATH.search(
        parts.path + "?" + parts.query
    ):
        return host
    return ""


def _service(host: str) -> str:
    if host.endswith("qq.com"):
        return "QQ邮箱超大附件"
    if host.endswith(("163.com", "126.com", "yeah.net")):
        return "网易邮箱云附件"
    return "网盘"
