from django.urls import path

from agreements import views
from agreements.views import feeds, maintenance_placeholder, people, signoffs

app_name = "agreements"

urlpatterns = [
    path("agreements/", views.AgreementListView.as_view(), name="agreement_list"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<slug:code>/", views.AgreementDetailView.as_view(), name="agreement_detail"),
    path("agreements/<slug:code>/edit/", views.agreement_update, name="agreement_update"),
    path("agreements/<slug:code>/status/<slug:status>/", views.agreement_transition, name="agreement_transition"),
    path("agreements/<slug:code>/exclusions/new/", views.exclusion_create, name="exclusion_create"),
    path("agreements/<slug:code>/exclusions/<int:pk>/delete/", views.exclusion_delete, name="exclusion_delete"),
    path("agreements/<slug:code>/sign-offs/new/", signoffs.sign_off_create, name="sign_off_create"),
    path("agreements/<slug:code>/sign-offs/<int:pk>/", signoffs.sign_off_detail, name="sign_off_detail"),
    path("maintenance/", views.MaintenanceListView.as_view(), name="maintenance_list"),
    path("maintenance/new/", views.maintenance_create, name="maintenance_create"),
    path("maintenance/<int:pk>/", views.MaintenanceDetailView.as_view(), name="maintenance_detail"),
    path("maintenance/<int:pk>/edit/", views.maintenance_update, name="maintenance_update"),
    path("maintenance/<int:pk>/status/<slug:status>/", views.maintenance_transition, name="maintenance_transition"),
    path("customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("customers/new/", views.CustomerCreateView.as_view(), name="customer_create"),
    path("customers/<slug:code>/", views.CustomerDetailView.as_view(), name="customer_detail"),
    path("customers/<slug:code>/edit/", views.CustomerUpdateView.as_view(), name="customer_update"),
    path("customers/<slug:code>/people/", people.people, name="people"),
    path("customers/<slug:code>/people/<int:pk>/active/", people.person_active, name="person_active"),
    path("customers/<slug:code>/people/<int:pk>/admin/", people.person_admin, name="person_admin"),
    path(
        "customers/<slug:code>/invitations/<int:pk>/withdraw/", people.invitation_withdraw, name="invitation_withdraw"
    ),
    path("customers/<slug:code>/people/<int:pk>/signing/", signoffs.membership_signing, name="membership_signing"),
    path("services/", views.ServiceListView.as_view(), name="service_list"),
    path("services/new/", views.ServiceCreateView.as_view(), name="service_create"),
    path("services/<slug:code>/", views.ServiceDetailView.as_view(), name="service_detail"),
    path("services/<slug:code>/edit/", views.ServiceUpdateView.as_view(), name="service_update"),
    path("calendars/", views.CalendarListView.as_view(), name="calendar_list"),
    path("calendars/new/", views.CalendarCreateView.as_view(), name="calendar_create"),
    path("calendars/<slug:code>/", views.CalendarDetailView.as_view(), name="calendar_detail"),
    path("calendars/<slug:code>/edit/", views.CalendarUpdateView.as_view(), name="calendar_update"),
    path("maintenance/<int:pk>/", maintenance_placeholder.maintenance_detail, name="maintenance_detail"),
    path("maintenance/feed/", feeds.calendar_feed, name="calendar_feed"),
    path("maintenance/feed/<str:token>.ics", feeds.calendar_feed_ics, name="calendar_feed_ics"),
]
