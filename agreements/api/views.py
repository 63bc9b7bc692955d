"""The agreements app's catalogue over the API: customers, services and business calendars, each write through its
page's form (a calendar's working hours and holidays through the page's formsets, saved as the page saves them).

None of them is deleted here, as no page deletes them: a customer's people, a service's plans, desks and survey
ratings, a calendar's targets would go with them unseen. Admins remove such rows in Django admin, which lists what
goes with them first."""

from rest_framework.exceptions import ValidationError

from agreements.api.serializers import BusinessCalendarSerializer, CustomerSerializer, ServiceSerializer
from agreements.filters import CalendarFilter, CustomerFilter, ServiceFilter
from agreements.forms import BusinessCalendarForm, CustomerForm, HolidayFormSet, ServiceForm, WorkingPeriodFormSet
from agreements.forms.catalogue import save_calendar
from agreements.models import BusinessCalendar, Customer, Service
from core.api import forms as api_forms
from core.api.viewsets import TenantViewSet

NOT_DELETED = ["get", "post", "put", "patch", "head", "options"]


class CustomerViewSet(TenantViewSet):
    """Customers: managers see and edit every one; a customer user reads their own organisation."""

    model = Customer
    serializer_class = CustomerSerializer
    form_class = CustomerForm
    filterset_class = CustomerFilter
    ordering_fields = ["code", "name", "created_at"]
    add_permission = "agreements.add_customer"
    change_permission = "agreements.change_customer"
    http_method_names = NOT_DELETED


class ServiceViewSet(TenantViewSet):
    """The service catalogue: a customer user reads the services of their agreements."""

    model = Service
    serializer_class = ServiceSerializer
    form_class = ServiceForm
    filterset_class = ServiceFilter
    ordering_fields = ["code", "name", "criticality", "created_at"]
    add_permission = "agreements.add_service"
    change_permission = "agreements.change_service"
    http_method_names = NOT_DELETED

    def base_queryset(self):
        return Service.objects.select_related("owner")


class CalendarViewSet(TenantViewSet):
    """Business calendars (a target's service hours) with their weekly working periods and holidays in the body:
    ``working_periods: [{weekday, start, end}]`` and ``holidays: [{date, name}]``. A customer user reads the
    calendars of their agreements' targets."""

    model = BusinessCalendar
    serializer_class = BusinessCalendarSerializer
    form_class = BusinessCalendarForm
    filterset_class = CalendarFilter
    ordering_fields = ["code", "name", "time_zone"]
    add_permission = "agreements.add_businesscalendar"
    change_permission = "agreements.change_businesscalendar"
    http_method_names = NOT_DELETED
    # The body's nested rows and the page's formset for each.
    nested = {"working_periods": WorkingPeriodFormSet, "holidays": HolidayFormSet}

    def base_queryset(self):
        return BusinessCalendar.objects.with_hours()

    def nested_keys(self):
        return tuple(self.nested)

    def validate(self, form):
        self.formsets = self.nested_formsets(form.instance)
        errors = {} if api_forms.is_valid(form) else api_forms.errors_of(form)
        for key, formset in self.formsets.items():
            if not formset.is_valid():
                errors[key] = api_forms.formset_errors(formset)
        if errors:
            raise ValidationError(errors)

    def nested_formsets(self, calendar):
        """The page's formsets bound to the body's rows; PATCH leaves the rows the body does not name as they are,
        POST and PUT make exactly the rows sent (none when left out)."""
        formsets = {}
        for key, formset_class in self.nested.items():
            if key not in self.request.data and self.request.method == "PATCH":
                continue
            rows = self.request.data.get(key)
            data = api_forms.rows_data(formset_class, calendar, key, [] if rows is None else rows)
            formsets[key] = formset_class(data, instance=calendar, prefix=key)
        return formsets

    def save_form(self, form):
        return save_calendar(form, self.formsets.values())
