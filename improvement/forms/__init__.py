"""Forms of service level improvement: plans and their actions (``plans``), service reviews of agreements
(``reviews``)."""

from improvement.forms.plans import ActionForm, PlanForm
from improvement.forms.reviews import DecisionFormSet, ReviewForm

__all__ = ["ActionForm", "DecisionFormSet", "PlanForm", "ReviewForm"]
