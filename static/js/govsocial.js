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

// Wide tables scroll inside their .table-responsive box on a narrow screen. While, and only
// while, a box scrolls, it is a focusable region named by its table's caption, so that keyboard
// users can scroll it too (WCAG 2.1.1); no tab stop where nothing scrolls.
(() => {
  let captions = 0;

  const mark = (box) => {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls === box.hasAttribute("data-scroll-region")) return;
    if (!scrolls) {
      ["data-scroll-region", "tabindex", "role", "aria-labelledby"].forEach((name) =>
        box.removeAttribute(name),
      );
      return;
    }
    box.setAttribute("data-scroll-region", "");
    box.tabIndex = 0;
    const caption = box.querySelector("caption");
    if (caption) {
      caption.id ||= `scroll-caption-${++captions}`;
      box.setAttribute("role", "region");
      box.setAttribute("aria-labelledby", caption.id);
    }
  };

  const refresh = () => document.querySelectorAll(".table-responsive").forEach(mark);
  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("htmx:afterSettle", refresh);
  window.addEventListener("resize", refresh);
})();
