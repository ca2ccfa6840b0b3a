// The cart, kept in localStorage so that it survives a reload. It holds what the shopper
// chose and the product as last seen (name, price, stock); the server checks stock again.

const KEY = "webstore.cart";

function read() {
  try {
    const lines = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(lines) ? lines.filter((line) => Number.isInteger(line?.id)) : [];
  } catch {
    return [];
  }
}

function write(lines) {
  localStorage.setItem(KEY, JSON.stringify(lines));
}

const bounded = (quantity, stock) => Math.max(1, Math.min(Math.trunc(quantity) || 1, stock));

export function lines() {
  return read();
}

// Add one unit of a product; false if the cart already holds all of its stock.
export function add(product) {
  const cart = read();
  const line = cart.find((item) => item.id === product.id);
  if (line && line.quantity >= product.amount) return false;
  if (line) Object.assign(line, snapshot(product), { quantity: line.quantity + 1 });
  else cart.push({ ...snapshot(product), quantity: 1 });
  write(cart);
  return true;
}

export function setQuantity(id, quantity) {
  const cart = read();
  const line = cart.find((item) => item.id === id);
  if (line) line.quantity = bounded(quantity, line.stock);
  write(cart);
}

export function remove(id) {
  write(read().filter((item) => item.id !== id));
}

export function clear() {
  localStorage.removeItem(KEY);
}

// Keep names, prices and stock of cart lines in step with a fresh listing.
export function refreshFrom(products) {
  const cart = read();
  for (const line of cart) {
    const product = products.find((item) => item.id === line.id);
    if (product) Object.assign(line, snapshot(product), { quantity: bounded(line.quantity, Math.max(product.amount, 1)) });
  }
  write(cart);
}

function snapshot(product) {
  return { id: product.id, name: product.name, price: product.price, stock: product.amount };
}
