"""Readout: what people see of the evaluation's snapshots, breaches and rollups.

``compliance`` answers "how did this target do in month M?" for the API, the reports and the dashboards alike;
``reports`` builds the SLA report, ``dashboards`` the customer's dashboard and the manager's overview (cached with
``cache``), ``timeline`` and ``charts`` a target's page, ``panels`` the blocks on the agreement page, and ``what_if``
the target form's replay of past periods at another objective.
"""
