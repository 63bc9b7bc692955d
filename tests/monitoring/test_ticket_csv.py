"""CSV uploads of ticket events on a service desk's page: the file is checked whole, its bad lines reported by line
number, and what storing it will do is shown before anything is stored; storing is one click, and a second click
stores nothing twice. The clock is frozen at Monday 7 December 2026, 12:00 in Seoul."""

import pytest

from monitoring.intake import ticket_csv
from monitoring.models import Ticket, TicketClock, TicketEventRecord, TicketUpload
from tests.monitoring.factories import csv_file, table_rows
from tests.monitoring.ticket_helpers import TicketCast, kst

pytestmark = pytest.mark.django_db

NOW = kst(2026, 12, 7, 12)
HEADER = "id,ticket,type,at,customer,service,priority,state,title"


@pytest.fixture
def cast(time_machine):
    time_machine.move_to(NOW, tick=False)
    return TicketCast()


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def upload(as_manager, cast):
    """``upload(text)``: POST a CSV file to the cast's desk; returns the response (followed)."""

    def send(content, filename="events.csv"):
        url = f"/service-desks/{cast.source.code}/upload/"
        return as_manager.post(url, {"file": csv_file(content, filename)}, follow=True)

    return send


def good_file(cast):
    customer, service = cast.customer.code, cast.service.code
    return "\n".join(
        [
            HEADER,
            f'e1,INC-1,created,2026-12-04T16:30:00+09:00,{customer},{service},P1,New,"Transfers fail, again"',
            "e2,INC-1,state_changed,2026-12-04T17:00:00+09:00,,,,Waiting for customer,",
            "e3,INC-1,resolved,2026-12-07T10:00:00+09:00,,,,,",
            f"e4,INC-2,created,2026-12-07T09:30:00+09:00,{customer},{service},P2,,",
        ]
    )


def stored():
    return Ticket.objects.count(), TicketEventRecord.objects.count(), TicketClock.objects.count()


def latest():
    return TicketUpload.objects.latest("pk")


def confirm(client, upload_row, action="store"):
    url = f"/service-desks/{upload_row.source.code}/uploads/{upload_row.pk}/confirm/"
    return client.post(url, {"action": action}, follow=True)


# The preview.


def test_a_good_file_is_previewed_and_nothing_is_stored_yet(cast, upload):
    response = upload(good_file(cast))

    row = latest()
    assert response.redirect_chain == [(f"/service-desks/{cast.source.code}/uploads/{row.pk}/", 302)]
    assert (row.status, row.event_count, row.errors) == ("preview", 4, [])
    html = response.text
    assert 'id="summary-events">4<' in html
    assert 'id="summary-new">4<' in html
    assert 'id="summary-known">0<' in html
    assert 'id="summary-tickets">2<' in html
    rows = table_rows(html, "upload-tickets")
    assert [cells[:4] for cells in rows] == [
        ["INC-1 new", cast.customer.code, cast.service.code, "3: Created, State changed, Resolved"],
        ["INC-2 new", cast.customer.code, cast.service.code, "1: Created"],
    ]
    assert stored() == (0, 0, 0)


def test_the_preview_says_which_events_were_stored_before(cast, upload):
    cast.send([cast.event("INC-1", "created", kst(2026, 12, 4, 16, 30), state="New", title="Transfers fail, again")
               | {"id": "e1"}], now=NOW)  # fmt: skip

    html = upload(good_file(cast)).text

    assert 'id="summary-new">3<' in html
    assert 'id="summary-known">1<' in html
    assert 'id="summary-tickets">1<' in html
    assert [cells[0] for cells in table_rows(html, "upload-tickets")] == ["INC-1", "INC-2 new"]


# Storing.


