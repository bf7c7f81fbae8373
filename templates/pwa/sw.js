{% load static %}/* GovSocial's service worker (docs/coverage.md): phone notifications and an offline page.
   It never caches signed-in pages: only the offline page and what it needs. */
"use strict";

const CACHE = "govsocial-offline-v1";
const OFFLINE_URL = "{{ offline_url|escapejs }}";
const OFFLINE_ASSETS = [
  OFFLINE_URL,
  "{% static 'vendor/bootstrap-5.3.9/bootstrap.min.css' as css %}{{ css|escapejs }}",
  "{% static 'css/govsocial.css' as own %}{{ own|escapejs }}",
  "{% static 'favicon.svg' as favicon %}{{ favicon|escapejs }}",
];
const ICON = "{{ icon|escapejs }}";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(OFFLINE_ASSETS)));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

/* Pages come from the network; only when it fails does the offline page answer. */
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method === "GET" && request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
  } else if (request.method === "GET" && OFFLINE_ASSETS.includes(new URL(request.url).pathname)) {
    event.respondWith(fetch(request).catch(() => caches.match(request)));
  }
});

/* A message from GovSocial: JSON {title, body, url, tag, lang}, encrypted for this device. */
self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = {title: "GovSocial", body: event.data ? event.data.text() : ""};
  }
  event.waitUntil(
    self.registration.showNotification(message.title || "GovSocial", {
      body: message.body || "",
      tag: message.tag || undefined,
      lang: message.lang || undefined,
      icon: ICON,
      badge: ICON,
      data: {url: message.url || "/"},
      requireInteraction: true,
    })
  );
});

/* Tapping the notification opens the item (a GovSocial address only), in an open tab if any. */
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  let target = new URL("/", self.location.origin);
  try {
    const wanted = new URL(event.notification.data.url, self.location.origin);
    if (wanted.origin === self.location.origin) {
      target = wanted;
    }
  } catch (error) { /* keep the home page */ }
  event.waitUntil(
    self.clients.matchAll({type: "window", includeUncontrolled: true}).then((windows) => {
      for (const client of windows) {
        if (client.url === target.href && "focus" in client) {
          return client.focus();
        }
      }
      return self.clients.openWindow(target.href);
    })
  );
});

/* The browser replaced the subscription (keys rotated by the push service): tell GovSocial
   nothing here, the devices page re-subscribes on the next visit; the old one answers 410
   and is removed. */
