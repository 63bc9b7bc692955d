"""The ticket-event endpoints parse JSON with orjson (``monitoring.api.parsers.FastJSONParser``); what they read,
and every parse error they answer, must be exactly what the API's standard JSON parser gives."""

import io
import json

import pytest
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings
from rest_framework.views import APIView  # before the parsers: DRF's views read the parser setting on import

from monitoring.api import parsers
from monitoring.api.parsers import FastJSONParser, JSONParser
from monitoring.api.tickets import PARSERS, TicketEventsView, TicketWebhookView

EVENT = {"id": "evt-1", "ticket": "INC-1", "type": "created", "at": "2026-12-04T16:30:00+09:00", "title": "Sö 😀"}

BODIES = {
    "a batch": json.dumps({"events": [EVENT, EVENT | {"id": "evt-2", "type": "resolved"}]}).encode(),
    "a repeated key": b'{"events": [], "events": [1], "x": 2}',
    "numbers of every kind": b'{"events": [1E5, 0.1, -0, 2.5e-3, 9223372036854775807, -9223372036854775808]}',
    "an integer beyond 64 bits": b'{"events": [{"type": 18446744073709551616}]}',
    "a negative integer beyond 64 bits": b'{"events": [-9223372036854775809]}',
    "a long run of digits in text": b'{"events": [{"id": "12345678901234567890"}]}',
    "an escaped lone surrogate": b'{"events": [{"title": "\\ud800"}]}',
    "a surrogate pair": b'{"events": [{"title": "\\ud83d\\ude00"}]}',
    "NaN": b'{"events": [NaN]}',
    "Infinity": b'{"events": [-Infinity]}',
    "an exponent beyond a float": b'{"events": [1e400]}',
    "a byte-order mark": b'\xef\xbb\xbf{"events": []}',
    "bytes that are no UTF-8": b'{"events": ["\xff"]}',
    "a control character in text": b'{"events": ["a\nb"]}',
    "trailing content": b'{"events": []} x',
    "cut short": b'{"events": [',
    "nested beyond the recursion limit": b"[" * 5000 + b"]" * 5000,
    "not JSON": b"events=1",
}


def outcome(parser, body, encoding="utf-8"):
    try:
        return ("data", parser.parse(io.BytesIO(body), "application/json", {"encoding": encoding}))
    except ParseError as error:
        return ("error", str(error.detail))


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_orjson_reads_what_the_standard_parser_reads_and_refuses_what_it_refuses(body):
    expected = outcome(JSONParser(), body)

    assert outcome(FastJSONParser(), body) == expected
    assert repr(outcome(FastJSONParser(), body)) == repr(expected)  # 1 and 1.0 are equal, but not the same answer


def test_a_body_in_another_charset_is_read_by_the_standard_parser():
    body = json.dumps({"events": [{"title": "Sö"}]}, ensure_ascii=False).encode("latin-1")

    assert outcome(FastJSONParser(), body, "latin-1") == ("data", {"events": [{"title": "Sö"}]})


def test_the_known_answers():
    assert outcome(FastJSONParser(), BODIES["an integer beyond 64 bits"]) == (
        "data",
        {"events": [{"type": 18446744073709551616}]},
    )
    assert outcome(FastJSONParser(), BODIES["a repeated key"]) == ("data", {"events": [1], "x": 2})
    assert outcome(FastJSONParser(), BODIES["NaN"])[0] == "error"


def test_the_ticket_views_take_the_settings_parsers_with_json_read_by_orjson():
    configured = api_settings.DEFAULT_PARSER_CLASSES

    assert PARSERS[1:] == configured[1:]
    assert configured[0] is JSONParser
    assert issubclass(PARSERS[0], JSONParser)
    assert APIView.parser_classes == configured
    assert TicketEventsView.parser_classes == TicketWebhookView.parser_classes == PARSERS


def test_orjson_parses_a_batch_and_a_long_number_goes_to_the_standard_parser(monkeypatch):
    calls = []
    loads = parsers.orjson.loads
    monkeypatch.setattr(parsers.orjson, "loads", lambda raw: calls.append(raw) or loads(raw))

    assert outcome(FastJSONParser(), BODIES["a batch"])[0] == "data"
    assert calls == [BODIES["a batch"]]
    assert outcome(FastJSONParser(), BODIES["an integer beyond 64 bits"])[0] == "data"
    assert len(calls) == 1