def test_confirming_stores_the_events_and_rebuilds_the_clocks(cast, upload, as_manager):
    upload(good_file(cast))

    response = confirm(as_manager, latest())

    assert response.redirect_chain == [(f"/service-desks/{cast.source.code}/", 302)]
    assert "4 new events stored, 2 new tickets; events stored before, skipped: 0." in response.text
    assert stored() == (2, 4, 4)
    ticket = Ticket.objects.get(external_id="INC-1")
    assert (ticket.title, ticket.category) == ("Transfers fail, again", "resolved")
    row = latest()
    assert (row.status, row.stored_count, row.tickets_created) == ("stored", 4, 2)


def test_confirming_twice_stores_nothing_twice(cast, upload, as_manager):
    upload(good_file(cast))
    row = latest()
    confirm(as_manager, row)
    after_first = stored()

    response = confirm(as_manager, row)

    assert "This upload was already handled." in response.text
    assert stored() == after_first
    assert TicketEventRecord.objects.filter(event_id="e1").count() == 1


def test_discarding_stores_nothing(cast, upload, as_manager):
    upload(good_file(cast))

    response = confirm(as_manager, latest(), action="discard")

    assert "The upload was discarded; nothing was stored." in response.text
    assert latest().status == "discarded"
    assert stored() == (0, 0, 0)
    assert "This upload was already handled." in confirm(as_manager, latest()).text
    assert stored() == (0, 0, 0)


def test_a_confirmation_without_a_known_action_changes_nothing(cast, upload, as_manager):
    upload(good_file(cast))

    response = as_manager.post(f"/service-desks/{cast.source.code}/uploads/{latest().pk}/confirm/", {"action": "x"})

    assert response.status_code == 400
    assert latest().status == "preview"


def test_a_file_that_turned_bad_since_its_preview_is_rejected_when_confirmed(cast, upload, as_manager):
    upload(good_file(cast))
    # Meanwhile the desk sent event e4 through the API with other content.
    cast.send([cast.event("INC-2", "created", kst(2026, 12, 7, 9)) | {"id": "e4"}], now=NOW)
    before = stored()

    response = confirm(as_manager, latest())

    assert "The file has problems now; nothing was stored." in response.text
    row = latest()
    assert (row.status, row.content) == ("rejected", "")
    assert row.errors == [{"line": 5, "field": "id", "message": "'e4' was stored before with other content"}]
    assert stored() == before


def test_a_file_of_events_stored_before_stores_nothing_new(cast, upload, as_manager):
    upload(good_file(cast))
    confirm(as_manager, latest())

    html = upload(good_file(cast), filename="again.csv").text
    response = confirm(as_manager, latest())

    assert "Nothing new: every event of the file was stored before." in html
    assert "0 new events stored, 0 new tickets; events stored before, skipped: 4." in response.text
    assert stored() == (2, 4, 4)


# Bad files: every bad line by its number, nothing stored, the content not kept.


def test_a_bad_file_is_rejected_with_every_bad_line_by_its_number(cast, upload):
    other = TicketCast()
    cast.source.customers.add(other.customer)
    cast.source.services.add(other.service)
    customer, service = cast.customer.code, cast.service.code
    content = "\n".join(
        [
            HEADER,
            f"e1,INC-1,created,2026-12-07T09:00:00+09:00,{customer},{service},P1,,",
            "e2,INC-9,resolved,2026-12-07T10:00:00+09:00,,,,,",  # unknown ticket, not created
            "e3,INC-1,resolved,2026-12-07T12:30:00+09:00,,,,,",  # in the future
            "e4,INC-1,priority_changed,2026-12-07T10:00:00+09:00,,,P7,,",  # no goal for P7
            "e5,INC-1,state_changed,2026-12-07T10:00:00+09:00,,,,On hold,",  # not mapped
            "e6,INC-1,resolved,2026-12-07T08:00:00+09:00,,,,,",  # before the create
            f"e7,INC-3,created,2026-12-07T09:00:00+09:00,{customer},{other.service.code},P1,,",  # another's service
        ]
    )

    response = upload(content)

    row = latest()
    assert (row.status, row.content, row.event_count) == ("rejected", "", 0)
    assert table_rows(response.text, "upload-errors") == [
        ["3", "ticket", "'INC-9' is unknown and not created in this batch"],
        ["4", "at", "'2026-12-07T12:30:00+09:00' is in the future"],
        ["5", "priority", "'P7' has no goal for this service"],
        ["6", "state", "'On hold' is not a state this desk has mapped"],
        ["7", "at", "before ticket 'INC-1' was created"],
        ["8", "service", f"{other.service.code!r} is not a service of {customer!r}"],
    ]
    assert "The file was rejected; nothing was stored. Problems: 6." in response.text
    assert 'id="store-upload"' not in response.text
    assert stored() == (0, 0, 0)


