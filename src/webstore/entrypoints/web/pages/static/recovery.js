// A forgotten password: ask for a link by e-mail, then choose a new password with it.
//
// The e-mailed link is the storefront with the token in its fragment (`/#reset=<token>`),
// which browsers never send to a server. The page takes the token out of the address as soon
// as it has read it, before it asks the API anything, so that it stays neither in the history
// nor in an address that is shared or bookmarked; from then on it is only in memory.
import { ApiError, requestPasswordReset, resetPassword } from "./api.js";
import { currentUser, focusLogIn, logOutHere, report, showForgotForm } from "./account.js";
import { $, alertError, announce, busy, clearFieldErrors } from "./dom.js";
import { confirmed } from "./password.js";

const RESET_PREFIX = "#reset=";
// The same words whether or not an account matched: the page knows no more than the API says.
const LINK_SENT = "If an account matches, we have sent a link to choose a new password to its "
  + "email. It works once, for a limited time.";

let token = ""; // the token of the link this page was opened with

// The token of a reset link in the address, taken out of it (history.replaceState).
function takeToken() {
  if (!location.hash.startsWith(RESET_PREFIX)) return "";
  let found = "";
  try {
    found = decodeURIComponent(location.hash.slice(RESET_PREFIX.length));
  } catch {
    found = ""; // malformed: the API would refuse it anyway, and says so below
  }
  history.replaceState(history.state, "", location.pathname + location.search);
  return found || " ";
}

function openLink() {
  const found = takeToken();
  if (!found) return;
  token = found;
  const form = $("reset-form");
  form.reset();
  clearFieldErrors(form);
  form.hidden = false;
  $("reset-spent").hidden = true;
  $("reset-section").hidden = false;
  $("reset-new").focus();
}

$("forgot-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  busy(form.querySelector("button[type=submit]"), async () => {
    clearFieldErrors(form);
    alertError("");
    try {
      await requestPasswordReset($("forgot-name").value);
      form.reset();
      focusLogIn();
      announce(LINK_SENT);
    } catch (error) {
      report(error, form);
    }
  });
});

$("reset-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  busy(form.querySelector("button[type=submit]"), async () => {
    clearFieldErrors(form);
    alertError("");
    if (!confirmed(form, $("reset-new"), $("reset-confirm"))) return;
    try {
      await resetPassword(token, $("reset-new").value);
    } catch (error) {
      resetFailed(error, form);
      return;
    }
    token = "";
    form.reset();
    $("reset-section").hidden = true;
    // Every session of that account has ended; whoever was logged in here logs in again.
    if (currentUser()) await logOutHere();
    focusLogIn();
    announce("Your password has been reset. Log in with your new password.");
  });
});

function resetFailed(error, form) {
  const spent = error instanceof ApiError && error.status === 400 ? error.fields.token : undefined;
  if (!Array.isArray(spent)) {
    report(error, form);
    return;
  }
  token = "";
  form.reset();
  form.hidden = true;
  $("reset-spent").hidden = false;
  alertError(spent.join(" "));
  $("reset-again").focus();
}

$("reset-again").addEventListener("click", () => {
  if (currentUser()) {
    alertError("Log out first to ask for a new link.");
    return;
  }
  $("reset-section").hidden = true;
  alertError("");
  showForgotForm();
});

window.addEventListener("hashchange", openLink); // a link pasted into a page already open
openLink();
