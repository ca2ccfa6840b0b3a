// The header of both pages (who is logged in, Log out), the log-in form, and the session's
// life across this browser's tabs: a log-in, a log-out or an ended session in one tab is
// told to the others (BroadcastChannel), which follow at once. Only the session's id goes
// between tabs; each tab keeps its own access token in memory.
import { ApiError, forgetSession, logIn, logOut, onSessionEnd, restoreSession, sessionId } from "./api.js";
import { $, alertError, announce, busy, clearFieldErrors, showFieldErrors } from "./dom.js";

// The API answers "user not found" to every failed log-in, so as not to tell which usernames
// exist; a person needs to hear what the possible causes are.
const LOGIN_REFUSED = "user not found";
const WRONG_LOGIN = "Wrong username or password, or the account is deactivated.";
const ENDED = "Your session has ended. Log in again to continue.";
const LOGGED_OUT_ELSEWHERE = "You logged out in another tab.";

const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("webstore.session") : null;
const tell = (type, sid) => channel?.postMessage({ type, sid });
let current = null; // who is logged in, as last shown
let changed = async () => {}; // redraws the page for a user or null (set by start)
let forgetLeft = () => {}; // forgets what the person who logs out left in this browser

export const currentUser = () => current;

export function showUser(user) {
  $("who").textContent = user ? `Logged in as ${user.username}` : "";
  $("logout").hidden = !user;
  const admin = $("admin-link");
  if (admin) admin.hidden = !user?.is_superuser;
}

// Wire the header and the log-in form, then show the page for whoever is logged in.
// `onChange(user)` redraws the page for a user or null (logged out); `onLogOut()` forgets what
// the person who logs out left in this browser; `focusAfterLogIn()` names where focus goes
// once the log-in form has done its work.
export async function start(onChange, { onLogOut = () => {}, focusAfterLogIn = () => null } = {}) {
  changed = async (user) => {
    current = user;
    showUser(user);
    await onChange(user);
  };
  forgetLeft = onLogOut;

  // The session is over: the page goes back to what a visitor sees, and says why.
  const ended = async (message, asAlert) => {
    forgetSession();
    await changed(null);
    if (asAlert) alertError(message);
    else announce(message);
    const focused = document.activeElement;
    if (document.hasFocus() && (!focused || focused === document.body || !focused.getClientRects().length)) {
      focusLogIn(); // the control that was used has gone with the session
    }
  };
  onSessionEnd((sid) => {
    tell("ended", sid);
    ended(ENDED, true);
  });
  channel?.addEventListener("message", ({ data }) => {
    const sid = sessionId();
    if (data?.type === "logged-in" && data.sid !== sid) {
      follow(changed);
    } else if ((data?.type === "ended" || data?.type === "logged-out") && sid && data.sid === sid) {
      ended(data.type === "ended" ? ENDED : LOGGED_OUT_ELSEWHERE, data.type === "ended");
    }
  });

  $("logout").addEventListener("click", (event) => busy(event.currentTarget, async () => {
    await logOutHere();
    announce("You are logged out.");
    focusLogIn();
  }));
  $("forgot-link").addEventListener("click", (event) => {
    event.preventDefault();
    showForgotForm();
  });
  $("forgot-back").addEventListener("click", () => focusLogIn());
  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    busy(form.querySelector("button"), async () => {
      clearFieldErrors(form);
      alertError("");
      try {
        const user = await logIn(form.username.value, form.password.value);
        tell("logged-in", sessionId());
        form.reset();
        announce(`Welcome, ${user.username}.`);
        await changed(user);
        focusAfterLogIn()?.focus();
      } catch (error) {
        if (error instanceof ApiError && error.status === 403 && error.body.detail === LOGIN_REFUSED) {
          alertError(WRONG_LOGIN);
          form.password.select();
        } else {
          report(error, form);
        }
      }
    });
  });

  let restored = { user: null };
  try {
    restored = await restoreSession();
  } catch (error) {
    report(error);
  }
  $("loading").hidden = true;
  await changed(restored.user);
  if (restored.ended) alertError(ENDED);
}

// Log out, and tell this browser's other tabs; the page shows what a visitor sees.
export async function logOutHere() {
  const sid = sessionId();
  try {
    await logOut();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
  }
  tell("logged-out", sid);
  forgetLeft();
  await changed(null);
}

// The log-in form (in place of the form that asks for a new password's link), focused.
export function focusLogIn() {
  $("forgot-form").hidden = true;
  $("login-form").hidden = false;
  $("login-username").focus();
}

// The form that asks for a link to choose a new password, in place of the log-in form.
export function showForgotForm() {
  const typed = $("login-username").value.trim();
  $("login-form").hidden = true;
  $("forgot-form").hidden = false;
  if (typed && !$("forgot-name").value) $("forgot-name").value = typed;
  $("forgot-name").focus();
}

// Another tab logged in: this one takes up the same session (the cookies are shared).
async function follow(changed) {
  try {
    const { user, ended } = await restoreSession();
    await changed(user);
    if (user) announce("You logged in in another tab.");
    else if (ended) alertError(ENDED);
  } catch (error) {
    report(error);
  }
}

// Show an API error: its field messages next to the fields of `form`, the rest as an alert.
export function report(error, form) {
  if (!(error instanceof ApiError)) {
    alertError("Something went wrong in this page. Reload it and try again.");
    throw error;
  }
  if (error.sessionEnded) return; // the page is back to its logged-out state, saying why
  const rest = form ? showFieldErrors(form, error.fields) : [];
  const fieldsShown = form && Object.keys(error.fields).length > rest.length;
  alertError(fieldsShown && rest.length === 0 ? "Please correct the fields marked below." : error.message);
}
