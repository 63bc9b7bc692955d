"""The refusal of a change to a closed plan (verified or cancelled): a page that says why, answered with 409."""

from django.shortcuts import render


def refuse_if_closed(request, plan):
    """The 409 page when ``plan`` is closed, else None: the view goes on."""
    if not plan.is_closed:
        return None
    return render(request, "improvement/plan_closed.html", {"plan": plan}, status=409)
