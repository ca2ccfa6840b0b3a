// Asking before a destructive action, in the page's modal <dialog> (templates/_page.html):
// focus moves to the harmless answer, Escape or that answer says no, and focus comes back.
import { $ } from "./dom.js";

const dialog = $("confirm");

// Resolves to true when the person chose `action`, false for `keep` or Escape. Focus goes
// back to the button that asked (a caller that redraws it moves focus to its successor).
export function confirmAction({ title, text, action, keep }) {
  const asking = document.activeElement;
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-go").textContent = action;
  $("confirm-keep").textContent = keep;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      const chosen = dialog.returnValue === "go";
      if (asking instanceof HTMLElement && asking.isConnected) asking.focus();
      resolve(chosen);
    }, { once: true });
    dialog.showModal();
  });
}
