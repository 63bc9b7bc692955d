from improvement.views.plans import (
    action_add,
    action_edit,
    board,
    plan_create,
    plan_detail,
    plan_edit,
    plan_review,
    plan_transition,
)
from improvement.views.review_pack import review_pack_csv_view, review_pack_page
from improvement.views.reviews import review_confirm, review_create, review_detail, review_list

__all__ = [
    "action_add",
    "action_edit",
    "board",
    "plan_create",
    "plan_detail",
    "plan_edit",
    "plan_review",
    "plan_transition",
    "review_confirm",
    "review_create",
    "review_detail",
    "review_list",
    "review_pack_csv_view",
    "review_pack_page",
]
