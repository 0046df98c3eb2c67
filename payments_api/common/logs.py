"""Log formats: one JSON object per line (LOG_FORMAT=json, production), or a line for people (LOG_FORMAT=text)."""

import datetime
import json
import logging

# Attributes every LogRecord has: anything else on a record was passed in `extra` and is written as a field.
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
_CONTEXT_FIELDS = ("request_id", "task_id")
_NOT_EXTRA = _RECORD_ATTRIBUTES | set(_CONTEXT_FIELDS) | {"context_id"}


class JsonFormatter(logging.Formatter):
    """time (UTC, ISO 8601), level, logger, message, pid, request_id, task_id, then the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # which gunicorn worker or pool process wrote it
        }
        for field in _CONTEXT_FIELDS:
            if (value := getattr(record, field, None)) is not None:
                line[field] = value
        for key, value in vars(record).items():
            if key not in _NOT_EXTRA and key not in line:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`time level logger [request or task id] message` for a terminal."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(context_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.context_id = getattr(record, "request_id", None) or getattr(record, "task_id", None) or "-"
        return super().format(record)
