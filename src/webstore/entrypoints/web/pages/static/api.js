// The store's JSON API, as any front end would use it.
//
// The access token lives in this module's memory only: never in web storage
// (localStorage, sessionStorage), where any injected script could read it.
// The refresh token is an HttpOnly cookie the browser sends to /api by itself; the CSRF
// token is the readable `csrftoken` cookie, echoed in X-CSRFToken.

const REFRESH_LOCK = "webstore-refresh";
// The 403s that mean "this token will not do": expired, revoked (logout, deactivation, a
// stolen refresh token), or none sent. A refresh decides whether the session lives on.
const TOKEN_REFUSED = new Set([
  "access_token expired",
  "Invalid token.",
  "Authentication credentials were not provided.",
]);

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(messageOf(status, body, retryAfter));
    this.status = status;
    this.body = body ?? {};
    this.retryAfter = retryAfter;
    this.sessionEnded = false; // set when this answer ended the session (see onSessionEnd)
  }

  // Per-field messages of a 400 (`{"errors": {"phone": ["..."]}}`), or {}.
  get fields() {
    return typeof this.body.errors === "object" && this.body.errors !== null ? this.body.errors : {};
  }
}

function messageOf(status, body, retryAfter) {
  if (status === 0) return "The store cannot be reached. Check your connection and try again.";
  if (status === 429) return `Too many attempts. Try again ${waitInWords(retryAfter)}.`;
  if (body && typeof body.detail === "string") return body.detail;
  if (body && typeof body.error === "string") return body.error;
  return `The store answered with an error (${status}).`;
}

// "in 40 seconds", "in 15 minutes": a Retry-After of seconds, as a person says it.
function waitInWords(retryAfter) {
  const seconds = Number(retryAfter);
  if (!retryAfter || !Number.isFinite(seconds) || seconds < 0) return "later";
  const [count, unit] = seconds < 120 ? [Math.ceil(seconds), "second"] : [Math.ceil(seconds / 60), "minute"];
  return `in ${count} ${unit}${count === 1 ? "" : "s"}`;
}

export function csrfToken() {
  for (const part of document.cookie.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === "csrftoken") return decodeURIComponent(value.join("="));
  }
  return "";
}

let accessToken = "";
let refreshing = null; // one refresh at a time within this tab
const endListeners = [];

// The login session the access token belongs to (its `sid` claim), or "" when logged out.
// Only read, to tell tabs of one session from another: the server checks the token.
export function sessionId() {
  if (!accessToken) return "";
  try {
    const payload = accessToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return String(JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, "="))).sid ?? "");
  } catch {
    return "";
  }
}

// `listener(sid)` runs once when an answer shows that the session `sid` is over.
export function onSessionEnd(listener) {
  endListeners.push(listener);
}

// Forget the token of a session that ended elsewhere (another tab said so).
export function forgetSession() {
  accessToken = "";
}

function sessionEnded(error) {
  error.sessionEnded = true;
  const sid = sessionId();
  if (!accessToken) return;
  accessToken = "";
  for (const listener of endListeners) listener(sid);
}

