// The family page: their relative's alerts, who took each and when it closed; a rating; the daily
// "all is well" line only when the resident consented to share it.
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { toast } from "../lib/dom.js";
import { stamp as time } from "../lib/dates.js";
import { connect, keepNewer } from "./lib.js";
import { COLON } from "../lib/labels.js";
import "../lib/page.js";

const alerts = new Map();
let homes = [];

function render() {
  const list = document.getElementById("alerts");
  const all = [...alerts.values()].sort((a, b) => Date.parse(b.raised_at) - Date.parse(a.raised_at));
  document.getElementById("no-alerts").hidden = all.length > 0;
  list.replaceChildren(...all.map(card));
  const consented = homes.some((h) => h.consent && h.consent.family_daily_summary);
  const today = all.filter((a) => Date.now() - Date.parse(a.raised_at) < 86400e3);
  document.getElementById("daily-line").textContent = !consented ? T("hw.no_consent_summary")
    : (today.length === 0 ? T("hw.all_well") : "");
}

function card(alert) {
  const node = document.getElementById("alert-template").content.firstElementChild.cloneNode(true);
  node.dataset.alertId = alert.id;
  node.querySelector(".kind").textContent = T(`hw.kind.${alert.kind}`);
  node.querySelector(".status").textContent = T(`hw.status.${alert.status}`);
  node.querySelector(".when").textContent = `${T("hw.raised_at")}${COLON}${time(alert.raised_at)}`;
  node.querySelector(".owner").textContent = alert.owner ? `${T("hw.taken_by")}${COLON}${alert.owner.name}` : "";
  node.querySelector(".closed").textContent = alert.closed_at
    ? `${T("hw.closed_at")}${COLON}${time(alert.closed_at)} · ${T(`hw.outcome.${alert.outcome}`)}` : "";
  const rate = node.querySelector(".rate");
  rate.hidden = !(alert.status === "closed" && !alert.rating);
  for (const star of rate.querySelectorAll(".star")) {
    star.addEventListener("click", async () => {
      try {
        await api("POST", `/api/homewatch/alerts/${alert.id}/rating`, { rating: Number(star.dataset.rating) });
        alert.rating = Number(star.dataset.rating); render(); toast(T("hw.thanks"));
      } catch (error) { toast(error.message || T("hw.error")); }
    });
  }
  return node;
}

async function reload() {
  homes = (await api("GET", "/api/homewatch/me")).homes;
  for (const alert of await api("GET", "/api/homewatch/alerts?status=all")) keepNewer(alerts, alert);
  render();
}
connect((alert) => { keepNewer(alerts, alert); render(); }, reload);
