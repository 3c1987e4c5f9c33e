// The doctor's view of the triage (too low / right / too high), saved as soon as it is chosen, for the
// weekly report per presentation and questionnaire version.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("triage-feedback");
  if (!box) return;
  box.addEventListener("change", async (event) => {
    if (event.target.name !== "triage_rating") return;
    const status = document.getElementById("triage-feedback-status");
    try {
      const current = await api("GET", "/api/consultations/current");
      await api("POST", `/api/consultations/${current.id}/triage-feedback`, { rating: event.target.value });
      status.textContent = T("emergencies_saved");
    } catch (e) { status.textContent = e.message; }
  });
});
