from django.urls import path

from improvement import views

app_name = "improvement"

urlpatterns = [
    path("plans/", views.board, name="board"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<slug:code>/", views.plan_detail, name="plan_detail"),
    path("plans/<slug:code>/edit/", views.plan_edit, name="plan_update"),
    path("plans/<slug:code>/status/<slug:status>/", views.plan_transition, name="plan_transition"),
    path("plans/<slug:code>/review/", views.plan_review, name="plan_review"),
    path("plans/<slug:code>/actions/new/", views.action_add, name="action_add"),
    path("plans/<slug:code>/actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<slug:code>/", views.review_detail, name="review_detail"),
    path("reviews/<slug:code>/confirm/", views.review_confirm, name="review_confirm"),
    path("agreements/<slug:code>/reviews/new/", views.review_create, name="review_create"),
    path("customers/<slug:code>/review-pack/", views.review_pack_page, name="review_pack"),
    path("customers/<slug:code>/review-pack.csv", views.review_pack_csv_view, name="review_pack_csv"),
]