def test_a_rejected_upload_cannot_be_stored(cast, upload, as_manager):
    upload(HEADER + "\ne1,INC-1,resolved,2026-12-07T10:00:00+09:00,,,,,\n")

    response = confirm(as_manager, latest())

    assert "This upload was rejected; nothing was stored. Upload a corrected file." in response.text
    assert stored() == (0, 0, 0)


def test_line_numbers_count_the_lines_of_a_quoted_title(cast, upload):
    customer, service = cast.customer.code, cast.service.code
    content = (
        f'{HEADER}\ne1,INC-1,created,2026-12-07T09:00:00+09:00,{customer},{service},P1,,"Two\nlines"\n'
        "\n"
        "e2,INC-1,closed,not-a-time,,,,,\n"
    )

    upload(content)

    assert latest().errors == [{"line": 5, "field": "at", "message": "'not-a-time' is not an ISO 8601 time"}]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("id,ticket,type", "it lacks at"),
        ("id,ticket,type,at,owner", "it names unknown columns owner"),
        ("id,ticket,type,at,at", "it names twice at"),
        ("", "it lacks id, ticket, type, at"),
    ],
    ids=["missing", "unknown", "twice", "empty file"],
)
def test_a_header_that_is_not_the_events_columns_is_refused_on_line_1(cast, upload, header, message):
    upload(header + "\n")

    assert latest().errors == [
        {"line": 1, "field": None, "message": f"the header must name the columns {HEADER}: {message}"}
    ]


def test_a_line_with_more_cells_than_the_header_is_refused(cast, upload):
    upload("id,ticket,type,at\ne1,INC-1,resolved,2026-12-07T10:00:00+09:00,extra\n")

    assert latest().errors == [{"line": 2, "field": None, "message": "more cells than the header names"}]


def test_a_file_with_a_header_only_has_no_events(cast, upload):
    upload(HEADER + "\n")

    assert latest().errors == [{"line": None, "field": None, "message": "the file has no events"}]


def test_optional_columns_may_be_left_out_and_a_bom_is_read(cast, upload, as_manager):
    cast.send([cast.event("INC-1", "created", kst(2026, 12, 4, 16, 30))], now=NOW)

    upload("\ufeffid,ticket,type,at\nr1,INC-1,resolved,2026-12-07T10:00:00+09:00\n".encode())
    confirm(as_manager, latest())

    assert Ticket.objects.get().category == "resolved"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,ticket\n\u00e9".encode("latin-1"), "The file is not UTF-8 text."),
        (b"id,ticket,type,at\nx\x00,y,created,z\n", "The file holds a NUL character; it is not a CSV text file."),
    ],
    ids=["not UTF-8", "NUL"],
)
def test_a_file_that_is_not_csv_text_is_refused_by_the_form(cast, as_manager, content, message):
    response = as_manager.post(f"/service-desks/{cast.source.code}/upload/", {"file": csv_file(content)})

    assert response.status_code == 200
    assert message in response.text
    assert not TicketUpload.objects.exists()


def test_the_reader_keeps_empty_cells_out_of_the_events():
    events, lines, errors = ticket_csv.read_events("id,ticket,type,at,title\n a , b ,closed,2026-12-07T10:00:00Z, \n")

    assert (events, lines, errors) == (
        [{"id": "a", "ticket": "b", "type": "closed", "at": "2026-12-07T10:00:00Z"}],
        [2],
        [],
    )
