// Employer dashboard: the staff screening status (see the employer routes).
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const box = document.getElementById("employer-content");
  try {
    const staff = await api("GET", "/api/employer/staff");
    box.innerHTML = staff.length ? `<table><tbody>${staff.map((s) => `<tr><td>${esc(s.employee_ref)}</td><td>${esc(s.name)}</td><td>${esc(s.status)}</td></tr>`).join("")}</tbody></table>` : "-";
  } catch (e) { box.textContent = e.message; }
});
