// The back office: products (add, edit, deactivate, reactivate, import, their pictures),
// orders (filter, complete, cancel; each shows its customer's username) and users (search,
// deactivate, activate, their orders). Whatever cannot simply be undone is confirmed in a
// dialog first.
import { ApiError, call, page } from "./api.js";
import { report, start } from "./account.js";
import { confirmAction } from "./confirm.js";
import { $, Pager, alertError, announce, busy, clearFieldErrors, el, scrollable, siteUrl, when } from "./dom.js";
import { fitLines, orderCard, orderSummary } from "./orders.js";
import { showPasswordSection } from "./password.js";
import "./recovery.js";

const PRODUCTS_PER_PAGE = 50;
const ORDERS_PER_PAGE = 20;
const USERS_PER_PAGE = 20;
const productPager = new Pager("products", PRODUCTS_PER_PAGE, () => loadProducts());
const orderPager = new Pager("orders", ORDERS_PER_PAGE, () => loadOrders());
const userPager = new Pager("users", USERS_PER_PAGE, () => loadUsers());
let me = null; // the staff member using the page
let search = "";
let userSearch = "";
let editing = null; // the product being edited, or null when adding
let filter = {};

async function show(user) {
  const staff = Boolean(user?.is_superuser);
  me = staff ? user : null;
  $("account").hidden = Boolean(user);
  $("staff-only").hidden = !user || staff;
  $("office").hidden = !staff;
  showPasswordSection(staff);
  if (!staff) {
    // Nothing is asked of the API for a regular user: the page is for staff only. Nothing
    // of the last session stays on the screen either.
    for (const id of ["product-rows", "orders", "user-rows"]) $(id).replaceChildren();
    for (const id of ["products-count", "orders-count", "users-count"]) $(id).textContent = "";
    return;
  }
  await Promise.all([loadProducts(), loadOrders(), loadUsers()]);
}

// A cell of a table that stacks into cards on a narrow screen (style.css): it carries its
// column's name, shown beside the value there, and keeps the table's roles for assistive
// technology whatever the layout.
function cell(label, attributes, ...children) {
  return el("td", { role: "cell", "data-label": label, ...attributes }, ...children);
}

function rowHeader(label, id, text) {
  return el("th", { scope: "row", role: "rowheader", id, "data-label": label }, text);
}

function focusById(id) {
  $(id)?.focus();
}

// --- products ----------------------------------------------------------------------------

async function loadProducts() {
  try {
    const { items, total } = await page("products", { limit: PRODUCTS_PER_PAGE, offset: productPager.offset, search });
    $("products-count").textContent = `${total} product${total === 1 ? "" : "s"}${search ? ` matching “${search}”` : ""}`;
    $("product-rows").replaceChildren(...items.map(productRow));
    productPager.update(total);
    scrollable($("product-table").parentElement);
  } catch (error) {
    report(error);
  }
}

function productRow(product) {
  const nameId = `product-${product.id}-name`;
  const edit = el("button", { type: "button", "aria-describedby": nameId }, "Edit");
  edit.addEventListener("click", () => startEditing(product));
  const toggleId = `product-${product.id}-toggle`;
  const toggle = el("button", { type: "button", id: toggleId, "aria-describedby": nameId },
    product.is_active ? "Deactivate" : "Reactivate");
  toggle.addEventListener("click", async () => {
    const sure = !product.is_active || await confirmAction({
      title: `Deactivate ${product.name}?`,
      text: "It leaves the catalogue at once and can no longer be ordered; orders that have it keep it. "
        + "You can reactivate it later.",
      action: "Deactivate",
      keep: "Keep active",
    });
    if (sure) await busy(toggle, () => setActive(product, !product.is_active));
  });
  return el("tr", { role: "row", class: product.is_active ? "" : "inactive" },
    cell("ID", { class: "num" }, product.id),
    rowHeader("Name", nameId, product.name),
    cell("Description", { class: "description" }, product.description),
    cell("Price", { class: "num" }, product.price),
    cell("Stock", { class: "num" }, product.amount),
    cell("Status", {}, el("span", { class: `badge ${product.is_active ? "active" : "inactive"}` },
      product.is_active ? "Active" : "Deactivated")),
    cell("Picture", { class: "picture-cell" }, thumbnail(product) ?? el("span", { class: "muted" }, "None")),
    cell("Actions", { class: "actions" }, edit, toggle));
}

// The product's small picture, named after it, or null without one.
function thumbnail(product) {
  const url = siteUrl(product.thumbnail ?? product.image);
  return url ? el("img", { class: "thumb", src: url, alt: product.name, loading: "lazy" }) : null;
}

