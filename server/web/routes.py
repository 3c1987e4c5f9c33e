"""The one named route table. Each row: method, path, handler, name, and what the request carries (for
OpenAPI): a Body model (JSON), a Query model (query string), Upload (multipart `file`) or None."""
from __future__ import annotations

from pathlib import Path

from aiohttp import web

from server.accounts import views as accounts
from server.admin import views as admin
from server.calls import views as rtc
from server.consultations import views as consultations
from server.employers import views as employers
from server.keys import ROUTE_TABLE
from server.ops import views as ops
from server.queue import views as queue_views
from server.records import views as records
from server.views import triage as triage_views
from server.web import pages
from server.web.validation import Upload

STATIC_DIR = Path(__file__).resolve().parents[2] / "webclient" / "static"

ROUTES = [
    ("GET", "/", pages.home, "home", None),
    ("GET", "/patient", pages.patient_page, "patient_page", None),
    ("GET", "/doctor", pages.doctor_page, "doctor_page", None),
    ("GET", "/employer", pages.employer_page, "employer_page", None),
    ("GET", "/admin", pages.admin_page, "admin_page", None),
    ("GET", "/healthz", ops.healthz, "healthz", None),
    ("GET", "/metrics", ops.metrics, "metrics", None),
    ("GET", "/api/openapi.json", ops.openapi, "openapi", None),

    ("POST", "/api/auth/register", accounts.register, "register", accounts.Register),
    ("POST", "/api/auth/login", accounts.login, "login", accounts.Login),
    ("POST", "/api/auth/logout", accounts.logout, "logout", None),
    ("GET", "/api/me", accounts.me, "me", None),
    ("POST", "/api/admin/users", accounts.create_user, "admin_create_user", accounts.NewUser),
    ("POST", "/api/admin/organisations", accounts.create_organisation, "admin_create_organisation",
     accounts.NewOrganisation),

    ("GET", "/api/triage/questionnaire", triage_views.questionnaire, "triage_questionnaire", None),
    ("POST", "/api/triage/assessments", triage_views.create_assessment, "triage_assess", None),

    ("POST", "/api/queue", queue_views.enqueue, "queue_join", queue_views.Enqueue),
    ("GET", "/api/queue/me", queue_views.my_entry, "queue_me", None),
    ("DELETE", "/api/queue/me", queue_views.leave_queue, "queue_leave", None),
    ("POST", "/api/queue/me/precheck", queue_views.save_precheck, "queue_precheck", queue_views.Precheck),
    ("POST", "/api/queue/me/reassess", queue_views.reassess, "queue_reassess", None),
    ("GET", "/api/departments", queue_views.departments, "departments", None),
    ("GET", "/api/doctor/queue", queue_views.doctor_queue, "doctor_queue", None),
    ("POST", "/api/doctor/status", queue_views.doctor_status, "doctor_status", queue_views.DoctorStatus),
    ("POST", "/api/doctor/claim", queue_views.claim, "doctor_claim", queue_views.Claim),
    ("GET", "/api/consultations/current", consultations.my_consultation, "consultation_current", None),
    ("GET", "/api/consultations/history", consultations.my_history, "consultation_history", None),
    ("GET", "/api/consultations/{id}", consultations.consultation, "consultation", None),
    ("POST", "/api/consultations/{id}/end", consultations.end_consultation, "consultation_end", consultations.EndConsultation),
    ("POST", "/api/consultations/{id}/return", consultations.return_to_queue, "consultation_return", None),
    ("POST", "/api/consultations/{id}/transfer", consultations.transfer, "consultation_transfer", consultations.Transfer),
    ("POST", "/api/consultations/{id}/recall", consultations.recall, "consultation_recall", None),
    ("POST", "/api/consultations/{id}/quality", consultations.report_quality, "consultation_quality", consultations.Quality),
    ("POST", "/api/consultations/{id}/rating", consultations.rate, "consultation_rate", consultations.Rating),

    ("GET", "/api/rtc/ice-servers", rtc.ice_servers, "ice_servers", None),
    ("POST", "/api/rtc/precheck", rtc.precheck_offer, "rtc_precheck", rtc.Offer),

    ("GET", "/employer/invitations", employers.invitations_print_page, "employer_invitations_page", None),
    ("GET", "/invite/{token}", employers.invite_page, "invite_page", None),
    ("GET", "/screening", employers.screening_page, "screening_page", None),
    ("POST", "/api/employer/staff/import", employers.import_staff, "employer_staff_import", Upload),
    ("POST", "/api/employer/staff/invitations", employers.issue_invitations, "employer_invitations",
     employers.IssueInvitations),
    ("GET", "/api/employer/staff", employers.list_staff, "employer_staff", None),
    ("GET", "/api/employer/staff.csv", employers.staff_csv, "employer_staff_csv", None),
    ("GET", "/api/employer/staff/{employee_ref}", employers.staff_member, "employer_staff_member", None),
    ("GET", "/api/employer/summary", employers.staff_summary, "employer_summary", None),
    ("POST", "/api/employer/colleagues", employers.add_colleague, "employer_colleagues", employers.Colleague),
    ("GET", "/api/invitations/{token}", employers.invitation_info, "invitation", None),
    ("POST", "/api/invitations/{token}/accept", employers.accept_invitation, "invitation_accept", None),
    ("GET", "/api/me/employers", employers.my_employers, "my_employers", None),
    ("DELETE", "/api/me/employers/{id}", employers.withdraw_employer, "my_employer_withdraw", None),
    ("POST", "/api/screenings", employers.create_screening, "screening_create", None),
    ("GET", "/api/screenings/latest", employers.latest_screening, "screening_latest", None),

    ("GET", "/api/icd10", records.icd10_search, "icd10_search", None),
    ("GET", "/api/consultations/{id}/record", records.get_record, "consultation_record", None),
    ("PUT", "/api/consultations/{id}/record", records.save_draft, "consultation_record_save", records.RecordDraft),
    ("POST", "/api/consultations/{id}/amendments", records.amend, "consultation_amend", records.Amendment),
    ("GET", "/api/patients/{id}/consultations", records.patient_consultations, "patient_consultations", None),
    ("POST", "/api/consultations/{id}/attachments", records.upload_attachment, "attachment_upload", Upload),
    ("GET", "/api/consultations/{id}/attachments", records.list_attachments, "attachment_list", None),
    ("GET", "/api/attachments/{id}", records.download_attachment, "attachment_download", None),
    ("GET", "/api/consultations/{id}/summary", records.summary, "consultation_summary", None),
    ("GET", "/api/consultations/{id}/fhir", records.fhir_export, "consultation_fhir", None),
    ("GET", "/consultations/{id}/summary", records.summary_page, "summary_page", None),
    ("GET", "/patient/history", records.history_page, "patient_history_page", None),
    ("GET", "/api/admin/stats", admin.admin_stats, "admin_stats", admin.StatsQuery),
    ("GET", "/api/admin/audit", admin.admin_audit, "admin_audit", admin.AuditQuery),
    ("GET", "/api/admin/users", admin.list_staff, "admin_list_users", admin.StaffQuery),
    ("PATCH", "/api/admin/users/{id}", admin.update_staff, "admin_update_user", admin.StaffChange),
    ("GET", "/api/admin/organisations", admin.list_organisations, "admin_list_organisations", None),
]


def setup_routes(app: web.Application) -> None:
    """Register every route by name, and the static files (our JS, CSS and the vendored Socket.IO client)."""
    for method, path, handler, name, _model in ROUTES:
        app.router.add_route(method, path, handler, name=name)
    app[ROUTE_TABLE] = ROUTES
    app.router.add_static("/static", STATIC_DIR, name="static")
