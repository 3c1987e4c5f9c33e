"""The one named route table. Each row: method, path, handler, name, and what the request carries (for
OpenAPI): a Body model (JSON), a Query model (query string), Upload (multipart `file`) or None."""
from __future__ import annotations

from pathlib import Path

from aiohttp import web

from server.accounts import views as accounts
from server.admin import views as admin
from server.calls import views as rtc
from server.consent import views as consent
from server.consultations import views as consultations
from server.dependants import views as dependants
from server.employers import views as employers
from server.guests import views as guests
from server.homewatch import call_views as homewatch_calls
from server.homewatch import views as homewatch_views
from server.identity import views as identity
from server.keys import ROUTE_TABLE
from server.ops import views as ops
from server.prescriptions import views as prescriptions
from server.queue import views as queue_views
from server.records import views as records
from server.triage import schemas as triage_schemas
from server.triage import views as triage_views
from server.visits import views as visits
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

    ("POST", "/api/me/password", accounts.change_password, "password_change", accounts.NewPassword),
    ("POST", "/api/me/totp", accounts.start_totp, "totp_start", None),
    ("POST", "/api/me/totp/confirm", accounts.confirm_totp, "totp_confirm", accounts.TotpCode),

    ("GET", "/api/triage/questionnaire", triage_views.questionnaire, "triage_questionnaire", None),
    ("POST", "/api/triage/assessments", triage_views.create_assessment, "triage_assess", triage_schemas.AssessmentBody),
    ("GET", "/api/triage/me", triage_views.my_profile, "triage_me", None),
    ("GET", "/api/triage/versions", triage_views.list_versions, "triage_versions", None),
    ("POST", "/api/triage/versions/{version}/signoff", triage_views.sign_off, "triage_signoff", triage_schemas.Signoff),
    ("GET", "/api/triage/feedback-report", triage_views.feedback_report, "triage_feedback_report", None),
    ("GET", "/api/doctor/emergencies", triage_views.recent_emergencies, "doctor_emergencies", None),
    ("POST", "/api/doctor/emergencies/{id}/outcome", triage_views.record_outcome, "doctor_emergency_outcome",
     triage_schemas.EmergencyOutcome),
    ("POST", "/api/consultations/{id}/triage-feedback", triage_views.triage_feedback, "consultation_triage_feedback",
     triage_schemas.TriageFeedback),
    ("GET", "/triage/handbook", triage_views.handbook_page, "triage_handbook_page", None),
    ("GET", "/doctor/emergencies", triage_views.emergencies_page, "doctor_emergencies_page", None),

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
    ("POST", "/api/consultations/{id}/rating", consultations.rate, "consultation_rate", consultations.ConsultationRating),

    ("GET", "/api/rtc/ice-servers", rtc.ice_servers, "ice_servers", None),
    ("POST", "/api/rtc/precheck", rtc.precheck_offer, "rtc_precheck", rtc.Offer),

    ("GET", "/employer/invitations", employers.invitations_print_page, "employer_invitations_page", None),
    ("GET", "/invite/{token}", employers.invite_page, "invite_page", None),
    ("GET", "/screening", employers.screening_page, "screening_page", None),
    ("POST", "/api/employer/staff/import", employers.import_staff, "employer_staff_import", Upload),
    ("POST", "/api/employer/staff/invitations", employers.issue_invitations, "employer_invitations",
     employers.IssueInvitations),
    ("GET", "/api/employer/staff", employers.list_staff, "employer_staff", employers.StaffPage),
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
    ("GET", "/api/consultations/{id}/fhir", records.fhir_export, "consultation_fhir", records.FhirExport),
    ("GET", "/api/fhir/Questionnaire/{id}", records.fhir_questionnaire, "fhir_questionnaire", None),
    ("GET", "/consultations/{id}/summary", records.summary_page, "summary_page", None),
    ("GET", "/patient/history", records.history_page, "patient_history_page", None),
    ("GET", "/api/admin/stats", admin.admin_stats, "admin_stats", admin.StatsQuery),
    ("GET", "/api/admin/audit", admin.admin_audit, "admin_audit", admin.AuditQuery),

    # Follow-up care, prescriptions, consent, dependants, sign-in by code (API.md's last section).
    ("POST", "/api/auth/code", accounts.send_code, "auth_code", accounts.CodeRequest),
    ("POST", "/api/auth/login-code", accounts.login_with_code, "auth_login_code", accounts.CodeLogin),
    ("POST", "/api/auth/reset-password", accounts.reset_password, "auth_reset_password", accounts.PasswordReset),
    ("GET", "/api/me/consents", consent.my_consents, "my_consents", None),
    ("POST", "/api/me/consents", consent.decide_consent, "my_consents_decide", consent.ConsentDecision),
    ("GET", "/api/me/export", consent.my_export, "my_export", None),
    ("GET", "/api/me/identity", identity.my_identity, "my_identity", None),
    ("POST", "/api/me/identity", identity.submit_identity, "identity_submit", identity.IdentityBody),
    ("GET", "/api/me/dependants", dependants.list_dependants, "dependant_list", None),
    ("POST", "/api/me/dependants", dependants.add_dependant, "dependant_add", dependants.NewDependant),
    ("POST", "/api/consultations/{id}/visit-type", visits.set_visit_type, "consultation_visit_type", visits.VisitType),
    ("POST", "/api/consultations/{id}/guardian", visits.set_guardian, "consultation_guardian", visits.Guardian),
    ("GET", "/api/consultations/{id}/prescriptions", prescriptions.list_prescriptions, "prescription_list", None),
    ("POST", "/api/consultations/{id}/prescriptions", prescriptions.create_prescription, "prescription_create",
     prescriptions.NewPrescription),
    ("GET", "/api/pharmacy/queue", prescriptions.pharmacy_queue, "pharmacy_queue", None),
    ("POST", "/api/prescriptions/{id}/review", prescriptions.review_prescription, "prescription_review",
     prescriptions.Review),
    ("GET", "/pharmacy", pages.pharmacy_page, "pharmacy_page", None),
    ("POST", "/api/admin/users/{id}/phone", identity.change_phone, "admin_user_phone", identity.PhoneChange),
    ("GET", "/account", pages.account_page, "account_page", None),
    ("POST", "/api/consultations/{id}/guests", guests.invite_guest, "consultation_guest_invite", guests.Guest),
    ("GET", "/join/{token}", guests.guest_page, "guest_page", None),

    *homewatch_views.ROUTES,
    *homewatch_calls.ROUTES,
    ("GET", "/api/admin/users", admin.list_staff, "admin_list_users", admin.StaffQuery),
    ("PATCH", "/api/admin/users/{id}", admin.update_staff, "admin_update_user", admin.StaffChange),
    ("POST", "/api/admin/users/{id}/disable", admin.disable_staff, "admin_disable_user", None),
    ("GET", "/api/admin/organisations", admin.list_organisations, "admin_list_organisations", None),
]


def setup_routes(app: web.Application) -> None:
    """Register every route by name, and the static files (our JS, CSS and the vendored Socket.IO client)."""
    for method, path, handler, name, _model in ROUTES:
        app.router.add_route(method, path, handler, name=name)
    app[ROUTE_TABLE] = ROUTES
    app.router.add_static("/static", STATIC_DIR, name="static")
