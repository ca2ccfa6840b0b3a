// The header of both pages: who is logged in, and the Log out button.
import { ApiError, logIn, logOut, restoreSession } from "./api.js";
import { $, alertError, announce, busy, clearFieldErrors, showFieldErrors } from "./dom.js";

let redraw = async () => {};

export function showUser(user) {
  $("who").textContent = user ? `Logged in as ${user.username}` : "";
  $("logout").hidden = !user;
  const admin = $("admin-link");
  if (admin) admin.hidden = !user?.is_superuser;
}

// Wire the header and the log-in form; `onChange(user)` redraws the page for a user or null,
// `onLogOut()` forgets what the person who logs out left in this browser.
export async function start(onChange, onLogOut = () => {}) {
  const changed = async (user) => {
    showUser(user);
    await onChange(user);
  };
  redraw = changed;
  $("logout").addEventListener("click", (event) => busy(event.currentTarget, async () => {
    try {
      await logOut();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
    onLogOut();
    announce("You are logged out.");
    await changed(null);
  }));
  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    busy(form.querySelector("button"), async () => {
      clearFieldErrors(form);
      alertError("");
      try {
        const user = await logIn(form.username.value, form.password.value);
        form.reset();
        announce(`Welcome, ${user.username}.`);
        await changed(user);
      } catch (error) {
        report(error, form);
      }
    });
  });
  let user = null;
  try {
    user = await restoreSession();
  } catch (error) {
    report(error);
  }
  $("loading").hidden = true;
  await changed(user);
}

// Show an API error: its field messages next to the fields of `form`, the rest as an alert.
export function report(error, form) {
  if (!(error instanceof ApiError)) {
    alertError("Something went wrong in this page. Reload it and try again.");
    throw error;
  }
  if (error.sessionEnded) {
    redraw(null).then(() => alertError("Your session has ended. Please log in again."));
    return;
  }
  const rest = form ? showFieldErrors(form, error.fields) : [];
  const fieldsShown = form && Object.keys(error.fields).length > rest.length;
  alertError(fieldsShown && rest.length === 0 ? "Please correct the fields marked below." : error.message);
}
