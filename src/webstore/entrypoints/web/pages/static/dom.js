// Small DOM helpers. Data from the API is only ever set as text, never parsed as HTML.

export const $ = (id) => document.getElementById(id);

// el("td", {class: "num"}, "19.99", otherNode): attributes as strings, children as text or nodes.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "onclick") node.addEventListener("click", value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A URL the API gave (a picture's), resolved against this page, if it is on this site: the
// page's policy loads images from nowhere else. "" for anything else.
export function siteUrl(given) {
  if (typeof given !== "string" || !given) return "";
  try {
    const url = new URL(given, document.baseURI);
    return url.origin === location.origin ? url.href : "";
  } catch {
    return "";
  }
}

// The page has one message at a time (templates/_page.html): a confirmation in the status
// region, announced politely, or an error in the alert region, announced at once. Each new
// message replaces the one before, whichever kind it was.
const STATUS_SHOWN_MS = 10000;
let statusTimer;

export function announce(message) {
  if (message) alertError("");
  $("status").textContent = message;
  clearTimeout(statusTimer);
  if (message) statusTimer = setTimeout(() => announce(""), STATUS_SHOWN_MS);
  showDismiss();
}

// An error, with any details (nodes) under it; empty clears it.
export function alertError(message, ...details) {
  if (message) announce("");
  const alert = $("alert");
  alert.replaceChildren(...(message ? [el("p", {}, message), ...details] : []));
  alert.hidden = !message; // an alert is announced as it appears
  showDismiss();
}

function showDismiss() {
  $("dismiss").hidden = !$("status").textContent && $("alert").hidden;
}

export function clearMessage() {
  announce("");
  alertError("");
}

$("dismiss").addEventListener("click", clearMessage); // modules run once the page is parsed

// Show messages under form fields: {"phone": ["..."]} for fields with a `<id>-error` element.
// Returns the messages no field took, so they can be shown elsewhere.
export function showFieldErrors(form, errors, prefix = "") {
  clearFieldErrors(form);
  const rest = [];
  for (const [field, messages] of Object.entries(errors)) {
    const input = form.querySelector(`[name="${CSS.escape(field)}"]`);
    const text = Array.isArray(messages) ? messages.join(" ") : "";
    if (!input || !text) {
      rest.push([field, messages]);
      continue;
    }
    const note = $(`${prefix}${input.id}-error`) ?? insertErrorNote(input);
    note.textContent = text;
    note.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", note.id);
  }
  const first = form.querySelector("[aria-invalid=true]");
  if (first) first.focus();
  return rest;
}

function insertErrorNote(input) {
  const note = el("p", { id: `${input.id}-error`, class: "field-error" });
  input.after(note);
  return note;
}

export function clearFieldErrors(form) {
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    const note = $(input.getAttribute("aria-describedby") ?? "");
    if (note && note.classList.contains("field-error")) {
      note.textContent = "";
      note.hidden = true;
    }
    input.removeAttribute("aria-describedby");
  }
}

// Run an async action with its button disabled, so a second click cannot start it again.
export async function busy(button, action) {
  if (button.disabled) return undefined;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

// "1999" cents from "19.99" (prices are decimal strings with two places; no float arithmetic).
export function cents(price) {
  const [units, fraction = ""] = String(price).split(".");
  return Number(units) * 100 + Number((fraction + "00").slice(0, 2));
}

export function money(totalCents) {
  const units = Math.floor(totalCents / 100);
  return `${units}.${String(totalCents % 100).padStart(2, "0")}`;
}

export function when(isoTime) {
  const moment = new Date(isoTime);
  return Number.isNaN(moment.getTime()) ? isoTime : moment.toLocaleString();
}

// Previous/Next buttons over a listing of `size` items per page.
export class Pager {
  constructor(prefix, size, load) {
    this.size = size;
    this.offset = 0;
    this.total = 0;
    this.nav = $(`${prefix}-pager`);
    this.label = $(`${prefix}-page`);
    this.prev = $(`${prefix}-prev`);
    this.next = $(`${prefix}-next`);
    this.prev.addEventListener("click", () => { this.offset = Math.max(0, this.offset - size); load(); });
    this.next.addEventListener("click", () => { this.offset += size; load(); });
  }

  update(total) {
    this.total = total;
    const pages = Math.max(1, Math.ceil(total / this.size));
    const current = Math.floor(this.offset / this.size) + 1;
    this.nav.hidden = pages <= 1;
    this.label.textContent = `Page ${current} of ${pages}`;
    this.prev.disabled = this.offset === 0;
    this.next.disabled = this.offset + this.size >= total;
  }
}

// A table wider than its box scrolls sideways. While it does, its box is a region named by
// its `data-region` attribute and reachable from the keyboard (so it can be scrolled without
// a mouse); a table that fits adds no landmark and no tab stop.
const watched = new WeakSet();
const resizes = typeof ResizeObserver === "function" ? new ResizeObserver((boxes) => {
  for (const { target } of boxes) {
    if (target.isConnected) scrollable(target);
    else resizes.unobserve(target); // redrawn away: let it go
  }
}) : null;

export function scrollable(box) {
  if (resizes && !watched.has(box)) {
    watched.add(box);
    resizes.observe(box);
  }
  if (box.scrollWidth > box.clientWidth + 1) {
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", box.dataset.region ?? "Table");
    box.tabIndex = 0;
  } else {
    for (const name of ["role", "aria-label", "tabindex"]) box.removeAttribute(name);
  }
  return box;
}
