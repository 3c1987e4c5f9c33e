"""Dependants: the people an account books for (a child, an elderly parent), each with their own
identity and records; the account holder is their guardian in the consultation."""
