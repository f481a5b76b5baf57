"""Response headers on every page, and error pages that say what happened without a traceback."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)

# No script anywhere; styles and images only from the console itself; never framed.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
MESSAGES = {
    400: "请求无法处理。请返回上一页重试。",
    403: "没有权限，或表单已过期。请返回上一页，刷新后重试。",
    404: "页面不存在。",
    405: "不支持这种请求。",
    413: "上传的文件太大。",
    500: "服务器内部错误，已记录。请稍后重试，或联系系统管理员。",
}


def secure_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if response.mimetype != "text/css":  # every page may hold personal data: never cached
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def _page(code: int) -> tuple[str, int]:
    return render_template("error.html", code=code, message=MESSAGES.get(code, MESSAGES[400])), code


def install(app: Flask) -> None:
    app.after_request(secure_headers)

    @app.errorhandler(CSRFError)
    def csrf_refused(error: CSRFError) -> tuple[str, int]:
        log.warning("console: form refused (CSRF): %s", error.description)
        return _page(403)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return _page(error.code or 400)

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> tuple[str, int]:
        log.exception("console: a page failed")
        return _page(500)
