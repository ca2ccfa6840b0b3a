// The storefront: the public catalogue (search, pages) and the cart for everyone; checkout
// and my orders once logged in. A visitor's cart is kept through sign-up and log-in.
import { ApiError, call, cataloguePage, page, signUp } from "./api.js";
import { focusLogIn, report, start } from "./account.js";
import * as cart from "./cart.js";
import { confirmAction } from "./confirm.js";
import {
  $, Pager, alertError, announce, busy, cents, clearFieldErrors, el, money, scrollable, showFieldErrors, siteUrl,
} from "./dom.js";
import { fitLines, orderCard, orderSummary } from "./orders.js";
import { showPasswordSection } from "./password.js";
import "./recovery.js";

const PRODUCTS_PER_PAGE = 24;
const ORDERS_PER_PAGE = 10;
const LINE_PROBLEM = /product (\d+)(?:: requested \d+, available (\d+))?/;

const productPager = new Pager("products", PRODUCTS_PER_PAGE, () => loadProducts());
const orderPager = new Pager("orders", ORDERS_PER_PAGE, () => loadOrders());
let search = "";
let shown = []; // the products on the current page
let attempt = null; // the checkout attempt in progress: {key, fingerprint}
let customer = null; // who is logged in, or null for a visitor
let sessionKnown = false; // until then, neither checkout nor the visitor's note is shown

async function show(user) {
  customer = user;
  sessionKnown = true;
  $("account").hidden = Boolean(user);
  $("login-link").hidden = Boolean(user);
  $("my-orders").hidden = !user;
  $("password-link").hidden = !user;
  showPasswordSection(Boolean(user));
  drawCart();
  if (!user) {
    $("orders").replaceChildren(); // nothing of the last customer stays on the screen
    $("orders-empty").hidden = true;
    orderPager.offset = 0;
    return;
  }
  await loadOrders();
}

// "Log in or sign up" links: straight to the log-in form's first field.
for (const link of document.querySelectorAll(".account-link")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    focusLogIn();
  });
}

// Where focus goes once the log-in form has gone: on to checkout when the cart holds
// something, otherwise to the catalogue.
const afterLogIn = () => (cart.lines().length ? $("cart") : $("catalogue-title"));

$("signup-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  busy(form.querySelector("button"), async () => {
    clearFieldErrors(form);
    alertError("");
    const username = form.username.value;
    try {
      await signUp(username, form.email.value, form.password.value);
      form.reset();
      const login = $("login-form");
      focusLogIn();
      login.username.value = username;
      announce(`Account ${username} created. Log in with your password.`);
      login.password.focus();
    } catch (error) {
      report(error, form);
    }
  });
});

// --- catalogue ---------------------------------------------------------------------------

async function loadProducts() {
  try {
    const { items, total } = await cataloguePage({ limit: PRODUCTS_PER_PAGE, offset: productPager.offset, search });
    shown = items;
    cart.refreshFrom(items);
    drawProducts(total);
    productPager.update(total);
    drawCart();
  } catch (error) {
    report(error);
  }
}

function drawProducts(total) {
  $("empty-catalogue").hidden = total > 0 || search !== "";
  const count = `${total} product${total === 1 ? "" : "s"}`;
  $("catalogue-count").textContent = search ? `${count} matching “${search}”` : total ? count : "";
  const inCart = new Map(cart.lines().map((line) => [line.id, line.quantity]));
  $("products").replaceChildren(...shown.map((product) => productCard(product, inCart.get(product.id) ?? 0)));
}

function productCard(product, inCart) {
  const nameId = `product-${product.id}-name`;
  const add = el("button", { type: "button", "aria-describedby": nameId }, "Add to cart");
  add.disabled = inCart >= product.amount;
  add.addEventListener("click", () => {
    if (cart.add(product)) announce(`${product.name} added to your cart.`);
    drawProducts(productPager.total);
    drawCart();
  });
  return el("li", { class: "card product" },
    picture(product),
    el("h2", { id: nameId }, product.name),
    product.description ? el("p", { class: "description" }, product.description) : null,
    el("p", { class: "price" }, product.price),
    el("p", { class: product.amount ? "stock" : "stock out" },
      product.amount ? `In stock: ${product.amount}` : "Out of stock"),
    inCart ? el("p", { class: "muted" }, `In your cart: ${inCart}`) : null,
    add);
}

// The product's picture, when it has one: its small copy (`thumbnail`) where the catalogue
// gives one, as the card is narrow. Only from this site, as the page's policy allows.
function picture(product) {
  if (typeof product.image !== "string" || !product.image) return null;
  const url = siteUrl(typeof product.thumbnail === "string" && product.thumbnail ? product.thumbnail : product.image);
  return url ? el("img", { class: "picture", src: url, alt: product.name, loading: "lazy" }) : null;
}

$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  search = $("search").value.trim();
  productPager.offset = 0;
  loadProducts();
});

// --- cart and checkout -------------------------------------------------------------------

function drawCart(problems = new Map()) {
  const lines = cart.lines();
  $("cart-empty").hidden = lines.length > 0;
  $("cart-content").hidden = lines.length === 0;
  $("cart-lines").replaceChildren(...lines.map((line) => cartLine(line, problems.get(line.id))));
  const total = lines.reduce((sum, line) => sum + cents(line.price) * line.quantity, 0);
  $("cart-total").textContent = money(total);
  const units = lines.reduce((sum, line) => sum + line.quantity, 0);
  $("cart-link").textContent = units ? `Cart (${units})` : "Cart";
  $("checkout-form").hidden = !sessionKnown || !customer;
  $("checkout-visitor").hidden = !sessionKnown || Boolean(customer); // to log in or sign up first
  scrollable($("cart-table").parentElement);
}

