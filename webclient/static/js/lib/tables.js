// One table renderer for every list of rows (consultation history, audit log, staff lists): each
// column has a heading and a cell function returning HTML (escape data with esc()). Each cell
// carries its heading as data-label, so on a narrow screen CSS shows a row as a labelled card
// instead of scrolling sideways.
import { esc } from "./dom.js";

/** A table; `columns` are {head, cell(row) -> html, className?}; `empty` is the text when there are no rows. */
export function table(columns, rows, { id = "", empty = "", className = "" } = {}) {
  if (!rows.length && empty) return `<p class="empty">${esc(empty)}</p>`;
  const head = columns.map((c) => `<th scope="col"${c.className ? ` class="${c.className}"` : ""}>${esc(c.head)}</th>`).join("");
  const body = rows.map((row) => "<tr>" + columns.map((c) =>
    `<td data-label="${esc(c.head)}"${c.className ? ` class="${c.className}"` : ""}>${c.cell(row)}</td>`).join("") + "</tr>").join("");
  return `<table${id ? ` id="${id}"` : ""} class="rows ${className}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}
