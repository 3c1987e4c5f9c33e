"""Consultation records: SOAP notes, ICD-10 diagnoses and medications, drafts and amendments,
history, attachments, the patient's summary and the FHIR R4 export."""
