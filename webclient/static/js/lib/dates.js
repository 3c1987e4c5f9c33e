// Every date and time shown in the browser goes through here: one locale, one style per use.
import { LOCALE } from "./texts.js";

const formats = {
  dateTime: new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeStyle: "short" }),
  date: new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium" }),
  time: new Intl.DateTimeFormat(LOCALE, { hour: "2-digit", minute: "2-digit" }),
  dayMonth: new Intl.DateTimeFormat(LOCALE, { month: "numeric", day: "numeric" }),
  stamp: new Intl.DateTimeFormat(LOCALE, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" }),
};

function format(kind, value) {
  if (value === null || value === undefined || value === "") return "";
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? "" : formats[kind].format(date);
}

/** "1 Dec 2026, 10:02" / "2026年12月1日 10:02". */
export const dateTime = (value) => format("dateTime", value);
/** "1 Dec 2026" / "2026年12月1日". */
export const date = (value) => format("date", value);
/** "10:02". */
export const time = (value) => format("time", value);
/** A chart tick: "1/12" / "12/1"; an ISO day (YYYY-MM-DD) is read as that calendar day. */
export const dayMonth = (isoDay) => format("dayMonth", /^\d{4}-\d{2}-\d{2}$/.test(isoDay) ? `${isoDay}T12:00:00` : isoDay);
/** An event's moment, to the second (home watch timelines): "1 Dec, 10:02:07". */
export const stamp = (value) => format("stamp", value);
/** Whole minutes since `value`. */
export const minutesSince = (value) => Math.max(0, Math.floor((Date.now() - new Date(value).getTime()) / 60000));
