// The back office: products (add, edit, deactivate, reactivate, import) and orders.
import { ApiError, call, page } from "./api.js";
import { report, start } from "./account.js";
import { $, Pager, alertError, announce, busy, clearFieldErrors, el, showFieldErrors } from "./dom.js";
import { orderCard } from "./orders.js";

const PRODUCTS_PER_PAGE = 50;
const ORDERS_PER_PAGE = 20;
const productPager = new Pager("products", PRODUCTS_PER_PAGE, () => loadProducts());
const orderPager = new Pager("orders", ORDERS_PER_PAGE, () => loadOrders());
let search = "";
let editing = null; // the product being edited, or null when adding
let filter = {};

async function show(user) {
  const staff = Boolean(user?.is_superuser);
  $("account").hidden = Boolean(user);
  $("staff-only").hidden = !user || staff;
  $("office").hidden = !staff;
  if (!staff) {
    // Nothing is asked of the API for a regular user: the page is for staff only.
    $("product-rows").replaceChildren();
    $("orders").replaceChildren();
    return;
  }
  await Promise.all([loadProducts(), loadOrders()]);
}

// --- products ----------------------------------------------------------------------------

async function loadProducts() {
  try {
    const { items, total } = await page("products", { limit: PRODUCTS_PER_PAGE, offset: productPager.offset, search });
    $("products-count").textContent = `${total} product${total === 1 ? "" : "s"}${search ? ` matching “${search}”` : ""}`;
    $("product-rows").replaceChildren(...items.map(productRow));
    productPager.update(total);
  } catch (error) {
    report(error);
  }
}

function productRow(product) {
  const nameId = `product-${product.id}-name`;
  const edit = el("button", { type: "button", "aria-describedby": nameId }, "Edit");
  edit.addEventListener("click", () => startEditing(product));
  const toggle = el("button", { type: "button", "aria-describedby": nameId },
    product.is_active ? "Deactivate" : "Reactivate");
  toggle.addEventListener("click", () => busy(toggle, () => setActive(product, !product.is_active)));
  return el("tr", { class: product.is_active ? "" : "inactive" },
    el("td", { class: "num" }, product.id),
    el("th", { scope: "row", id: nameId }, product.name),
    el("td", { class: "description" }, product.description),
    el("td", { class: "num" }, product.price),
    el("td", { class: "num" }, product.amount),
    el("td", {}, el("span", { class: `badge ${product.is_active ? "active" : "inactive"}` },
      product.is_active ? "Active" : "Deactivated")),
    el("td", { class: "actions" }, edit, toggle));
}

async function setActive(product, active) {
  try {
    if (active) await call("PATCH", `products/${product.id}`, { body: { is_active: true } });
    else await call("DELETE", `products/${product.id}`);
    announce(`${product.name} ${active ? "reactivated" : "deactivated"}.`);
    await loadProducts();
  } catch (error) {
    report(error);
  }
}

function startEditing(product) {
  const form = $("product-form");
  editing = product;
  clearFieldErrors(form);
  input(form, "name").value = product.name;
  input(form, "description").value = product.description;
  input(form, "price").value = product.price;
  input(form, "amount").value = product.amount;
  $("product-form-title").textContent = `Edit product ${product.id}`;
  $("product-cancel").hidden = false;
  input(form, "name").focus();
}

// `form.name` would be the form's own name attribute: look the fields up by name instead.
const input = (form, name) => form.elements.namedItem(name);

function stopEditing() {
  const form = $("product-form");
  editing = null;
  form.reset();
  clearFieldErrors(form);
  $("product-form-title").textContent = "Add product";
  $("product-cancel").hidden = true;
}

$("product-cancel").addEventListener("click", stopEditing);

$("product-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  busy(form.querySelector("button[type=submit]"), async () => {
    const body = {
      name: input(form, "name").value,
      description: input(form, "description").value,
      price: input(form, "price").value.trim(),
      amount: input(form, "amount").value === "" ? null : Number(input(form, "amount").value),
    };
    alertError("");
    try {
      const { body: saved } = editing
        ? await call("PATCH", `products/${editing.id}`, { body })
        : await call("POST", "products", { body });
      announce(`${saved.name} ${editing ? "saved" : "added"}.`);
      stopEditing();
      await loadProducts();
    } catch (error) {
      report(error, form);
    }
  });
});

$("product-search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  search = $("product-search").value.trim();
  productPager.offset = 0;
  loadProducts();
});

// --- import ------------------------------------------------------------------------------

$("import-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  busy(form.querySelector("button[type=submit]"), async () => {
    const file = form.file.files[0];
    const list = $("import-errors");
    list.hidden = true;
    list.replaceChildren();
    alertError("");
    if (!file) {
      alertError("Choose a CSV or JSON-lines file to import.");
      return;
    }
    const text = await file.text();
    try {
      const { body } = await call("POST", "products/import", { body: text, type: importType(file.name, text) });
      announce(`Imported ${body.imported} product${body.imported === 1 ? "" : "s"}.`);
      form.reset();
      await loadProducts();
    } catch (error) {
      report(error);
      if (error instanceof ApiError) showImportErrors(error.fields);
    }
  });
});

// JSON lines by extension, or when the first character opens an object; CSV otherwise.
function importType(name, text) {
  if (/\.(jsonl|ndjson|json)$/i.test(name) || text.trimStart().startsWith("{")) return "application/x-ndjson";
  return "text/csv";
}

function showImportErrors(errors) {
  const lines = Object.entries(errors).filter(([line]) => /^\d+$/.test(line));
  const list = $("import-errors");
  list.replaceChildren(...lines.map(([line, fields]) => el("li", {},
    `Line ${line}: ${describe(fields)}`)));
  list.hidden = lines.length === 0;
}

function describe(fields) {
  if (Array.isArray(fields)) return fields.join(" ");
  return Object.entries(fields).map(([field, messages]) => `${field}: ${[messages].flat().join(" ")}`).join("; ");
}

// --- orders ------------------------------------------------------------------------------

$("order-category").addEventListener("change", () => {
  $("order-user-field").hidden = $("order-category").value !== "user";
});

$("order-filter").addEventListener("submit", (event) => {
  event.preventDefault();
  const category = $("order-category").value;
  const userId = $("order-user").value.trim();
  if (category === "user" && !userId) {
    alertError("Enter the user ID whose orders to show.");
    $("order-user").focus();
    return;
  }
  filter = category === "user" ? { category, user_id: userId } : category ? { category } : {};
  orderPager.offset = 0;
  loadOrders();
});

async function loadOrders() {
  try {
    const { items, total } = await page("get_order", { ...filter, limit: ORDERS_PER_PAGE, offset: orderPager.offset });
    $("orders-count").textContent = `${total} order${total === 1 ? "" : "s"}`;
    $("orders").replaceChildren(...items.map((order) =>
      orderCard(order, orderActions(order), [el("p", {}, `Customer: user ${order.user}`)], "h2")));
    orderPager.update(total);
  } catch (error) {
    report(error);
  }
}

function orderActions(order) {
  if (order.status !== "pending") return [];
  return [["Complete", "complete", "completed"], ["Cancel", "cancel", "cancelled"]].map(([label, action, done]) => {
    const button = el("button", { type: "button", "aria-describedby": `order-${order.id}-title` }, label);
    button.addEventListener("click", () => busy(button, async () => {
      try {
        await call("POST", `orders/${order.id}/${action}`);
        announce(`Order ${order.id} ${done}.`);
        await Promise.all([loadOrders(), loadProducts()]);
      } catch (error) {
        report(error);
      }
    }));
    return button;
  });
}

start(show);
