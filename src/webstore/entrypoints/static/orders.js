// One order, as both pages show it: status, time, lines, total, and the actions given.
import { el, when } from "./dom.js";

export function orderCard(order, actions = [], extra = [], heading = "h3") {
  const titleId = `order-${order.id}-title`;
  return el("article", { class: "card order", "aria-labelledby": titleId },
    el("header", { class: "order-head" },
      el(heading, { id: titleId }, `Order ${order.id}`),
      el("span", { class: `badge ${order.status}` }, order.status),
      el("time", { datetime: order.created_at, class: "muted" }, when(order.created_at))),
    ...extra,
    el("p", { class: "muted" }, `Deliver to ${order.address} · ${order.phone}`),
    el("div", { class: "scroll" }, linesTable(order)),
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
