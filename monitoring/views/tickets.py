"""Ticket pages: the list of tickets with their clocks, worst first, and a ticket's page with each clock's
timeline. Customers see their own tickets only (``.for_user``); another customer's ticket answers 404."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language

from monitoring.filters import TicketFilter
from monitoring.models import Ticket, TicketRank
from monitoring.readout.cache import cached, filter_form_key, key
from monitoring.readout.ticket_list import (
    LIST_SECONDS,
    METRIC_ORDER,
    clock_name,
    list_rows,
    list_scope,
    listed_tickets,
    ranked,
)
from monitoring.readout.ticket_timeline import ticket_clocks

TICKET_PAGE_SIZE = 50


@login_required
def ticket_list(request):
    """Tickets worst first (``readout.ticket_list.ranked``), 50 a page, in a fixed number of queries: the page's
    ticket ids are read from the stored ranks alone, then those tickets with their clocks.

    The count, each page's ids and the rendered rows are cached as of the minute until a clock of the tickets shown is
    written (``readout.ticket_list.list_scope``), and the filter form under everything it shows
    (``cache.filter_form_key``): a page served from the cache reads no ticket, clock or rank."""
    now = timezone.now()
    tickets = Ticket.objects.for_user(request.user)
    filterset = TicketFilter(request.GET or None, queryset=tickets, user=request.user, now=now)
    ranks = filterset.ranks(TicketRank.objects.for_user(request.user))
    metric = filterset.chosen_metric
    scope = list_scope(request.user, filterset.chosen, now)
    ranking = ranked(ranks.filter(metric=metric or ""), now)
    paginator = Paginator(ranking, TICKET_PAGE_SIZE)
    paginator.count = cached((*scope, "count"), ranking.count, LIST_SECONDS, by_evaluation=False)
    page = paginator.get_page(request.GET.get("page"))
    ids = cached((*scope, "page", page.number), lambda: list(page.object_list), LIST_SECONDS, by_evaluation=False)
    page.object_list = ids
    metrics = [metric] if metric else METRIC_ORDER
    query = request.GET.copy()
    query.pop("page", None)
    language = get_language()

    def rows():  # read and put in words only when their rendering is not cached
        return list_rows(listed_tickets(tickets, ids, metric), now, metrics)

    context = {
        "filter": filterset,
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.has_other_pages(),
        "query_string": query.urlencode(),
        "rows": rows,
        "columns": [clock_name(metric) for metric in metrics],
        "show_customer": "customer" in filterset.filters,
        "now": now,
        "fragment_keys": {
            "rows": key(*scope, page.number, language, timezone.get_current_timezone_name()),
            "filter_form": filter_form_key(filterset.form, request.GET.urlencode(), language),
        },
        "fragment_seconds": LIST_SECONDS,
    }
    return render(request, "monitoring/ticket_list.html", context)


@login_required
def ticket_detail(request, pk):
    """One ticket: its header, each clock's summary and its timeline (table and chart)."""
    ticket = get_object_or_404(
        Ticket.objects.for_user(request.user)
        .select_related("customer", "service", "source")
        .prefetch_related("events"),
        pk=pk,
    )
    now = timezone.now()
    context = {"ticket": ticket, "panels": ticket_clocks(ticket, now), "now": now}
    return render(request, "monitoring/ticket_detail.html", context)
