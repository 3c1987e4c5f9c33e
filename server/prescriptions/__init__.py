"""E-prescriptions: the doctor writes one in a confirmed follow-up visit, controlled drugs are refused,
interactions and allergies are flagged, a pharmacist approves or returns it, and only an approved
prescription reaches the patient. The drug rules are data with their sources (rules.py)."""
