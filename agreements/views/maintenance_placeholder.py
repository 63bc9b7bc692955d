"""A stand-in for the maintenance window's page (``agreements:maintenance_detail``), which the maintenance pages
provide: the calendar feed, the notices and the dashboard link to it. It shows the window's service page, through
the same checkpoint (another customer's or a hidden window answers 404). Drop it when the real page is merged."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect

from agreements.models import MaintenanceWindow


@login_required
def maintenance_detail(request, pk):
    window = get_object_or_404(MaintenanceWindow.objects.for_user(request.user).select_related("service"), pk=pk)
    return redirect(window.service)
