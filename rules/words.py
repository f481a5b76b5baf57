"""What the sender's own words say, when no receipt came with them: a question, thanks, or a note
that a receipt is attached (a covering note that forgot the file).  Pure.

Only the sender's own words are read (the quoted history stripped, intake/mime/quoting.py).
A question is anything that asks: a question mark, the interrogatives provincial staff write
(能否, 可否, 是否, 请问, 吗 ...), a change asked for in words (换成, 增加, 不能参加 ...), or words that
nobody will come (无人参加, 不派员).  Thanks is a short message made of thanks and receipt of mail
(收到，谢谢！), nothing else.  A covering note says a file is attached (见附件, 附件是, 请查收).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ASKS = re.compile(
    r"[?？]|能否|可否|是否|请问|能不能|可不可以|可以吗|行不行|怎么|怎样|如何|为什么|为何|哪[里儿些个天位]|多少|几[个人天位期号]"
    r"|什么|咨询|请教|想问|问一下|请告知|麻烦告知|请回复|请答复|吗[\s。，,!！]*$|吗[。，,]|呢[\s。，,]*$",
    re.M,
)
_THANKS = re.compile(
    r"收到|谢谢|感谢|多谢|辛苦|好的|已阅|明白|知道了|了解|OK|ok|thanks?|thank you|received", re.I
)
_COVERING = re.compile(
    r"见附件|详见附件|附件[是为中里有]|附件.{0,6}(?:回执|名单|报名表)|附上|随信|随邮件|请查收|请查阅|烦请查收|已修改|修改后|更正后|重新发送|重发"
)
# Greetings, sign-offs and the like that a thank-you note also holds; removed before judging "only thanks".
_POLITE = re.compile(
    r"老师|您好|你好|尊敬的|各位|领导|同志|此致|敬礼|祝好|顺祝|商祺|工作顺利|的|了|啊|呀|哈|！|!|。|，|,|、|\.|~|～"
)
_SIGNATURE = re.compile(r"^\s*(?:--\s*$|发自|来自|Sent from|Get Outlook)", re.I | re.M)
# Words that ask for a change without a question mark, or say that nobody will come (a province that
# sends no one: 「我省本期无人参加」 is for a person to record, never a 「请填写回执表」 by rule).
_REQUESTS = re.compile(
    r"更换|换成|替换|改为|改成|调整|变更|增加|增报|减少|删除|取消|不来|不能参加|无法参加|补报|请假|退出"
    r"|无人参|无人报名|不派员|不派人|不参加|不参训|不参会|不报名|放弃参"
)
_THANKS_ONLY = 12  # characters left beside the thanks words: more is something to read
# Links ask nothing: the ? of https://wx.mail.qq.com/ftn/download?k=… (a 超大附件) is not a question.
_LINKS = re.compile(r"(?:https?|ftp)://\S+|www\.\S+", re.I)


@dataclass(frozen=True)
class Words:
    """What the sender's own words do."""

    asks: bool  # a question, or a change asked for in words
    thanks: bool  # only thanks / receipt of mail
    covering: bool  # says a receipt is attached
    empty: bool  # nothing written at all (a bare forward, an empty reply)


def read_words(own_text: str) -> Words:
    text = _LINKS.sub(" ", _before_signature(own_text)).strip()
    compact = re.sub(r"\s+", "", text)
    asks = bool(_ASKS.search(text) or _REQUESTS.search(compact))
    covering = bool(_COVERING.search(compact))
    leftover = _POLITE.sub("", _THANKS.sub("", compact))
    thanks = bool(_THANKS.search(compact)) and not asks and not covering and len(leftover) <= _THANKS_ONLY
    return Words(asks=asks, thanks=thanks, covering=covering and not asks, empty=not compact)


# What asks a person something beside a receipt: a question mark or an interrogative.  Narrower than
# _ASKS: a covering note's 「收到请回复」 or 「请核对是否有误」 asks nothing of a person, and a change in
# words (补报, 替换) is what the attached receipt itself does.
_QUESTION = re.compile(r"[?？]|能否|可否|请问|能不能|可不可以|可以吗|行不行|想问|问一下|请教|咨询")


def asks_beside_a_receipt(own_text: str) -> bool:
    """Do the words sent with a receipt ask a person something (「另外，能否多报一人？」)?"""
    return bool(_QUESTION.search(_LINKS.sub(" ", _before_signature(own_text))))


def _before_signature(text: str) -> str:
    found = _SIGNATURE.search(text)
    return text[: found.start()] if found else text


# Words about a training, its places and its people: with a unit of the notice in a short question,
# they make it a province's question for a person (「请问第二期还有名额吗？河南省教育厅」), where
# 「海南好玩吗？」 stays a friend's.
_TRAINING = re.compile(
    r"培训|名额|参训|参会|住宿|入住|报到|第[一二三四五六七八九十\d]+期|会议|回执|报名|领队|会务"
)


def about_training(text: str) -> bool:
    return bool(_TRAINING.search(text))
