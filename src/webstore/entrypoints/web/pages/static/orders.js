// One order, as both pages show it: status, time, lines, total, and the actions given.
import { el, scrollable, when } from "./dom.js";

export function orderCard(order, actions = [], extra = [], heading = "h3") {
  const titleId = `order-${order.id}-title`;
  return el("article", { class: "card order", "aria-labelledby": titleId },
    el("header", { class: "order-head" },
      el(heading, { id: titleId }, `Order ${order.id}`),
      el("span", { class: `badge ${order.status}` }, order.status),
      el("time", { datetime: order.created_at, class: "muted" }, when(order.created_at))),
    ...extra,
    el("p", { class: "muted" }, `Deliver to ${order.address} · ${order.phone}`),
    el("div", { class: "scroll", "data-region": `Lines of order ${order.id}` }, linesTable(order)),
    actions.length ? el("div", { class: "actions" }, ...actions) : null);
}

function linesTable(order) {
  return el("table", { class: "lines" },
    el("thead", {}, el("tr", {},
      el("th", { scope: "col" }, "Product"),
      el("th", { scope: "col", class: "num" }, "Quantity"),
      el("th", { scope: "col", class: "num" }, "Price"))),
    el("tbody", {}, order.items.map((item) => el("tr", {},
      el("td", {}, item.product_name),
      el("td", { class: "num" }, item.amount),
      el("td", { class: "num" }, item.price)))),
    el("tfoot", {}, el("tr", {},
      el("th", { scope: "row", colspan: 2 }, "Total"),
      el("td", { class: "num total" }, order.total_price))));
}

// "2 × Red chair, 1 × Desk lamp; total 52.48": an order in a sentence, for a question about it.
export function orderSummary(order) {
  const lines = order.items.map((item) => `${item.amount} × ${item.product_name}`).join(", ");
  return `${lines}; total ${order.total_price}`;
}

// Once cards are on the page: their line tables get a tab stop only if they must scroll.
export function fitLines(container) {
  for (const region of container.querySelectorAll(".order .scroll")) scrollable(region);
}
