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

// The side navigation on wide screens: the top bar's button collapses and expands it, and the
// choice is remembered in this browser (static/js/sidenav-state.js applies it before the first
// paint). Below 992 px the same navigation is Bootstrap's off-canvas panel instead.
(() => {
  const STORAGE_KEY = "govsocial.sidenav";
  const root = document.documentElement;

  const refresh = () => {
    const expanded = root.classList.contains("sidenav-collapsed") ? "false" : "true";
    document.querySelectorAll("[data-sidenav-toggle]").forEach((button) => {
      button.setAttribute("aria-expanded", expanded);
    });
  };

  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element) || !event.target.closest("[data-sidenav-toggle]")) return;
    const collapsed = root.classList.toggle("sidenav-collapsed");
    try {
      window.localStorage.setItem(STORAGE_KEY, collapsed ? "collapsed" : "expanded");
    } catch {
      // Storage refused: the choice holds for this page only.
    }
    refresh();
  });

  document.addEventListener("DOMContentLoaded", refresh);
})();

// Keyboard shortcuts of the moderation pages (WCAG 2.1.4: they can be switched off, and never
// fire while typing in a field or with a modifier key). Pages opt in with data-shortcuts on
// <main>; targets carry data-shortcut="<key>"; queue rows carry data-item.
(() => {
  const STORAGE_KEY = "govsocial.shortcuts";
  const enabled = () => window.localStorage.getItem(STORAGE_KEY) !== "off";

  const typing = (target) =>
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));

  const moveInQueue = (step) => {
    const rows = Array.from(document.querySelectorAll("[data-item]"));
    if (!rows.length) return;
    const current = rows.findIndex((row) => row.classList.contains("is-current"));
    const next = Math.min(Math.max(current + step, 0), rows.length - 1);
    rows.forEach((row) => row.classList.remove("is-current"));
    rows[next].classList.add("is-current");
    const link = rows[next].querySelector("a");
    if (link) link.focus();
  };

  const refreshToggle = () => {
    const toggle = document.querySelector("[data-shortcuts-toggle]");
    if (toggle) toggle.setAttribute("aria-pressed", enabled() ? "true" : "false");
  };

  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element)) return;
    if (event.target.closest("[data-shortcuts-toggle]")) {
      window.localStorage.setItem(STORAGE_KEY, enabled() ? "off" : "on");
      refreshToggle();
    }
    if (event.target.closest("[data-shortcuts-help]")) {
      const dialog = document.getElementById("shortcut-help");
      if (dialog && !dialog.open) dialog.showModal();
    }
  });

  document.addEventListener("keydown", (event) => {
    if (!document.querySelector("main[data-shortcuts]") || !enabled()) return;
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const key = event.key;
    if (key === "j" || key === "k") {
      event.preventDefault();
      moveInQueue(key === "j" ? 1 : -1);
      return;
    }
    if (key === "?") {
      const dialog = document.getElementById("shortcut-help");
      if (dialog && !dialog.open) {
        event.preventDefault();
        dialog.showModal();
      }
      return;
    }
    const target = document.querySelector(`[data-shortcut="${CSS.escape(key)}"]`);
    if (target instanceof HTMLElement) {
      event.preventDefault();
      target.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", refreshToggle);

  // Copy buttons (replies to post by hand): hidden without JavaScript, where the text stays
  // selectable in its read-only box.
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-copy]").forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", async () => {
        const source = document.getElementById(button.dataset.copy);
        if (!source) return;
        try {
          await navigator.clipboard.writeText(source.value ?? source.textContent);
        } catch {
          source.select?.();
          document.execCommand?.("copy");
        }
        const status = document.getElementById(`${button.dataset.copy}-status`);
        if (status) status.textContent = button.dataset.copied;
      });
    });
  });
})();