function cartLine(line, problem) {
  const nameId = `cart-${line.id}-name`;
  const quantity = el("input", {
    id: `cart-${line.id}-quantity`, type: "number", min: 1, max: line.stock, step: 1,
    value: line.quantity, inputmode: "numeric", class: "quantity",
  });
  quantity.addEventListener("change", () => {
    cart.setQuantity(line.id, Number(quantity.value));
    drawCart();
    drawProducts(productPager.total);
  });
  const remove = el("button", { type: "button", "aria-describedby": nameId }, "Remove");
  remove.addEventListener("click", () => {
    cart.remove(line.id);
    announce(`${line.name} removed from your cart.`);
    drawCart();
    drawProducts(productPager.total);
  });
  return el("tr", {},
    el("th", { scope: "row" },
      el("span", { id: nameId }, line.name),
      el("span", { class: "muted each" }, `${line.price} each`),
      problem ? el("span", { class: "line-error", role: "alert" }, problem) : null,
      remove),
    el("td", {},
      el("label", { for: quantity.id, class: "visually-hidden" }, `Quantity of ${line.name}`),
      quantity),
    el("td", { class: "num" }, money(cents(line.price) * line.quantity)));
}

$("checkout-form").addEventListener("submit", (event) => {
  event.preventDefault();
  busy($("place-order"), placeOrder);
});

async function placeOrder() {
  const form = $("checkout-form");
  const lines = cart.lines();
  const body = {
    address: form.address.value,
    phone: form.phone.value,
    items: lines.map((line) => ({ product_id: line.id, amount: line.quantity })),
  };
  // One key per attempt: a retry of the same order (after a network error, a double click)
  // sends the same key, so the server places it once; a changed order is a new attempt.
  const fingerprint = JSON.stringify(body);
  if (attempt?.fingerprint !== fingerprint) attempt = { key: newKey(), fingerprint };
  clearFieldErrors(form);
  alertError("");
  try {
    const { body: order } = await call("POST", "post_order", {
      body, headers: { "Idempotency-Key": attempt.key },
    });
    attempt = null;
    cart.clear();
    form.reset();
    drawCart();
    announce(`Order ${order.id} placed. Total: ${order.total_price}.`);
    orderPager.offset = 0;
    await Promise.all([loadOrders(), loadProducts()]);
    $("cart").focus();
  } catch (error) {
    checkoutFailed(error, form, lines);
  }
}

function checkoutFailed(error, form, lines) {
  if (!(error instanceof ApiError) || error.status !== 400) {
    report(error);
    return;
  }
  const problems = new Map();
  const match = LINE_PROBLEM.exec(error.body.error ?? "");
  if (match && !error.body.errors) {
    const id = Number(match[1]);
    problems.set(id, match[2] === undefined ? "This product is no longer sold." : `Not enough stock: only ${match[2]} left.`);
  }
  const itemErrors = error.fields.items;
  const perLine = itemErrors && !Array.isArray(itemErrors) ? itemErrors : {}; // {"0": {"amount": [...]}}
  for (const [index, messages] of Object.entries(perLine)) {
    const line = lines[Number(index)];
    if (line) problems.set(line.id, Object.values(messages).flat().join(" "));
  }
  drawCart(problems);
  const { items, ...fields } = error.fields;
  const unshown = showFieldErrors(form, fields);
  const fieldsShown = Object.keys(fields).length > unshown.length;
  if (problems.size) alertError("Some lines of your cart need a change.");
  else alertError(fieldsShown && !unshown.length ? "Please correct the fields marked below." : error.message);
}

function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // works outside secure contexts too
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// --- my orders ---------------------------------------------------------------------------

async function loadOrders() {
  try {
    const { items, total } = await page("get_order", { limit: ORDERS_PER_PAGE, offset: orderPager.offset });
    $("orders-empty").hidden = total > 0;
    $("orders").replaceChildren(...items.map((order) => orderCard(order, orderActions(order))));
    fitLines($("orders"));
    orderPager.update(total);
  } catch (error) {
    report(error);
  }
}

function orderActions(order) {
  if (order.status !== "pending") return [];
  const cancel = el("button", { type: "button" }, "Cancel order");
  cancel.addEventListener("click", async () => {
    const sure = await confirmAction({
      title: `Cancel order ${order.id}?`,
      text: `${orderSummary(order)}. A cancelled order is not delivered, and this cannot be undone.`,
      action: "Cancel order",
      keep: "Keep order",
    });
    if (!sure) return;
    await busy(cancel, async () => {
      try {
        await call("POST", `orders/${order.id}/cancel`);
        announce(`Order ${order.id} cancelled.`);
        await Promise.all([loadOrders(), loadProducts()]);
        focusOrder(order.id);
      } catch (error) {
        report(error);
      }
    });
  });
  return [cancel];
}

function focusOrder(id) {
  const title = $(`order-${id}-title`);
  if (!title) return;
  title.tabIndex = -1;
  title.focus();
}

// Another tab changed the cart: show the same one here.
window.addEventListener("storage", (event) => {
  if (event.key !== null && event.key !== "webstore.cart") return;
  drawCart();
  drawProducts(productPager.total);
});

loadProducts(); // the catalogue is public: no need to wait for the session
start(show, { onLogOut: cart.clear, focusAfterLogIn: afterLogIn });
