"""Consent (PIPL art. 28-29: health data is sensitive, processed only with separate, explicit consent):
one consent per purpose, with its version and time, withdrawable at once; the routes that process
health data refuse without it; and the person's own copy of everything the clinic holds (export)."""