async function setActive(product, active) {
  try {
    if (active) await call("PATCH", `products/${product.id}`, { body: { is_active: true } });
    else await call("DELETE", `products/${product.id}`);
    announce(`${product.name} ${active ? "reactivated" : "deactivated"}.`);
    await loadProducts();
    focusById(`product-${product.id}-toggle`);
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
  showPicture(product);
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
  showPicture(null);
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

// --- pictures ----------------------------------------------------------------------------

// The picture part of the form, for the product being edited (none while adding one).
function showPicture(product) {
  $("picture-part").hidden = !product;
  $("picture-later").hidden = Boolean(product);
  $("picture-file").value = "";
  const url = product ? siteUrl(product.thumbnail ?? product.image) : "";
  $("picture-current").replaceChildren(url
    ? el("img", { class: "preview", src: url, alt: `Current picture of ${product.name}` })
    : el("p", { class: "muted" }, "No picture yet."));
  $("picture-remove").hidden = !url;
}

// A product answer of the API (after a picture changed) becomes the one being edited.
async function pictureChanged(product, message, focus) {
  if (editing?.id === product.id) {
    editing = product;
    showPicture(product);
  }
  announce(message);
  await loadProducts();
  $(focus)?.focus();
}

$("picture-upload").addEventListener("click", (event) => busy(event.currentTarget, async () => {
  const product = editing;
  const file = $("picture-file").files[0];
  alertError("");
  if (!product) return;
  if (!file) {
    alertError("Choose a JPEG, PNG or WebP file to upload.");
    $("picture-file").focus();
    return;
  }
  const body = new FormData();
  body.append("image", file);
  try {
    const { body: saved } = await call("POST", `products/${product.id}/image`, { body });
    await pictureChanged(saved, `Picture of ${saved.name} uploaded.`, "picture-upload");
  } catch (error) {
    pictureFailed(error);
  }
}));

$("picture-remove").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  const product = editing;
  if (!product) return;
  const sure = await confirmAction({
    title: `Remove the picture of ${product.name}?`,
    text: "It leaves the storefront at once. You can upload a picture again later.",
    action: "Remove picture",
    keep: "Keep picture",
  });
  if (!sure) return;
  await busy(button, async () => {
    try {
      await call("DELETE", `products/${product.id}/image`);
      await pictureChanged({ ...product, image: null, thumbnail: null },
        `Picture of ${product.name} removed.`, "picture-file");
    } catch (error) {
      report(error);
    }
  });
});

// The API's words for a refused picture: what is wrong with the file, or that it is too large.
function pictureFailed(error) {
  if (error instanceof ApiError && error.status === 413) {
    alertError("The picture was not uploaded: the file is too large (at most 5 MB).");
  } else if (error instanceof ApiError && error.status === 400 && Array.isArray(error.fields.image)) {
    alertError(`The picture was not uploaded. ${error.fields.image.join(" ")}`);
  } else {
    report(error);
  }
  $("picture-file").focus();
}

// --- import ------------------------------------------------------------------------------

$("import-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  busy(form.querySelector("button[type=submit]"), async () => {
    const file = form.file.files[0];
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
      if (error instanceof ApiError && !error.sessionEnded) showImportErrors(error.message, error.fields);
    }
  });
});

// JSON lines by extension, or when the first character opens an object; CSV otherwise.
function importType(name, text) {
  if (/\.(jsonl|ndjson|json)$/i.test(name) || text.trimStart().startsWith("{")) return "application/x-ndjson";
  return "text/csv";
}

