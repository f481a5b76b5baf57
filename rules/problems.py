"""Every problem code in one table: its default severity and its Chinese explanation.

A message says what is wrong and how to fix it.  Templates are str.format
strings; `problem()` fills them and prefixes the row and column when known.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from rules.verdict import Problem, Severity

ERROR = Severity.ERROR
WARNING = Severity.WARNING

FIELD_LABELS = {
    "name": "姓名",
    "gender": "性别",
    "unit": "单位",
    "title": "职务",
    "mobile": "手机",
    "email": "电子邮箱",
    "arrival": "抵达酒店时间",
    "leader": "领队",
    "province": "省级教育行政部门名称",
    "meeting": "会议名称和期数",
    "attachment": "附件",
}


@dataclass(frozen=True)
class Kind:
    severity: Severity
    text: str  # what is wrong and how to fix it


KINDS: dict[str, Kind] = {
    "no_form": Kind(
        ERROR,
        "邮件中没有找到报名回执表（附件或正文表格）。请按通知附件3的《报名回执表》填写，"
        "以 Excel（.xlsx）或 Word（.docx）附件回复本邮件。",
    ),
    "unreadable_attachment": Kind(ERROR, "附件“{filename}”无法读取：{reason}。{fix}"),
    "unknown_province": Kind(
        ERROR,
        "无法确定报送单位所属省份{seen}。请在“省级教育行政部门名称”一栏填写完整名称"
        "（如“河南省教育厅”），修改后重新发送。",
    ),
    "province_from_place": Kind(
        ERROR,
        "“省级教育行政部门名称”填写的是“{written}”（{province}），不是省级教育行政部门。"
        "按通知，报名回执由各省级教育行政部门统一汇总报送，本回执没有登记。"
        "请将参训人员报给{department}，由其汇总后发送；如本单位受省级教育行政部门委托报送，"
        "请在“省级教育行政部门名称”中填写“{department}”后重新发送。",
    ),
    "unknown_program": Kind(
        ERROR,
        "无法确定本回执报名的是哪项培训（{programs}），回执没有登记。"
        "请在“会议名称和期数”中写明培训名称和期数（如“{example}”），发送到该期的报名邮箱。",
    ),
    "program_no_receipt": Kind(
        ERROR,
        "“{program}”由各省级教育行政部门自行组织实施，不需要向本邮箱报送回执。"
        "如要报名中职学生管理系统或高职状态平台培训，请在“会议名称和期数”中写明培训名称和期数。",
    ),
    "province_not_in_session": Kind(
        ERROR,
        "{province}不在{program}第{period}期的参训范围内。按通知安排，{province}"
        "参加第{right_period}期（{dates}，{city}），回执请于{deadline}前发送至 {mailbox}。"
        "请把“会议名称和期数”改为第{right_period}期后发送到该邮箱。",
    ),
    # what: "“太原市教育局”报名 3 人" or "“苏州市”报名 2 所学校（…）"; over: the rule broken, with its limit
    "quota_exceeded": Kind(ERROR, "{what}{merged}，{over}。{fix}"),
    "missing_field": Kind(ERROR, "未填写{label}。请补全后重新发送。"),
    "bad_mobile": Kind(
        ERROR,
        "手机号“{value}”不是有效的 11 位手机号码。请填写本人手机号（如 13812345678），不要填写座机或分机号。",
    ),
    "two_mobiles": Kind(
        WARNING,
        "填写了多个号码（{value}），已登记第一个 {mobile}。如应登记另一个，请更正后重新发送。",
    ),
    "bad_email": Kind(ERROR, "电子邮箱“{value}”格式不正确。请填写完整的邮箱地址（如 name@example.com）。"),
    "bad_gender": Kind(ERROR, "性别“{value}”无法识别。请填写“男”或“女”。"),
    "duplicate_person": Kind(
        ERROR, "{name}与第 {other_row} 行重复（{why}）。同一人只需填写一次，请删除重复行。"
    ),
    "arrival_unreadable": Kind(
        WARNING,
        "抵达时间“{value}”不是有效的日期，无法安排住宿。请按“{example} 15:00”的格式填写后重新发送。",
    ),
    "unit_kind_unknown": Kind(
        WARNING,
        "单位“{value}”不是{program}通知所列的参训单位（{invited}），名额无法核定。"
        "请核对单位名称（如写全“××市教育局”“××学校”）；如确为受邀单位，无需处理，会务组将人工核对。",
    ),
    "unit_county_bureau": Kind(
        WARNING,
        "单位“{value}”看起来是县级（{county}）教育行政部门，而{program}邀请的是地市级教育行政部门"
        "（每单位限 {limit} 人）。请核对单位名称；如确需参加，无需处理，会务组将人工核对。",
    ),
    "unit_other_province": Kind(
        WARNING,
        "单位“{value}”属于{other}，但本回执是{province}的报名回执。"
        "请核对单位名称；其他省份人员请由所在省份报名。如无误，无需处理，会务组将人工核对。",
    ),
    "wrong_mailbox": Kind(
        WARNING,
        "本回执发送到了 {got}，但{province}{program}第{period}期的报名邮箱是 {mailbox}。"
        "我们已按省份登记，今后相关邮件请发送至 {mailbox}。",
    ),
    "late": Kind(
        WARNING,
        "回执于 {received} 收到，已超过第{period}期报名截止时间 {deadline}。"
        "已登记，但请尽快与会务组联系确认是否仍可参训。",
    ),
    "arrival_out_of_window": Kind(
        WARNING,
        "抵达时间“{value}”不在培训日期附近（{start} 至 {end}，可提前 {before} 天报到）。请核对后更正。",
    ),
    "leader_missing": Kind(WARNING, "回执中没有指定领队。请在{label}一栏为一位参训人员填写“是”。"),
    "leader_multiple": Kind(
        WARNING, "回执中有 {count} 位领队（{names}）。每省只需一位领队，请只保留一位“是”。"
    ),
    "period_inferred": Kind(
        WARNING,
        "回执未写明会议名称和期数，已按省份确定为{program}第{period}期（{dates}，{city}）。"
        "如有误请在“会议名称和期数”中注明后重新发送。",
    ),
    "meeting_two_programs": Kind(
        WARNING,
        "“会议名称和期数”写的是“{meeting}”，同时写了{named}。一份回执只能报名一项培训，"
        "本回执已登记为{program}第{period}期（{dates}，{city}）。"
        "如另一项培训也要报名，请另填一份回执，发送到该培训本期的报名邮箱；如登记有误，请改正“会议名称和期数”后重新发送。",
    ),
    "ocr_uncertain": Kind(
        WARNING,
        "这一项是从扫描件或照片中识别的，识别为“{value}”，但把握不大。请核对，如有误请回复更正"
        "（最好附上可编辑的 .xlsx 或 .docx 回执表）。",
    ),
    "rows_unplaced": Kind(
        ERROR,
        "{where}第 {rows} 行（{names}）看起来是参训人员，但这些行的列与报名回执表对不上，"
        "无法确定各列内容，这些人员没有登记。请把他们填入报名回执表（姓名、性别、单位、职务、手机等各占一列，"
        "与回执表同一张表格），修改后重新发送。",
    ),
    "other_receipt": Kind(
        WARNING,
        "邮件中还有一份报名回执（{where}：{what}，{count} 人）与本回执不是同一单位或同一期培训，没有登记。"
        "本次只登记了{this}的回执。每封邮件请只附一份回执，另一份请单独发送到相应期次的报名邮箱。",
    ),
    "other_receipt_unjoined": Kind(
        ERROR,
        "邮件中还有一份报名回执（{where}：{what}，{count} 人）与本回执的单位和期数看起来相同，"
        "但单独成表，无法确定是否属于同一份名单，这些人员没有登记。"
        "请把全部参训人员填在同一张报名回执表中，修改后重新发送。",
    ),
    "supplement_ambiguous": Kind(
        WARNING,
        "本回执注明“{word}”（{where}），但{names}已在登记名单中，无法确定是补报还是完整名单，"
        "已按完整名单登记，替换了原来的 {before} 人名单（现共 {after} 人）。如果只是增加人员，"
        "请只填写新增人员、注明补报后重新发送；如果本回执就是完整名单，无需处理。",
    ),
    "supplement_without_roster": Kind(
        WARNING,
        "本回执注明“{word}”（{where}），但此前没有已确认的报名名单可以补充，已按完整名单登记。"
        "如还有此前报送的人员，请把全部人员填在同一张回执表中重新发送。",
    ),
    "roster_replaced_whole": Kind(
        WARNING,
        "本回执与已登记的名单（{before} 人：{names}）没有相同人员，已按完整名单替换原名单，原名单人员不再登记。"
        "如果原名单人员仍要参训，请把他们和本次人员填在同一张回执表中重新发送，或只发送新增人员并在邮件主题中注明补报。",
    ),
    "sender_unverified": Kind(
        WARNING,
        "发件地址 {sender} 不在{province}登记的报送邮箱名单中。如确为贵单位报送，"
        "请忽略本提示；会务组将人工核对。",
    ),
}


# duplicate_person when two rows share a mobile but not a name: one of them most likely copied it.
SHARED_MOBILE = (
    "手机号“{value}”与第 {other_row} 行（{other}）相同。每位参训人员请填写本人手机号；"
    "如是同一人，请删除重复行。核对更正后重新发送。"
)


class UnreadableReason(StrEnum):
    """Why a file could not be read (the readers' UnreadableAttachment.reason)."""

    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"
    TOO_LARGE = "too_large"
    TOO_MANY_ROWS = "too_many_rows"
    ZIP_BOMB = "zip_bomb"
    UNSUPPORTED = "unsupported"
    LEGACY_FORMAT = "legacy_format"
    WINMAIL = "winmail"
    EMPTY = "empty"
    OUT_OF_TIME = "out_of_time"
    SKIPPED = "skipped"
    CLOUD_LINK = "cloud_link"

    @classmethod
    def _missing_(cls, value: object) -> UnreadableReason:
        """A reason this table does not know reads as a corrupt file."""
        return cls.CORRUPT


UNREADABLE_REASONS: dict[UnreadableReason, tuple[str, str]] = {
    UnreadableReason.CORRUPT: ("文件已损坏或格式不正确", "请用 Excel 或 WPS 重新保存为 .xlsx 后再发送。"),
    UnreadableReason.ENCRYPTED: (
        "文件设置了打开密码",
        "请取消密码保护后重新发送，或直接发送未加密的 .xlsx 文件。",
    ),
    UnreadableReason.TOO_LARGE: (
        "文件太大",
        "请只发送报名回执表本身（.xlsx 或 .docx），不要附带图片等大文件。",
    ),
    UnreadableReason.TOO_MANY_ROWS: (
        "表格行数过多，不像报名回执表",
        "请只保留报名人员的行，另存为 .xlsx 后重新发送。",
    ),
    UnreadableReason.ZIP_BOMB: ("压缩包解压后过大或结构异常", "请直接发送 .xlsx 或 .docx 文件，不要压缩。"),
    UnreadableReason.UNSUPPORTED: (
        "暂不支持这种文件格式",
        "请将回执另存为 Excel（.xlsx）或 Word（.docx）后发送。",
    ),
    UnreadableReason.LEGACY_FORMAT: (
        "这是旧版 Word（.doc）或 WPS 文字（.wps）格式，暂不能自动读取",
        "请在 Word 或 WPS 中“另存为”.docx 或 .xlsx 后重新发送。",
    ),
    UnreadableReason.WINMAIL: (
        "这是 Outlook 以 RTF 格式发信时生成的 winmail.dat，其中的附件未能取出",
        "请在 Outlook 中将邮件格式改为 HTML 或纯文本（“设置文本格式”→“HTML”），把回执作为普通附件重新发送。",
    ),
    UnreadableReason.EMPTY: ("文件中没有内容", "请确认附件是否正确，填写后重新发送。"),
    UnreadableReason.OUT_OF_TIME: (
        "邮件中的附件过多或过大，未能在处理时限内读到这个文件",
        "请只发送报名回执表本身（.xlsx 或 .docx），不要附带大量图片或扫描件。",
    ),
    UnreadableReason.SKIPPED: (
        "邮件中没有说明这是报名回执，这个文件没有读取",
        "如果这是报名回执，请在邮件主题中写明“报名回执”后重新发送。",
    ),
    UnreadableReason.CLOUD_LINK: (
        "它是以超大附件（云附件、网盘）下载链接发送的，系统不会打开邮件中的链接",
        "回执表很小，请把它作为普通附件（.xlsx 或 .docx）直接添加到邮件中，回复本邮件重新发送。",
    ),
}


def severity_of(code: str) -> Severity:
    return KINDS[code].severity


def problem(
    code: str,
    *,
    row: int | None = None,
    field: str | None = None,
    column: str | None = None,
    severity: Severity | None = None,
    wording: str | None = None,
    **params: object,
) -> Problem:
    """Build a Problem from the table.  `column` is the header as the sender wrote it; `wording`, another
    of the code's texts kept here (SHARED_MOBILE for duplicate_person)."""
    kind = KINDS[code]
    if field and "label" not in params:
        params["label"] = "“" + (column or FIELD_LABELS.get(field, field)) + "”"
    text = (wording or kind.text).format(**params)
    prefix = ""
    if row:
        prefix = f"第 {row} 行"
        if field in FIELD_LABELS and code != "missing_field":
            prefix += f"“{column or FIELD_LABELS[field]}”列"
    return Problem(
        code=code,
        severity=severity or kind.severity,
        message=f"{prefix}：{text}" if prefix else text,
        row=row,
        field=field,
    )


def in_part(found: Problem, part: str) -> Problem:
    """The problem with the table or sheet its row is in named first ("工作表“Sheet2”第 3 行…"); unchanged
    for a problem without a row, or a row of the roster's first table."""
    if not part or not found.row:
        return found
    return replace(found, message=f"{part}{found.message}")


def unreadable(filename: str, reason: str, severity: Severity | None = None) -> Problem:
    """unreadable_attachment for one file; `reason` is an UnreadableReason (unknown ones read as corrupt)."""
    what, fix = UNREADABLE_REASONS[UnreadableReason(reason)]
    return problem(
        "unreadable_attachment",
        field="attachment",
        severity=severity,
        filename=filename,
        reason=what,
        fix=fix,
    )
