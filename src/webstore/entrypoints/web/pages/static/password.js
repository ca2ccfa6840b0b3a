// Changing one's own password, logged in. The API ends every other session of the account;
// this one (and this browser's other tabs, which share it) stays logged in.
import { call } from "./api.js";
import { report } from "./account.js";
import { $, alertError, announce, busy, clearFieldErrors, showFieldErrors } from "./dom.js";

const MISMATCH = "The two passwords differ. Type the same new password in both fields.";

// Whether a new password and its confirmation agree; if not, says so at the confirmation.
export function confirmed(form, password, confirmation) {
  if (password.value === confirmation.value) return true;
  showFieldErrors(form, { [confirmation.name]: [MISMATCH] });
  alertError("Please correct the fields marked below.");
  return false;
}

$("password-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  busy(form.querySelector("button[type=submit]"), async () => {
    clearFieldErrors(form);
    alertError("");
    if (!confirmed(form, $("password-new"), $("password-confirm"))) return;
    try {
      await call("POST", "change_password", {
        body: { old_password: $("password-old").value, new_password: $("password-new").value },
      });
      form.reset();
      announce("Your password has been changed. Your other sessions are logged out; this one stays logged in.");
    } catch (error) {
      report(error, form);
    }
  });
});

// The section is for whoever is logged in; nothing typed in it outlives the session.
export function showPasswordSection(shown) {
  const form = $("password-form");
  if (!shown) {
    form.reset();
    clearFieldErrors(form);
  }
  $("password-section").hidden = !shown;
}
