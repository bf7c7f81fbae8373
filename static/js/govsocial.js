// GovSocial's only script. Everything works without it; it refines htmx behaviour.
// It is a static file (no inline script) so the Content Security Policy can stay strict.
"use strict";

// Background polls (the unread badge) pause while the tab is hidden: no load for nobody.
document.addEventListener("htmx:beforeRequest", (event) => {
  const element = event.detail.elt;
  if (document.hidden && element && element.hasAttribute("data-background-poll")) {
    event.preventDefault();
  }
});

// Print buttons (a printable letter): CSP forbids inline handlers, so they are wired here.
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});
