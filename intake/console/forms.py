"""The console's forms (Flask-WTF: each carries its CSRF token).  Every action asks for a reason."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

REASON = "理由（必填，记入操作记录）"
FIELDS = [
    ("name", "姓名"),
    ("gender", "性别"),
    ("unit", "单位"),
    ("title", "职务"),
    ("mobile", "手机"),
    ("email", "电子邮箱"),
    ("arrival", "抵达酒店时间"),
    ("remark", "备注"),
]


def reason_field() -> StringField:
    return StringField(REASON, validators=[DataRequired("请写明理由。"), Length(max=500)])


class LoginForm(FlaskForm):
    name = StringField("用户名", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(), Length(max=256)])


class PasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired(), Length(max=256)])
    new = PasswordField("新密码（至少 8 个字符）", validators=[DataRequired(), Length(max=256)])
    again = PasswordField("再输入一次新密码", validators=[DataRequired(), Length(max=256)])


class ActionForm(FlaskForm):
    """An action that needs only a reason (resend, reprocess, mark handled, disable a user)."""

    reason = reason_field()


class HandledForm(ActionForm):
    item = HiddenField(validators=[DataRequired(), Length(max=300)])


class AbsenceForm(ActionForm):
    """记为本期不参加: the reason, and the province's message that said so (one of its questions, or none)."""

    message = SelectField("省份来信（可不选）", choices=[], validate_choice=False)


class CorrectForm(ActionForm):
    version = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    index = IntegerField(validators=[InputRequired(), NumberRange(min=0)])
    field = SelectField("字段", choices=[SelectChoice(v, label) for v, label in FIELDS])
    value = StringField("新的值", validators=[Length(max=200)])
    notify = BooleanField("同时给报送单位发送确认邮件")


class RemoveForm(ActionForm):
    version = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    index = IntegerField(validators=[InputRequired(), NumberRange(min=0)])
    notify = BooleanField("同时给报送单位发送确认邮件")


class AddForm(ActionForm):
    version = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    name = StringField("姓名", validators=[DataRequired(), Length(max=50)])
    gender = SelectField("性别", choices=[SelectChoice("男", "男"), SelectChoice("女", "女")])
    unit = StringField("单位", validators=[DataRequired(), Length(max=100)])
    title = StringField("职务", validators=[Optional(), Length(max=50)])
    mobile = StringField("手机", validators=[DataRequired(), Length(max=30)])
    email = StringField("电子邮箱", validators=[Optional(), Length(max=100)])
    arrival = StringField("抵达酒店时间", validators=[Optional(), Length(max=50)])
    leader = BooleanField("领队")
    remark = StringField("备注", validators=[Optional(), Length(max=100)])
    notify = BooleanField("同时给报送单位发送确认邮件")


class AcceptForm(ActionForm):
    version = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    codes = SelectMultipleField("同意例外的规则", choices=[], validate_choice=False)
    notify = BooleanField("给报送单位发送确认邮件", default=True)


class RejectForm(ActionForm):
    version = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    note = TextAreaField("写给报送单位的说明（将写入邮件）", validators=[DataRequired(), Length(max=2000)])
    notify = BooleanField("给报送单位发送“需修改”邮件", default=True)


class EnterForm(ActionForm):
    file = FileField("回执表文件（xlsx、docx、xls、csv 等，与邮件附件同样读取）")
    rows = TextAreaField(
        "或逐行填写：姓名，性别，单位，职务，手机，电子邮箱，抵达时间，领队（是/否），备注",
        validators=[Length(max=20000)],
    )
    received = StringField(
        "收到时间（默认现在，如 2023-06-18 15:30）", validators=[Optional(), Length(max=40)]
    )
    how = StringField("来源（微信、电话、纸质回执……）", validators=[DataRequired(), Length(max=100)])
    to = StringField("确认邮件发给（留空则不发）", validators=[Optional(), Length(max=200)])


class ReplyForm(ActionForm):
    text = TextAreaField("回复内容", validators=[DataRequired(), Length(max=10000)])
    handled = BooleanField("回复后将此问题标记为已处理", default=True)
