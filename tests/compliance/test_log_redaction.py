"""Personal data is redacted from log lines as a last line of defence: Django's request and
debug-server logs and gunicorn's access log (compliance.log_redaction)."""

from __future__ import annotations

import datetime
import logging
import shlex
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from gunicorn.config import Config

from compliance.log_redaction import GunicornLogger, PersonalDataLogFilter, redact_personal_data
from crm import stack

BASE_DIR = Path(__file__).resolve().parents[2]
LOGGER_CLASS = "compliance.log_redaction.GunicornLogger"


@pytest.mark.parametrize(("text", "expected"), [
    # phones: as typed, form-encoded, URL-encoded, international, a landline
    ("GET /customers/?q=13800138000 HTTP/1.1", "GET /customers/?q=[phone] HTTP/1.1"),
    ("/customers/?q=138+0013+8000&size=50", "/customers/?q=[phone]&size=50"),
    ("/customers/export.csv?q=%2B86%20138%200013%208000", "/customers/export.csv?q=[phone]"),
    ("q=+852 9123 4567", "q=[phone]"),
    ("q=021-5000-1234", "q=[phone]"),
    ("q=Zhang%2013800138000", "q=Zhang%20[phone]"),
    # e-mail, as written and URL-encoded
    ("q=zhang.wei@example.cn now", "q=[email] now"),
    ("/admin/customers/customer/?q=li.na%40example.cn", "/admin/customers/customer/?q=[email]"),
    # mainland resident ID numbers, new and old
    ("q=110105198001011234", "q=[id]"),
    ("q=11010519800101123X", "q=[id]"),
    ("q=110105-19800101-1234", "q=[id]"),
    ("q=110105800101123", "q=[id]"),
    # Hong Kong identity cards: bracketed, URL-encoded, or with a right check character
    ("q=A123456(3)", "q=[id]"),
    ("q=A123456%283%29", "q=[id]"),
    ("q=A1234563", "q=[id]"),
    # passports
    ("q=E12345678", "q=[id]"),
    ("q=EA1234567", "q=[id]"),
    ("q=K12345678", "q=[id]"),
    # card numbers (Luhn)
    ("q=4111111111111111", "q=[card]"),
    ("q=4111-1111-1111-1111", "q=[card]"),
    ("q=6225 8800 1234 5675", "q=[card]"),
    ("phone 138 0013 8000 on file", "phone [phone] on file"),
])
def test_each_kind_is_redacted(text, expected):
    assert redact_personal_data(text) == expected


@pytest.mark.parametrize("text", [
    '127.0.0.1 - - [05/Dec/2026:02:45:10 +0000] "GET /customers/1234567/ HTTP/1.1" 200 18234 "-" "Mozilla"',
    "/static/crm/css/portal.3f2a1b9c0d4e.css",
    "/customers/?customer=C00012345&size=50&sort=-last_contact",
    "Not Found: /api/v1/customers/42/interactions/",
    "request 5f0c2d7e9a4b4c1d8e6f3a2b1c0d9e8f took 120 ms",
    "q=A1234567",  # the shape of a Hong Kong ID with a wrong check character
    "q=zhang",
    "delegation 2026-12-05 to 2026-12-19",
    '"GET /customers/ HTTP/1.1" 302 0 1234',
])
def test_what_is_not_personal_data_is_left_alone(text):
    assert redact_personal_data(text) == text


def _record(msg, *args, name="django.request") -> logging.LogRecord:
    return logging.LogRecord(name, logging.WARNING, __file__, 1, msg, args or None, None)


def test_the_filter_rewrites_the_formatted_message_and_keeps_the_record():
    record = _record('"%s" %s %s', "GET /customers/?q=13800138000 HTTP/1.1", "200", "512")

    assert PersonalDataLogFilter().filter(record) is True
    assert record.getMessage() == '"GET /customers/?q=[phone] HTTP/1.1" 200 512'


def test_a_record_without_personal_data_is_untouched():
    record = _record("Not Found: %s", "/customers/42/")

    PersonalDataLogFilter().filter(record)

    assert (record.msg, record.args) == ("Not Found: %s", ("/customers/42/",))


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.mark.parametrize("name", ["django.request", "django.server"])
def test_djangos_request_loggers_redact_before_any_handler(name):
    logger = logging.getLogger(name)
    capture = _Capture()
    logger.addHandler(capture)
    try:
        logger.warning('"%s" %s %s', "GET /customers/export.csv?q=wei.zhang%40example.cn HTTP/1.1", 404, 10)
    finally:
        logger.removeHandler(capture)

    assert capture.lines == ['"GET /customers/export.csv?q=[email] HTTP/1.1" 404 10']


def test_the_console_handler_redacts_what_any_logger_sends_it():
    console = next(handler for handler in logging.getLogger().handlers if handler.get_name() == "console")

    assert any(isinstance(item, PersonalDataLogFilter) for item in console.filters)


def test_a_gunicorn_access_log_line_is_redacted(tmp_path):
    log_file = tmp_path / "access.log"
    config = Config()
    config.set("accesslog", str(log_file))
    logger = GunicornLogger(config)
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": "/customers/?q=138%200013%208000&kind=individual",
        "PATH_INFO": "/customers/", "QUERY_STRING": "q=138%200013%208000&kind=individual",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.7",
        "HTTP_REFERER": "https://crm.bank.example/customers/?q=zhang.wei%40example.cn",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    response = SimpleNamespace(status="200 OK", sent=2048, headers=[])
    request = SimpleNamespace(headers=[])

    logger.access(response, request, environ, datetime.timedelta(milliseconds=35))
    for handler in logger.access_log.handlers:
        handler.flush()

    line = log_file.read_text()
    assert '"GET /customers/?q=[phone]&kind=individual HTTP/1.1" 200 2048' in line
    assert '"https://crm.bank.example/customers/?q=[email]"' in line
    assert "0013" not in line and "zhang.wei" not in line
    assert line.startswith("10.0.0.7 - - [")


def _logger_class_of(arguments: list[str]) -> str:
    return arguments[arguments.index("--logger-class") + 1]


def test_every_gunicorn_command_uses_the_redacting_logger():
    config = Config()
    config.set("logger_class", _logger_class_of(stack.web_command(8000)))
    assert config.logger_class is GunicornLogger

    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    command_line = dockerfile[dockerfile.index("CMD ["):]
    assert f'"--logger-class", "{LOGGER_CLASS}"' in command_line

    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    web = compose["services"]["web"]["command"]
    gunicorn = shlex.split(web.split("&&", 1)[1].strip().rstrip('"'))
    assert _logger_class_of(gunicorn) == LOGGER_CLASS
