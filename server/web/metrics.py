"""Prometheus metrics for an operator's scraper (served at /metrics, not to patients)."""
from __future__ import annotations

import itertools
import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from server.accounts import passwords


class PasswordPoolCollector:
    """The argon2 pool's queueing (server/accounts/passwords.py), read at each scrape; with the process id,
    since several processes may answer on one port."""

    def collect(self):
        stats = passwords.STATS
        cumulative = list(itertools.accumulate(stats.counts))
        buckets = [(str(b), c) for b, c in zip(stats.BUCKETS, cumulative)] + [("+Inf", cumulative[-1])]
        yield HistogramMetricFamily("clinic_password_queue_seconds", "Wait of an argon2 hash for a pool thread",
                                    buckets=buckets, sum_value=stats.wait_sum)
        yield CounterMetricFamily("clinic_password_busy", "argon2 hashes refused with 503 (backlog full)",
                                  value=stats.refused)
        yield GaugeMetricFamily("clinic_password_queue_peak", "Most argon2 hashes queued or running at once",
                                value=stats.peak)
        yield GaugeMetricFamily("clinic_process_pid", "The process that answered this scrape", value=os.getpid())


class Metrics:
    """One registry per application, so tests and several apps in one process do not collide."""

    def __init__(self):
        self.registry = CollectorRegistry()
        self.registry.register(PasswordPoolCollector())
        self.http_latency = Histogram("clinic_http_request_seconds", "HTTP request latency",
                                      ["method", "route", "status"], registry=self.registry)
        self.socket_connections = Gauge("clinic_socket_connections", "Open Socket.IO connections",
                                        registry=self.registry)
        self.relay_latency = Histogram("clinic_signal_relay_seconds", "Time to validate and relay a signal",
                                       buckets=(.0005, .001, .002, .005, .01, .025, .05, .1, .25),
                                       registry=self.registry)
        self.claims = Counter("clinic_claims_total", "Patients claimed by doctors", ["department"],
                              registry=self.registry)
        self.waiting = Gauge("clinic_waiting_patients", "Patients waiting", ["department"], registry=self.registry)
        self.active_consultations = Gauge("clinic_active_consultations", "Consultations not yet ended",
                                          registry=self.registry)

    def observe_http(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one HTTP request."""
        self.http_latency.labels(method, route, str(status)).observe(seconds)
