// GovSocial's only script. Everything works without it; it refines htmx behaviour.
// It is a static file (no inline script) so the Content Security Policy can stay strict.
"use strict";

// htmx "settles" a swapped element by copying the old one's attributes onto its replacement
// for a moment; copying a style attribute would break the Content Security Policy (no inline
// style), so only classes and sizes are settled.
if (window.htmx) window.htmx.config.attributesToSettle = ["class", "width", "height"];

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
    let current = rows.findIndex((row) => row.classList.contains("is-current"));
    if (current < 0) current = rows.findIndex((row) => row.classList.contains("is-open"));
    const next = Math.min(Math.max(current + step, 0), rows.length - 1);
    rows.forEach((row) => row.classList.remove("is-current"));
    rows[next].classList.add("is-current");
    const link = rows[next].querySelector("[data-item-link]");
    if (link) {
      link.focus();
      document.dispatchEvent(new CustomEvent("govsocial:browse", { detail: { link } }));
    }
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
    if (key === "Escape") {
      // From the item beside the list back to its row.
      const panel = document.getElementById("item-panel");
      const open = document.querySelector("[data-item-link][aria-current='true']");
      if (panel && open && panel.contains(event.target)) {
        event.preventDefault();
        open.focus();
      }
      return;
    }
    const target = document.querySelector(`[data-shortcut="${CSS.escape(key)}"]`);
    if (target instanceof HTMLElement) {
      event.preventDefault();
      const panel = target.closest("[role='tabpanel']");
      if (panel && panel.hidden) {
        document.dispatchEvent(new CustomEvent("govsocial:show-panel", { detail: { panel } }));
      }
      target.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", refreshToggle);
})();

