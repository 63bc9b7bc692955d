"""The filter set of every list page: choices scoped to what the user may see, and a text search."""

import django_filters
from django.db.models import Q

from core.tenancy import TenantQuerySet


class ScopedFilterSet(django_filters.FilterSet):
    """Offers only the rows the user may see in its model choices, and searches ``search_fields`` for ``q``.

    A model choice filter declared over a model with the ``.for_user()`` checkpoint (``Customer.objects.none()``,
    say) gets that model's rows as ``user`` sees them, so a customer is never offered another customer's name.
    """

    search_fields = ()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            choices = getattr(filter_, "queryset", None)
            if isinstance(choices, TenantQuerySet):
                filter_.queryset = choices.model._default_manager.for_user(user)

    def search(self, queryset, name, value):
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)
