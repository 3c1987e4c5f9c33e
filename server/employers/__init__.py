"""Employers: staff lists imported from CSV, invitation links, the person's own employer links,
and the daily screening rule and its results (employers see statuses only)."""
