"""OpenSLO files for the tests: in the shape of the OpenSLO v1 specification's examples, and broken ones."""

# The specification's examples: a Service, a ratio SLI fed by another tool, an SLO on a calendar month (Occurrences).
SPEC_EXAMPLE = """\
apiVersion: openslo/v1
kind: Service
metadata:
  name: checkout
  displayName: Checkout
spec:
  description: The shop's checkout
---
apiVersion: openslo/v1
kind: SLI
metadata:
  name: checkout-success
  displayName: Checkout requests that succeed
  labels:
    team: payments
    tier: [gold, external]
spec:
  description: Share of successful checkout requests
  ratioMetric:
    counter: true
    good:
      metricSource:
        type: Prometheus
        spec:
          query: sum(rate(http_requests_total{job="checkout",code!~"5.."}[1m]))
    total:
      metricSource:
        type: Prometheus
        spec:
          query: sum(rate(http_requests_total{job="checkout"}[1m]))
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
  displayName: Checkout availability
  annotations:
    openslo.com/owner: payments-oncall
spec:
  description: 99.5 % of checkout requests succeed each month
  service: checkout
  indicatorRef: checkout-success
  timeWindow:
    - duration: 1M
      isRolling: false
      calendar:
        startTime: "2026-01-01 00:00:00"
        timeZone: Asia/Seoul
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good
      target: 0.995
"""

# A threshold SLI and a rolling Timeslices SLO, in the shape of the specification's latency example.
LATENCY_EXAMPLE = """\
apiVersion: openslo/v1
kind: SLI
metadata:
  name: checkout-latency
spec:
  thresholdMetric:
    metricSource:
      type: Prometheus
      spec:
        query: histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket[1m])) by (le))
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-latency
spec:
  service: checkout
  indicatorRef: checkout-latency
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Timeslices
  objectives:
    - op: lte
      value: 0.3
      target: 0.99
      timeSliceTarget: 0.95
      timeSliceWindow: 5m
"""

BILLION_LAUGHS = """\
apiVersion: openslo/v1
kind: Service
metadata: &a
  name: x
spec: {description: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]}
"""

# The specification's Timeslices example, in its shape: an inline SLI with no counter, a "1m" calendar window in
# America/New_York with an unquoted start time, two objectives, and alertPolicies left empty.
TIMESLICES_EXAMPLE = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: service-availability
  displayName: Availability against the contract
spec:
  description: Are we above the contract, with time to react?
  service: web-availability
  indicator:
    metadata:
      name: web-availability
      displayName: Time the service was running
    spec:
      ratioMetric:
        good:
          metricSource:
            type: Any
            spec:
              query: up
        total:
          metricSource:
            type: Any
            spec:
              query: all
  timeWindow:
    - duration: 1m
      isRolling: false
      calendar:
        startTime: 2022-01-01 12:00:00
        timeZone: America/New_York
  budgetingMethod: Timeslices
  objectives:
    - displayName: Internal
      target: 0.995
      timeSliceTarget: 0.99
      timeSliceWindow: 1m
    - displayName: Contract
      target: 0.99
      timeSliceTarget: 0.99
      timeSliceWindow: 1m
  alertPolicies:
"""

# The specification's RatioTimeslices example, in its shape: an inline SLI, a rolling window of two weeks.
RATIO_TIMESLICES_EXAMPLE = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: main-page
  displayName: Main page availability
spec:
  description: The main page is always available
  service: web-shop
  indicator:
    metadata:
      name: response-code
      displayName: Response codes of the main page
    spec:
      ratioMetric:
        good:
          metricSource:
            type: Any
            spec:
              query: ok
        total:
          metricSource:
            type: Any
            spec:
              query: all
  timeWindow:
   - duration: 2w
     isRolling: true
  budgetingMethod: RatioTimeslices
  objectives:
    - displayName: Good
      timeSliceWindow: 1m
      target: 0.99
"""
