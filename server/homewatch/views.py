"""Home watch's route table: the one list `server/web/routes.py` includes (`*homewatch_views.ROUTES`).

The handlers live by concern: home_views (streets, people, homes, rules, consent, links),
device_views (provisioning, HTTP ingestion), alert_views (duty and an alert's life), shift_views
(the operator's carers, duty and shifts), report_views (figures and CSV). Sensor history and home
details are health data: every read is role- and consent-checked and audited (view_access).
"""
from __future__ import annotations

from server.homewatch import alert_views as alerts
from server.homewatch import device_views as devices
from server.homewatch import home_views as homes
from server.homewatch import report_views as reports
from server.homewatch import shift_views as shifts
from server.homewatch.keys import HOMEWATCH
from server.web import pages

carer_page = pages.page("homewatch/carer.html", "carer", "street_operator")
family_page = pages.page("homewatch/family.html", "family")
resident_page = pages.page("homewatch/resident.html", "patient")
# The charts' days are the homes' days (the report counts them in that zone), whatever the browser's clock says.
operator_page = pages.page("homewatch/operator.html", "street_operator",
                           context=lambda request: {"homes_zone": request.app[HOMEWATCH].cfg.timezone})

ROUTES = [
    ("GET", "/homewatch/carer", carer_page, "hw_carer_page", None),
    ("GET", "/homewatch/family", family_page, "hw_family_page", None),
    ("GET", "/homewatch/home", resident_page, "hw_resident_page", None),
    ("GET", "/homewatch/operator", operator_page, "hw_operator_page", None),
    ("POST", "/api/admin/streets", homes.create_street, "hw_street_create", homes.NewStreet),
    ("POST", "/api/admin/street-operators", homes.create_operator, "hw_operator_create", homes.NewStreetOperator),
    ("POST", "/api/homewatch/users", homes.create_street_user, "hw_user_create", homes.NewStreetUser),
    ("POST", "/api/homewatch/homes", homes.create_home, "hw_home_create", homes.NewHome),
    ("GET", "/api/homewatch/homes", homes.list_homes, "hw_homes", None),
    ("GET", "/api/homewatch/homes/{id}", homes.get_home, "hw_home", None),
    ("PUT", "/api/homewatch/homes/{id}/rules", homes.set_rules, "hw_home_rules", homes.Rules),
    ("POST", "/api/homewatch/homes/{id}/away", homes.set_away, "hw_home_away", homes.Away),
    ("POST", "/api/homewatch/homes/{id}/consent", homes.set_consent, "hw_home_consent", homes.ConsentChange),
    ("PUT", "/api/homewatch/homes/{id}/people", homes.set_people, "hw_home_people", homes.People),
    ("GET", "/api/homewatch/homes/{id}/events", homes.home_events, "hw_home_events", None),
    ("POST", "/api/homewatch/homes/{id}/devices", devices.add_device, "hw_device_add", devices.NewDevice),
    ("POST", "/api/homewatch/devices/{id}/events", devices.device_events, "hw_device_events", None),
    ("POST", "/api/homewatch/duty", alerts.set_duty, "hw_duty", alerts.Duty),
    ("GET", "/api/homewatch/carers", shifts.list_carers, "hw_carers", None),
    ("POST", "/api/homewatch/carers/{id}/duty", shifts.set_carer_duty, "hw_carer_duty", shifts.CarerDuty),
    ("GET", "/api/homewatch/shifts", shifts.list_shifts, "hw_shifts", shifts.RosterQuery),
    ("POST", "/api/homewatch/shifts", shifts.create_shift, "hw_shift_create", shifts.NewShift),
    ("DELETE", "/api/homewatch/shifts/{id}", shifts.cancel_shift, "hw_shift_cancel", None),
    ("GET", "/api/homewatch/me", alerts.my_duty, "hw_me", None),
    ("POST", "/api/homewatch/homes/{id}/help", alerts.resident_help, "hw_home_help", None),
    ("GET", "/api/homewatch/alerts", alerts.list_alerts, "hw_alerts", None),
    ("GET", "/api/homewatch/alerts/{id}", alerts.get_alert, "hw_alert", None),
    ("POST", "/api/homewatch/alerts/{id}/acknowledge", alerts.acknowledge, "hw_alert_ack", None),
    ("POST", "/api/homewatch/alerts/{id}/progress", alerts.progress, "hw_alert_progress", alerts.Progress),
    ("POST", "/api/homewatch/alerts/{id}/resolve", alerts.resolve, "hw_alert_resolve", alerts.Resolve),
    ("POST", "/api/homewatch/alerts/{id}/cancel", alerts.cancel, "hw_alert_cancel", None),
    ("POST", "/api/homewatch/alerts/{id}/rating", alerts.rate, "hw_alert_rating", alerts.Rating),
    ("GET", "/api/homewatch/ingestion", devices.ingestion, "hw_ingestion", None),
    ("GET", "/api/homewatch/reports", reports.report, "hw_report", reports.ReportQuery),
    ("GET", "/api/homewatch/reports/homes", reports.report_homes, "hw_report_homes", None),
    ("GET", "/api/homewatch/reports.csv", reports.report_csv, "hw_report_csv", None),
]
