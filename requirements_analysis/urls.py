from django.urls import path

from requirements_analysis import views

app_name = "requirements_analysis"

urlpatterns = [
    path("requirements/", views.RequirementListView.as_view(), name="requirement_list"),
    path("requirements/new/", views.requirement_create, name="requirement_create"),
    path("requirements/<slug:code>/", views.requirement_detail, name="requirement_detail"),
    path("requirements/<slug:code>/edit/", views.requirement_edit, name="requirement_update"),
    path("requirements/<slug:code>/targets/", views.requirement_targets, name="requirement_targets"),
    path("requirements/<slug:code>/status/<slug:status>/", views.requirement_decide, name="requirement_decide"),
    path("surveys/", views.CampaignListView.as_view(), name="campaign_list"),
    path("surveys/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("surveys/<slug:code>/", views.campaign_detail, name="campaign_detail"),
    path("surveys/<slug:code>/edit/", views.CampaignUpdateView.as_view(), name="campaign_update"),
    path("surveys/<slug:code>/invite/", views.campaign_invite, name="campaign_invite"),
    path("surveys/<slug:code>/send/", views.campaign_send, name="campaign_send"),
    path("surveys/<slug:code>/status/<slug:status>/", views.campaign_status, name="campaign_status"),
    path("survey/<str:token>/", views.survey_answer, name="survey_answer"),
    path("priorities/", views.priorities, name="priorities"),
]
