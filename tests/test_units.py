"""Unit tests of the pure modules, called directly (the HTTP tests cover them only through routes)."""
from __future__ import annotations

import codecs
from datetime import UTC, datetime

import pytest

from server.admin import stats
from server.employers import csv_import
from server.queue import service as queue_service
from server.web import i18n
from server.web.errors import AppError, NotFound, ValidationFailed
from server.web.openapi import openapi_document
from server.web.routes import ROUTES
from server.web.validation import parse_id
from signaling import messages


@pytest.mark.parametrize("raw, expected", [(7, 7), ("42", 42), ("000123", 123), ("9" * 18, int("9" * 18))])
def test_parse_id_takes_whole_numbers_and_ascii_digit_strings(raw, expected):
    assert parse_id(raw) == expected


@pytest.mark.parametrize("raw", [True, False, 1.0, 1.5, "", " 1", "1 ", "-1", "0", 0, "²", "١٢", "9" * 19, None, [1]])
def test_parse_id_refuses_everything_else(raw):
    with pytest.raises(ValueError):
        parse_id(raw)


def test_parse_id_takes_zero_only_when_asked():
    assert parse_id("0", allow_zero=True) == 0


def test_an_error_speaks_the_clients_language_from_one_table():
    plain = NotFound(code="not_queued")
    assert plain.localised("en") == i18n.TEXTS["error.not_queued"][1]
    assert plain.localised("zh") == i18n.TEXTS["error.not_queued"][0]
    # A raise site's English says more than the code's entry; Chinese clients get the code's
    # wording, with the field's Chinese name in front for a 422 (never its code).
    specific = ValidationFailed("A doctor needs an existing department.", field="department")
    assert specific.localised("en") == "A doctor needs an existing department."
    assert specific.localised("zh") == "科室：" + i18n.TEXTS["error.validation_failed"][0]
    assert ValidationFailed(field="no_such_name").localised("zh") == i18n.TEXTS["error.validation_failed"][0]
    # A named text with parameters, one of them a (zh, en) pair.
    named = ValidationFailed(field="file", code="missing_columns", text="emp_file_columns",
                             params={"columns": ("工号、姓名", "Employee ID, Name")})
    assert "Employee ID, Name" in named.localised("en") and "工号、姓名" in named.localised("zh")
    assert named.to_dict("en") == {"error": {"code": "missing_columns", "message": named.localised("en"),
                                             "field": "file"}}
    assert AppError(code="never_heard_of").localised("zh") == "never_heard_of"


def test_every_error_class_has_wording_in_both_languages():
    from server.web import errors
    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, AppError)]
    missing = [c.__name__ for c in classes if f"error.{c.code}" not in i18n.TEXTS]
    assert missing == []


def test_the_text_tables_have_both_languages_for_every_key():
    assert all(isinstance(pair, tuple) and len(pair) == 2 and all(pair) for pair in i18n.TEXTS.values())
    assert i18n.table("zh")["app_name"] != i18n.table("en")["app_name"]


def test_csv_decoding_reads_what_excel_writes():
    header = "工号,姓名,手机号\n"
    assert csv_import.decode_upload(codecs.BOM_UTF8 + header.encode()) == header
    assert csv_import.decode_upload(header.encode("gb18030")) == header
    assert csv_import.decode_upload(codecs.BOM_UTF16_LE + header.encode("utf-16-le")).lstrip("\ufeff") == header
    for raw, code in [(b"PK\x03\x04rest", "file_is_workbook"), (b"  \n", "file_empty"), (b"a\x00b", "file_not_text")]:
        with pytest.raises(ValidationFailed) as caught:
            csv_import.decode_upload(raw)
        assert caught.value.code == code and caught.value.field == "file"


def test_staff_rows_are_checked_one_by_one_and_the_first_duplicate_wins():
    parsed = csv_import.parse_staff_csv(
        b"Employee ID;Name;Mobile\nE1;A;13900000001\nE1;B;13900000002\nE2;C;123\n;;\nE3;D;+86 139-0000-0003\n")
    assert parsed.rows == [("E1", "A", "13900000001", None, None), ("E3", "D", "13900000003", None, None)]
    assert [(e["row"], e["field"]) for e in parsed.errors] == [(3, "employee_ref"), (4, "phone")]


def test_a_header_without_the_required_columns_names_them():
    with pytest.raises(ValidationFailed) as caught:
        csv_import.map_header(["name", "email"])
    assert caught.value.code == "missing_columns"
    assert "工号" in caught.value.localised("zh") and "phone" in caught.value.localised("en").lower()


def test_waits_and_sort_keys():
    assert queue_service.estimate_minutes(1, 10.0) == 0
    assert queue_service.estimate_minutes(3, 2.5) == 5
    entry = {"due_at": datetime(2026, 1, 1, tzinfo=UTC), "id": 9}
    assert queue_service.sort_key(entry) == [int(entry["due_at"].timestamp() * 1_000_000), 9]