// Send one request: JSON (or a FormData, as multipart) in, JSON out. Resolves to {body, headers};
// rejects with ApiError.
async function send(method, path, { body, type, headers = {}, auth = true, cache = "no-store" } = {}) {
  const sent = { ...headers };
  if (auth && accessToken) sent.Authorization = `Token ${accessToken}`;
  if (method !== "GET") {
    const csrf = csrfToken();
    if (csrf) sent["X-CSRFToken"] = csrf;
  }
  let payload;
  if (body instanceof FormData) {
    payload = body; // multipart: the browser writes the Content-Type with its boundary
  } else if (body !== undefined) {
    sent["Content-Type"] = type ?? "application/json";
    payload = type ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/${path}`, {
      method, headers: sent, body: payload, credentials: "same-origin", cache,
    });
  } catch {
    throw new ApiError(0, {});
  }
  const text = await response.text();
  let parsed = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = {};
  }
  if (!response.ok) throw new ApiError(response.status, parsed, response.headers.get("Retry-After"));
  return { body: parsed, headers: response.headers };
}

const tokenRefused = (error) =>
  error instanceof ApiError && error.status === 403 && TOKEN_REFUSED.has(error.body.detail);

// A request that needs the access token. A refused token is refreshed once and the request
// retried; when the refresh is refused too, the session is over (logged out in another tab,
// deactivated, revoked): the listeners hear it, and the error says so (`sessionEnded`).
export async function call(method, path, options = {}) {
  try {
    return await send(method, path, options);
  } catch (error) {
    if (!tokenRefused(error)) throw error;
    try {
      await refresh();
    } catch (failed) {
      if (failed instanceof ApiError && failed.status === 403) {
        sessionEnded(failed);
        clearCookies();
      }
      throw failed;
    }
  }
  try {
    return await send(method, path, options);
  } catch (error) {
    if (tokenRefused(error)) sessionEnded(error);
    throw error;
  }
}

// A new access token from the refresh cookie. Refreshes are serialised across this
// browser's tabs (Web Locks), so two tabs never present the same refresh token at once;
// where locks are missing, the server's reuse grace keeps both tabs logged in anyway.
export function refresh() {
  if (!refreshing) {
    const run = async () => {
      const { body } = await send("POST", "refresh_token", { auth: false });
      accessToken = body.access_token;
    };
    const locked = navigator.locks ? navigator.locks.request(REFRESH_LOCK, run) : run();
    refreshing = locked.finally(() => { refreshing = null; });
  }
  return refreshing;
}

// The cookies of a session the server refused to refresh are of no more use: dropping them
// keeps the next page load from trying them again. (Best effort: the answer does not matter.)
function clearCookies() {
  if (csrfToken()) send("POST", "logout", { auth: false }).catch(() => {});
}

// Who is logged in, after a page load: refresh cookie -> access token -> /api/me.
// {user} when someone is, {user: null} when nobody is, {user: null, ended: true} when this
// browser had a session that the server no longer accepts.
export async function restoreSession() {
  if (!csrfToken()) return { user: null }; // never logged in here, or logged out: no cookie
  try {
    await refresh();
    return { user: (await call("GET", "me")).body };
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) {
      accessToken = "";
      clearCookies();
      return { user: null, ended: true };
    }
    throw error;
  }
}

export async function logIn(username, password) {
  const { body } = await send("POST", "login_view", { body: { username, password }, auth: false });
  accessToken = body.access_token;
  return (await call("GET", "me")).body;
}

export function signUp(username, email, password) {
  return send("POST", "sign_in", { body: { username, email, password }, auth: false });
}

// Ask for a link to choose a new password. No token: nobody is logged in.
export function requestPasswordReset(usernameOrEmail) {
  return send("POST", "password_reset", { body: { username_or_email: usernameOrEmail }, auth: false });
}

// Set a new password with the token of an e-mailed link.
export function resetPassword(token, newPassword) {
  return send("POST", "password_reset/confirm", { body: { token, new_password: newPassword }, auth: false });
}

export async function logOut() {
  try {
    await send("POST", "logout", { auth: false });
  } finally {
    accessToken = "";
  }
}

function query(params) {
  const found = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") found.set(key, String(value));
  }
  return found;
}

// A listing with its X-Total-Count.
export async function page(path, params) {
  const { body, headers } = await call("GET", `${path}?${query(params)}`);
  return { items: body, total: Number(headers.get("X-Total-Count") ?? body.length) };
}

// A page of the public catalogue: no token, and the browser's copy is revalidated with its
// ETag (a 304 when nothing changed) rather than fetched again.
export async function cataloguePage(params) {
  const { body, headers } = await send("GET", `catalogue?${query(params)}`, { auth: false, cache: "no-cache" });
  return { items: body, total: Number(headers.get("X-Total-Count") ?? body.length) };
}