// Every line's problem, as part of the page's one message: the next message replaces them.
function showImportErrors(message, errors) {
  const lines = Object.entries(errors).filter(([line]) => /^\d+$/.test(line));
  if (!lines.length) return;
  alertError(message, el("ul", { id: "import-errors", class: "details" },
    lines.map(([line, fields]) => el("li", {}, `Line ${line}: ${describe(fields)}`))));
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

// The orders of one user, from the Users section.
async function showOrdersOf(user) {
  $("order-category").value = "user";
  $("order-user-field").hidden = false;
  $("order-user").value = String(user.id);
  filter = { category: "user", user_id: String(user.id) };
  orderPager.offset = 0;
  await loadOrders();
  $("orders-title").focus();
}

async function loadOrders() {
  try {
    const { items, total } = await page("get_order", { ...filter, limit: ORDERS_PER_PAGE, offset: orderPager.offset });
    const ids = items.map((order) => order.user);
    if (filter.user_id) ids.push(Number(filter.user_id));
    const names = await usernames(ids);
    const name = (id) => names.get(Number(id)) ?? `user ${id}`;
    const whose = filter.user_id ? ` of ${name(filter.user_id)}` : "";
    $("orders-count").textContent = `${total} order${total === 1 ? "" : "s"}${whose}`;
    $("orders").replaceChildren(...items.map((order) =>
      orderCard(order, orderActions(order, name(order.user)), [el("p", {}, `Customer: ${name(order.user)}`)], "h2")));
    fitLines($("orders"));
    orderPager.update(total);
  } catch (error) {
    report(error);
  }
}

// Usernames by id, in one request for a page of orders. Without them (an error other than
// the session's end), orders still show, with their customers' ids.
async function usernames(ids) {
  const unique = [...new Set(ids.filter((id) => Number.isInteger(id) && id > 0))];
  if (!unique.length) return new Map();
  try {
    const { body } = await call("GET", `users?${new URLSearchParams({ ids: unique.join(",") })}`);
    return new Map(body.map((user) => [user.id, user.username]));
  } catch (error) {
    if (error instanceof ApiError && error.sessionEnded) throw error;
    return new Map();
  }
}

function orderActions(order, customer) {
  if (order.status !== "pending") return [];
  const button = (label) => el("button", { type: "button", "aria-describedby": `order-${order.id}-title` }, label);
  const complete = button("Complete");
  complete.addEventListener("click", () => busy(complete, () => changeOrder(order, "complete", "completed")));
  const cancel = button("Cancel");
  cancel.addEventListener("click", async () => {
    const sure = await confirmAction({
      title: `Cancel order ${order.id}?`,
      text: `${customer}: ${orderSummary(order)}. Its stock goes back on sale, and this cannot be undone.`,
      action: "Cancel order",
      keep: "Keep order",
    });
    if (sure) await busy(cancel, () => changeOrder(order, "cancel", "cancelled"));
  });
  return [complete, cancel];
}

async function changeOrder(order, action, done) {
  try {
    await call("POST", `orders/${order.id}/${action}`);
    announce(`Order ${order.id} ${done}.`);
    await Promise.all([loadOrders(), loadProducts()]);
    $("orders-title").focus(); // the buttons of that order are gone
  } catch (error) {
    report(error);
  }
}

// --- users -------------------------------------------------------------------------------

$("user-search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  userSearch = $("user-search").value.trim();
  userPager.offset = 0;
  loadUsers();
});

async function loadUsers() {
  try {
    const { items, total } = await page("users", { limit: USERS_PER_PAGE, offset: userPager.offset, search: userSearch });
    $("users-count").textContent = `${total} user${total === 1 ? "" : "s"}${userSearch ? ` matching “${userSearch}”` : ""}`;
    $("user-rows").replaceChildren(...items.map(userRow));
    userPager.update(total);
    scrollable($("user-table").parentElement);
  } catch (error) {
    report(error);
  }
}

function userRow(user) {
  const nameId = `user-${user.id}-name`;
  const orders = el("button", { type: "button", "aria-describedby": nameId }, "Orders");
  orders.addEventListener("click", () => showOrdersOf(user));
  const toggle = el("button", { type: "button", id: `user-${user.id}-toggle`, "aria-describedby": nameId },
    user.is_active ? "Deactivate" : "Activate");
  toggle.addEventListener("click", async () => {
    const sure = !user.is_active || await confirmAction({
      title: `Deactivate ${user.username}?`,
      text: user.id === me?.id
        ? "This is your own account: your own session ends at once and you are logged out."
        : `${user.username} is logged out at once, everywhere, and cannot log in until activated again.`,
      action: "Deactivate",
      keep: "Keep active",
    });
    if (sure) await busy(toggle, () => setUserActive(user, !user.is_active));
  });
  return el("tr", { role: "row", class: user.is_active ? "" : "inactive" },
    cell("ID", { class: "num" }, user.id),
    rowHeader("Username", nameId, user.username),
    cell("Email", { class: "email" }, user.email),
    cell("Joined", {}, el("time", { datetime: user.date_joined }, day(user.date_joined))),
    cell("Role", {}, user.is_superuser ? "Staff" : "Customer"),
    cell("Status", {}, el("span", { class: `badge ${user.is_active ? "active" : "inactive"}` },
      user.is_active ? "Active" : "Deactivated")),
    cell("Actions", { class: "actions" }, orders, toggle));
}

function day(isoTime) {
  const moment = new Date(isoTime);
  return Number.isNaN(moment.getTime()) ? when(isoTime) : moment.toLocaleDateString();
}

async function setUserActive(user, active) {
  try {
    await call("POST", `users/${user.id}/${active ? "activate" : "deactivate"}`);
    announce(`${user.username} ${active ? "activated" : "deactivated"}.`);
    await loadUsers();
    focusById(`user-${user.id}-toggle`);
  } catch (error) {
    report(error);
  }
}

start(show, { focusAfterLogIn: () => $("products-title") });
