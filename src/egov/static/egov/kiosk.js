// 政务服务站 kiosk mode (portal.views_display): the session ends after a while without a touch or a
// key. For the last seconds a dialog counts down; touching "Continue" (or anything) keeps it; at
// zero the form #kiosk-end is sent: signed out, the session cleared, back to the kiosk's home.
// Also asks the browser not to remember what is typed here (no stored names or passwords).
const form = document.getElementById("kiosk-end");
const dialog = document.getElementById("kiosk-idle");
const count = document.getElementById("kiosk-idle-count");
const idle = Math.max(5, Number(form?.dataset.idle) || 120);
const warn = Math.min(idle, Math.max(1, Number(form?.dataset.warn) || 30));

for (const element of document.querySelectorAll("form, input, textarea")) {
  element.setAttribute("autocomplete", "off");
}

let last = Date.now();
let ending = false;

function touched() {
  if (ending) return;
  last = Date.now();
  if (dialog?.open) dialog.close();
}

function tick() {
  if (!form || ending) return;
  const left = idle - Math.floor((Date.now() - last) / 1000);
  if (left <= 0) {
    ending = true;
    form.submit();
    return;
  }
  if (left <= warn) {
    if (count) count.textContent = String(left);
    if (dialog && !dialog.open) dialog.showModal();
  }
}

for (const name of ["pointerdown", "keydown", "touchstart", "wheel", "input"]) {
  document.addEventListener(name, touched, { capture: true, passive: true });
}
document.getElementById("kiosk-idle-continue")?.addEventListener("click", touched);
dialog?.addEventListener("cancel", touched);  // Esc closes it and counts as a touch
setInterval(tick, 250);
