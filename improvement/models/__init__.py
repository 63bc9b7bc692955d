from improvement.models.plans import (
    Action,
    DigestDelivery,
    EffectReview,
    ImprovementPlan,
    PlanStatusChange,
)

__all__ = ["Action", "DigestDelivery", "EffectReview", "ImprovementPlan", "PlanStatusChange"]
