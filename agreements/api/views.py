"""The agreements app over the API: the catalogue (customers, services), each write through its page's form."""

from agreements.api.serializers import CustomerSerializer, ServiceSerializer
from agreements.filters import CustomerFilter, ServiceFilter
from agreements.forms import CustomerForm, ServiceForm
from agreements.models import Customer, Service
from core.api.viewsets import TenantViewSet


class CustomerViewSet(TenantViewSet):
    """Customers: managers see and edit every one; a customer user reads their own organisation."""

    model = Customer
    serializer_class = CustomerSerializer
    form_class = CustomerForm
    filterset_class = CustomerFilter
    ordering_fields = ["code", "name", "created_at"]
    add_permission = "agreements.add_customer"
    change_permission = "agreements.change_customer"
    delete_permission = "agreements.delete_customer"


class ServiceViewSet(TenantViewSet):
    """The service catalogue: a customer user reads the services of their agreements."""

    model = Service
    serializer_class = ServiceSerializer
    form_class = ServiceForm
    filterset_class = ServiceFilter
    ordering_fields = ["code", "name", "criticality", "created_at"]
    add_permission = "agreements.add_service"
    change_permission = "agreements.change_service"
    delete_permission = "agreements.delete_service"

    def base_queryset(self):
        return Service.objects.select_related("owner")
