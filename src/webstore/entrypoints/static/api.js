// The store's JSON API, as any front end would use it.
//
// The access token lives in this module's memory only (never in localStorage, where any
// injected script could read it). The refresh token is an HttpOnly cookie the browser sends
// to /api by itself; the CSRF token is the readable `csrftoken` cookie, echoed in X-CSRFToken.

const EXPIRED = "access_token expired";
const REFRESH_LOCK = "webstore-refresh";

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(messageOf(status, body, retryAfter));
    this.status = status;
    this.body = body ?? {};
    this.retryAfter = retryAfter;
  }

  // Per-field messages of a 400 (`{"errors": {"phone": ["..."]}}`), or {}.
  get fields() {
    return typeof this.body.errors === "object" && this.body.errors !== null ? this.body.errors : {};
  }
}

function messageOf(status, body, retryAfter) {
  if (status === 0) return "The store cannot be reached. Check your connection and try again.";
  if (status === 429) {
    const wait = retryAfter ? ` in ${retryAfter} second${retryAfter === "1" ? "" : "s"}` : " later";
    return `Too many attempts. Try again${wait}.`;
  }
  if (body && typeof body.detail === "string") return body.detail;
  if (body && typeof body.error === "string") return body.error;
  return `The store answered with an error (${status}).`;
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

// Send one request; JSON in and out. Resolves to {body, headers}; rejects with ApiError.
async function send(method, path, { body, type, headers = {}, auth = true } = {}) {
  const sent = { ...headers };
  if (auth && accessToken) sent.Authorization = `Token ${accessToken}`;
  if (method !== "GET") {
    const csrf = csrfToken();
    if (csrf) sent["X-CSRFToken"] = csrf;
  }
  let payload;
  if (body !== undefined) {
    sent["Content-Type"] = type ?? "application/json";
    payload = type ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/${path}`, {
      method, headers: sent, body: payload, credentials: "same-origin", cache: "no-store",
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

// A request that needs the access token: an expired token is refreshed once, then retried.
export async function call(method, path, options = {}) {
  try {
    return await send(method, path, options);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 403 || error.body.detail !== EXPIRED) throw error;
    try {
      await refresh();
    } catch (failed) {
      if (failed instanceof ApiError && failed.status === 403) {
        accessToken = "";
        failed.sessionEnded = true; // logged out elsewhere, or the session expired
      }
      throw failed;
    }
    return send(method, path, options);
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

// Who is logged in, after a page load: refresh cookie -> access token -> /api/me. Null if nobody.
export async function restoreSession() {
  if (!csrfToken()) return null; // never logged in here (or logged out): no refresh cookie either
  try {
    await refresh();
    return (await call("GET", "me")).body;
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) {
      accessToken = "";
      return null;
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

export async function logOut() {
  try {
    await send("POST", "logout", { auth: false });
  } finally {
    accessToken = "";
  }
}

// A listing with its X-Total-Count.
export async function page(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  }
  const { body, headers } = await call("GET", `${path}?${query}`);
  return { items: body, total: Number(headers.get("X-Total-Count") ?? body.length) };
}
