"""Customers and the service catalogue."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from agreements.filters import CustomerFilter, ServiceFilter
from agreements.forms import BusinessCalendarForm, CustomerForm, HolidayFormSet, ServiceForm, WorkingPeriodFormSet
from agreements.forms.catalogue import save_calendar
from agreements.models import Agreement, BusinessCalendar, Customer, Service
from agreements.people import may_manage_people
from agreements.views.maintenance import windows_ahead
from core.mixins import CreateMixin, FilteredListView, ForUserMixin, WriteObjectMixin


class SavedMessageMixin:
    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("%(name)s saved.") % {"name": self.object})
        return response


# Customers


class CustomerListView(FilteredListView):
    model = Customer
    filterset_class = CustomerFilter
    template_name = "agreements/customer_list.html"

    def rows(self, queryset):
        return queryset.annotate(
            agreement_count=Count("agreements", distinct=True), member_count=Count("memberships", distinct=True)
        ).order_by("name")


class CustomerDetailView(ForUserMixin, DetailView):
    model = Customer
    template_name = "agreements/customer_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["agreements"] = (
            Agreement.objects.for_user(self.request.user).filter(customer=self.object).prefetch_related("services")
        )
        context["members"] = self.object.memberships.select_related("user").order_by("user__username")
        context["can_edit"] = self.request.user.has_perm("agreements.change_customer")
        context["can_set_signers"] = self.request.user.has_perm("agreements.change_membership")
        context["can_manage_people"] = may_manage_people(self.request.user, self.object)
        return context


class CustomerCreateView(CreateMixin, SavedMessageMixin, CreateView):
    model = Customer
    form_class = CustomerForm
    write_permission = "agreements.add_customer"
    template_name = "core/object_form.html"
    extra_context = {"form_title": gettext_lazy("New customer"), "cancel_url": reverse_lazy("agreements:customer_list")}


class CustomerUpdateView(WriteObjectMixin, SavedMessageMixin, UpdateView):
    model = Customer
    form_class = CustomerForm
    write_permission = "agreements.change_customer"
    template_name = "core/object_form.html"


# Services


class ServiceListView(FilteredListView):
    model = Service
    filterset_class = ServiceFilter
    template_name = "agreements/service_list.html"

    def rows(self, queryset):
        return queryset.select_related("owner")


class ServiceDetailView(ForUserMixin, DetailView):
    model = Service
    template_name = "agreements/service_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["agreements"] = (
            Agreement.objects.for_user(self.request.user).filter(services=self.object).select_related("customer")
        )
        context["can_edit"] = self.request.user.has_perm("agreements.change_service")
        context["windows_ahead"] = windows_ahead(self.request.user, [self.object])
        return context


class ServiceCreateView(CreateMixin, SavedMessageMixin, CreateView):
    model = Service
    form_class = ServiceForm
    write_permission = "agreements.add_service"
    template_name = "core/object_form.html"
    extra_context = {"form_title": gettext_lazy("New service"), "cancel_url": reverse_lazy("agreements:service_list")}


class ServiceUpdateView(WriteObjectMixin, SavedMessageMixin, UpdateView):
    model = Service
    form_class = ServiceForm
    write_permission = "agreements.change_service"
    template_name = "core/object_form.html"


# Business calendars


class CalendarListView(ForUserMixin, ListView):
    model = BusinessCalendar
    paginate_by = 25
    template_name = "agreements/calendar_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .with_hours()
            .annotate(target_count=Count("targets", distinct=True), holiday_count=Count("holidays", distinct=True))
            .order_by("name")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = self.request.user.has_perm("agreements.add_businesscalendar")
        return context


class CalendarDetailView(ForUserMixin, DetailView):
    model = BusinessCalendar
    template_name = "agreements/calendar_detail.html"

    def get_queryset(self):
        return super().get_queryset().with_hours()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = self.request.user.has_perm("agreements.change_businesscalendar")
        context["targets"] = self.object.targets.filter(
            Q(agreement__in=Agreement.objects.for_user(self.request.user))
        ).select_related("agreement")
        return context


class CalendarFormMixin:
    """The calendar with its working periods and holidays, saved all or nothing."""

    model = BusinessCalendar
    form_class = BusinessCalendarForm
    template_name = "agreements/calendar_form.html"

    def formsets(self):
        data = self.request.POST if self.request.method == "POST" else None
        instance = self.object or BusinessCalendar()
        return (
            WorkingPeriodFormSet(data, instance=instance, prefix="hours"),
            HolidayFormSet(data, instance=instance, prefix="holidays"),
        )

    def get_context_data(self, **kwargs):
        if "hours" not in kwargs:
            kwargs["hours"], kwargs["holidays"] = self.formsets()
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        hours, holidays = self.formsets()
        if not (hours.is_valid() and holidays.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, hours=hours, holidays=holidays))
        self.object = save_calendar(form, (hours, holidays))
        messages.success(self.request, _("%(name)s saved.") % {"name": self.object})
        return redirect(self.object)

    def form_invalid(self, form):
        hours, holidays = self.formsets()
        hours.is_valid(), holidays.is_valid()
        return self.render_to_response(self.get_context_data(form=form, hours=hours, holidays=holidays))


class CalendarCreateView(CreateMixin, CalendarFormMixin, CreateView):
    write_permission = "agreements.add_businesscalendar"


class CalendarUpdateView(WriteObjectMixin, CalendarFormMixin, UpdateView):
    write_permission = "agreements.change_businesscalendar"