// Copy buttons (replies to post by hand): hidden without JavaScript, where the text stays
// selectable in its read-only box. Wired on load and on every htmx swap.
(() => {
  const wire = (root) => {
    root.querySelectorAll("[data-copy]").forEach((button) => {
      if (button.dataset.copyReady) return;
      button.dataset.copyReady = "true";
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
  };
  document.addEventListener("DOMContentLoaded", () => wire(document));
  document.addEventListener("htmx:load", (event) => wire(event.detail.elt));
})();

// The item's action bar: the server renders fragment links and one panel per form (which the
// stylesheet shows one at a time without JavaScript); here they become WAI-ARIA tabs with
// automatic activation: arrow keys, Home and End move between tabs, the panel follows.
(() => {
  const select = (tabs, chosen, focus) => {
    tabs.forEach((tab) => {
      const selected = tab === chosen;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;
      const panel = document.getElementById(tab.getAttribute("aria-controls"));
      if (panel) panel.hidden = !selected;
    });
    if (focus) chosen.focus();
  };

  const setUp = (bar) => {
    const list = bar.querySelector("[data-tab-list]");
    const panels = bar.querySelector(".action-panels");
    if (!list || !panels || panels.dataset.tabsReady) return;
    const tabs = Array.from(list.querySelectorAll("a[data-tab]"));
    if (!tabs.length) return;
    list.setAttribute("role", "tablist");
    const heading = bar.querySelector("h2, h3, h4");
    if (heading && heading.id) list.setAttribute("aria-labelledby", heading.id);
    list.querySelectorAll("li").forEach((item) => item.setAttribute("role", "presentation"));
    tabs.forEach((tab) => {
      const panel = document.getElementById(tab.hash.slice(1));
      if (!panel) return;
      tab.id = `${panel.id}-tab`;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", panel.id);
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.removeAttribute("tabindex");
    });
    panels.dataset.tabsReady = "true";
    const wanted = window.location.hash.slice(1);
    const initial =
      tabs.find((tab) => tab.hash.slice(1) === wanted) ||
      tabs.find((tab) => document.getElementById(tab.hash.slice(1))?.hasAttribute("data-default")) ||
      tabs[0];
    select(tabs, initial, false);

    list.addEventListener("click", (event) => {
      const tab = event.target instanceof Element ? event.target.closest("[role='tab']") : null;
      if (!tab) return;
      event.preventDefault();
      select(tabs, tab, true);
    });
    list.addEventListener("keydown", (event) => {
      const index = tabs.indexOf(document.activeElement);
      if (index < 0) return;
      const moves = {
        ArrowRight: index + 1,
        ArrowLeft: index - 1,
        Home: 0,
        End: tabs.length - 1,
      };
      if (event.key === " " || event.key === "Enter") {
        event.preventDefault();
        select(tabs, tabs[index], true);
        return;
      }
      if (!(event.key in moves)) return;
      event.preventDefault();
      select(tabs, tabs[(moves[event.key] + tabs.length) % tabs.length], true);
    });
  };

  const setUpAll = (root) => {
    if (root.matches?.("[data-action-tabs]")) setUp(root);
    root.querySelectorAll?.("[data-action-tabs]").forEach(setUp);
  };
  document.addEventListener("DOMContentLoaded", () => setUpAll(document));
  document.addEventListener("htmx:load", (event) => setUpAll(event.detail.elt));
  // A shortcut (r, h, x, n, e, a) aiming at a field of a hidden panel shows that panel first.
  document.addEventListener("govsocial:show-panel", (event) => {
    const panel = event.detail.panel;
    const tab = document.getElementById(panel.getAttribute("aria-labelledby"));
    const list = tab?.closest("[role='tablist']");
    if (tab && list) select(Array.from(list.querySelectorAll("[role='tab']")), tab, false);
  });
})();

// The moderation workspace (templates/moderation/workspace.html): with room for both, the list
// stays and the item opens beside it through htmx, without a page load; the views answer the
// panel alone (moderation/views/workspace.py). Focus: a click or Enter on a row moves into the
// item (its heading); j/k keep the focus on the list and only show the item; after a decision,
// the next item's heading or the confirmation (whichever the answer marks data-autofocus).
(() => {
  const PANEL = "item-panel";
  const BROWSE_DELAY_MS = 200;
  let browseTimer = 0;
  let latest = ""; // the row link last asked for: a slower, older answer is dropped
  let focusAfterSwap = ""; // "heading": focus the item; "none": leave it on the list

  const workspace = () => document.querySelector("[data-workspace]");
  const panel = () => document.getElementById(PANEL);
  const sideBySide = () => {
    const grid = document.querySelector(".workspace-grid");
    return !!grid && getComputedStyle(grid).getPropertyValue("--gs-side-by-side").trim() === "1";
  };
  const openId = () => panel()?.querySelector("[data-item-view]")?.dataset.itemId || "";
  const rowLink = (row) => row.querySelector("[data-item-link]");

  // The row of the item shown beside the list: aria-current on its link, and the j/k cursor.
  const markOpen = () => {
    const id = openId();
    document.querySelectorAll("[data-item]").forEach((row) => {
      const open = id !== "" && row.dataset.itemId === id;
      row.classList.toggle("is-open", open);
      if (open && sideBySide()) {
        document.querySelectorAll("[data-item].is-current").forEach((other) => {
          if (other !== row) other.classList.remove("is-current");
        });
        row.classList.add("is-current");
      }
      const link = rowLink(row);
      if (!link) return;
      if (open) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    });
  };

  const open = (link, { focus, history }) => {
    if (!window.htmx) return false;
    const href = link.getAttribute("href");
    if (href === latest) {
      // Already on its way (j then Enter at once): only the focus wish changes.
      if (focus) focusAfterSwap = "heading";
      return true;
    }
    latest = href;
    focusAfterSwap = focus ? "heading" : "none";
    const options = { source: link, target: `#${PANEL}`, swap: "innerHTML" };
    options[history] = "true";
    window.htmx.ajax("GET", latest, options);
    return true;
  };

  const focusHeading = () => document.getElementById("item-heading")?.focus();

  // A click (or Enter) on a row: beside the list when there is room, else the item's own page.
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("[data-item-link]") : null;
    if (!link || !workspace() || !sideBySide()) return;
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    window.clearTimeout(browseTimer); // Enter right after j/k: one request, not two
    const row = link.closest("[data-item]");
    document.querySelectorAll("[data-item].is-current").forEach((other) => {
      if (other !== row) other.classList.remove("is-current");
    });
    row?.classList.add("is-current");
    if (row && row.dataset.itemId === openId()) {
      event.preventDefault();
      focusHeading();
      return;
    }
    if (open(link, { focus: true, history: "push" })) event.preventDefault();
  });

  // j/k: the row gets the focus and, beside it, its item (after a short pause, so that holding
  // the key does not fetch every item on the way). The first one opened is a new history entry;
  // the next ones replace it, so Back leaves the browsing rather than replaying it.
  document.addEventListener("govsocial:browse", (event) => {
    if (!workspace() || !sideBySide()) return;
    const link = event.detail.link;
    window.clearTimeout(browseTimer);
    browseTimer = window.setTimeout(() => {
      if (link.closest("[data-item]")?.dataset.itemId === openId()) return;
      open(link, { focus: false, history: openId() ? "replace" : "push" });
    }, BROWSE_DELAY_MS);
  });

  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (!target || target.id !== PANEL) return;
    const source = event.detail.requestConfig?.elt;
    if (source?.matches?.("[data-item-link]") && source.getAttribute("href") !== latest) {
      event.detail.shouldSwap = false; // an older row's answer, overtaken
      return;
    }
    if (event.detail.xhr.status === 400) {
      // A refused decision: the panel again, with the reason and what was typed.
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.target?.id === PANEL && !event.detail.successful) latest = "";
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    // Fired on each element swapped (the panel, then the confirmations swapped out of band).
    const target = event.target;
    if (!(target instanceof Element)) return;
    if (target.id === "workspace-list") {
      markOpen();
      return;
    }
    if (target.id !== PANEL) return;
    latest = "";
    // The decided item's new row, for the list beside the panel.
    target.querySelectorAll("template[data-queue-row]").forEach((template) => {
      const row = document.getElementById(`queue-row-${template.dataset.queueRow}`);
      if (row) row.replaceWith(template.content.cloneNode(true));
      template.remove();
    });
    if (openId()) workspace()?.setAttribute("data-view", "item");
    markOpen();
    target.closest(".workspace-side")?.scrollTo?.({ top: 0 });
    const mode = focusAfterSwap;
    focusAfterSwap = "";
    if (mode === "heading") focusHeading();
    else if (mode !== "none") focusMarked();
  });

  // After a page load or a decision: the element the server marked (the next item's heading,
  // the confirmation, or the reply box filled with a saved reply).
  const focusMarked = () => {
    const marked =
      document.querySelector("#workspace-messages [data-autofocus]") ||
      document.querySelector(`#${PANEL} [data-autofocus]`);
    if (!(marked instanceof HTMLElement)) return;
    marked.focus();
    if (marked instanceof HTMLTextAreaElement) {
      marked.setSelectionRange(marked.value.length, marked.value.length);
    }
  };

  // An item page opened directly: once there is room beside it, the list it came from.
  const loadList = () => {
    const region = document.getElementById("workspace-list");
    if (!region || !region.dataset.listSrc || region.dataset.loaded || !sideBySide()) return;
    if (!window.htmx) return;
    region.dataset.loaded = "true";
    window.htmx.ajax("GET", region.dataset.listSrc, {
      source: region,
      target: region,
      swap: "innerHTML",
    });
  };

  document.addEventListener("DOMContentLoaded", () => {
    if (!workspace()) return;
    // The cache would replay a page with forms of a decision already taken: Back reloads.
    if (window.htmx) {
      window.htmx.config.historyCacheSize = 0;
      window.htmx.config.refreshOnHistoryMiss = true;
    }
    markOpen();
    focusMarked();
    loadList();
    if ("ResizeObserver" in window) new ResizeObserver(loadList).observe(workspace());
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
