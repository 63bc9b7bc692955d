"""Intake: how samples come in (the API, CSV uploads, HTTP probes, the demo) and are rolled up per minute.

Every source passes through ``ingest``, which validates and stores the samples and merges their counts into the hour
rollups (``rollups``) in the same transaction. What comes next is the evaluation (``monitoring.evaluation``).
"""
