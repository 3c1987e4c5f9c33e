// Admin dashboard: departments at a glance.
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const box = document.getElementById("admin-content");
  try {
    const depts = await api("GET", "/api/departments");
    box.innerHTML = `<table><thead><tr><th>${esc(T("department"))}</th><th>${esc(T("waiting_patients"))}</th><th>${esc(T("available"))}</th><th>${esc(T("estimated_wait"))}</th></tr></thead><tbody>` +
      depts.map((d) => `<tr><td>${esc(d.name)}</td><td>${d.waiting}</td><td>${d.doctors_available}</td><td>${d.estimated_wait_minutes}</td></tr>`).join("") + "</tbody></table>";
  } catch (e) { box.textContent = e.message; }
});
