// The doctor's view of the triage (too low / right / too high), saved as soon as it is chosen, for the
// weekly report per presentation and questionnaire version. Imported by the doctor's page (doctor.js).
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";

const box = document.getElementById("triage-feedback");
if (box) {
  box.addEventListener("change", async (event) => {
    if (event.target.name !== "triage_rating") return;
    const status = document.getElementById("triage-feedback-status");
    try {
      const current = await api("GET", "/api/consultations/current");
      await api("POST", `/api/consultations/${current.id}/triage-feedback`, { rating: event.target.value });
      status.textContent = T("emergencies_saved");
    } catch (e) { status.textContent = e.message; }
  });
}
