"""Consultations: who may open one, its lifecycle (end, return, transfer, recall, interruption),
call-quality reports and ratings, and the texts of the call."""
