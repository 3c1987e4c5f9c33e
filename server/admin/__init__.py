"""The administrator's views: per-department figures and the audit log."""
