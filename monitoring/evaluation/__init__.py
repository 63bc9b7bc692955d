from monitoring.evaluation.engine import EvaluationSummary, evaluable_targets, evaluate_targets

__all__ = ["EvaluationSummary", "evaluable_targets", "evaluate_targets"]