def test_socket_messages_are_shape_and_size_checked():
    assert messages.chat({"consultation_id": "5", "text": "  hello "}) == (5, "hello", None)  # no client message id
    for payload, code in [("x", "bad_payload"), ({"consultation_id": True}, "bad_consultation_id"),
                          ({"consultation_id": 1, "text": " "}, "bad_text"),
                          ({"consultation_id": 1, "text": "x" * 2001}, "too_large")]:
        with pytest.raises(messages.BadMessage) as caught:
            messages.chat(payload)
        assert caught.value.ack("en")["error"]["code"] == code
    with pytest.raises(messages.BadMessage) as caught:
        messages.signal({"consultation_id": 1, "kind": "offer", "data": {"type": "offer", "sdp": "x" * 70_000}})
    assert "64 KB" in caught.value.ack("en")["error"]["message"]
    assert "64 KB" in caught.value.ack("zh")["error"]["message"]


def test_time_zones():
    assert stats.known_zone("Asia/Shanghai") and not stats.known_zone("Mars/Olympus")


def test_the_openapi_document_covers_every_api_route_with_what_it_takes():
    document = openapi_document(ROUTES)
    api_routes = {(m.lower(), p) for m, p, *_ in ROUTES if p.startswith("/api/")}
    assert {(m, p) for p, ops in document["paths"].items() for m in ops if p != "/healthz"} == api_routes
    upload = document["paths"]["/api/employer/staff/import"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    audit = {p["name"] for p in document["paths"]["/api/admin/audit"]["get"]["parameters"]}
    assert {"actor_id", "allowed", "limit"} <= audit


def _change(seq: int) -> queue_service.QueueChange:
    return queue_service.QueueChange("fever", seq)


def test_a_queue_batch_waits_for_a_missing_seq_and_then_goes_out_in_order():
    """Clients must not see a gap that another process's change is about to fill (each gap costs every
    client a snapshot read); a change lost for good goes out as a gap once the hold is over."""
    from signaling.live import LiveEvents

    live = LiveEvents(sio=None, app=None)
    live._pending["fever"] = [_change(3), _change(1)]
    assert [c.seq for c in live._ready("fever", now=0.0)] == [1]          # 2 is missing: 3 is held
    assert live._ready("fever", now=0.1) is None
    live._pending["fever"].append(_change(2))
    assert [c.seq for c in live._ready("fever", now=0.2)] == [2, 3]
    live._pending["fever"] = [_change(5), _change(3)]                     # 3 again: a late copy, dropped
    assert live._ready("fever", now=0.3) is None
    assert live._ready("fever", now=0.3 + LiveEvents.GAP_HOLD_SECONDS) == [_change(5)]  # 4 gave up on
    assert live._pending["fever"] == []
    live._pending["fever"] = [_change(4), _change(6)]                     # 4 after all: it goes out too
    assert [c.seq for c in live._ready("fever", now=1.0)] == [4, 6]
    live._pending["fever"] = [_change(4)]
    assert live._ready("fever", now=1.1) == []                            # but only once


async def test_the_waiting_order_counts_changes_in_seq_order_whatever_order_they_arrive_in():
    """A process's copy of the waiting order gives the database's positions: changes arriving out of
    order wait for the missing seq; changes already counted in the list as read are not counted twice."""
    from server.queue.order import WaitingOrder

    def change(seq, removed=(), inserted=()):
        return queue_service.QueueChange("fever", seq, removed=[{"id": str(i), "key": [t, i]} for t, i in removed],
                                         inserted=[{"id": str(i), "key": [t, i]} for t, i in inserted])

    order = WaitingOrder("fever")
    order.offer(change(11, inserted=[(50, 5)]))        # before the list is read: kept
    order.load(10, [(30, 3), (10, 1), (20, 2)])
    assert [order.position(i) for i in (1, 2, 3, 5)] == [1, 2, 3, 4] and order.seq == 11
    order.offer(change(13, removed=[(10, 1)]))          # 12 is missing: not applied yet
    assert order.position(1) == 1 and order.seq == 11
    order.offer(change(12, inserted=[(15, 4)]))         # an urgent arrival ahead of 2
    assert order.seq == 13
    assert [order.position(i) for i in (1, 4, 2, 3, 5)] == [None, 1, 2, 3, 4]
    order.offer(change(12, inserted=[(15, 4)]))         # a late copy changes nothing
    assert order.position(5) == 4
    assert await order.reached(13, timeout=0.01) and not await order.reached(14, timeout=0.01)


def test_a_process_first_batch_counts_from_its_waiting_orders_first_read_and_still_sends_older_changes():
    """Consecutive seqs start after the seq the waiting order was first read at (clients' snapshots
    count up to it); a change at or below it still goes out, for lists that refresh on any update."""
    from server.queue.order import WaitingOrder, WaitingOrders
    from signaling.live import LiveEvents

    orders = WaitingOrders(pool=None)
    orders.orders["fever"] = WaitingOrder("fever")
    orders.orders["fever"].load(7, [])
    live = LiveEvents(sio=None, app=None)
    live.orders = orders
    live._pending["fever"] = [_change(7), _change(9)]
    assert [c.seq for c in live._ready("fever", now=0.0)] == [7]      # 8 is missing: 9 waits for it
    live._pending["fever"].append(_change(8))
    assert [c.seq for c in live._ready("fever", now=0.1)] == [8, 9]
