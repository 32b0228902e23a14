/* Parley's service worker: caches the app shell so the app starts offline and installs as a
   PWA. API calls (/trpc) are never cached: conversations are always live data.
   The build fills in CACHE_NAME and PRECACHE (apps/web/pwa/service-worker-plugin.ts). */
const CACHE_NAME = "__CACHE_NAME__";
const PRECACHE = __PRECACHE__;
const SHELL = "/index.html";
const NEVER_CACHE = /^\/(trpc|healthz|readyz|metrics)(\/|$)/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE_NAME)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((n) => n.startsWith("parley-shell-") && n !== CACHE_NAME)
            .map((n) => caches.delete(n)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NEVER_CACHE.test(url.pathname)) return;

  if (request.mode === "navigate") {
    // Fresh shell when online; the cached one when the network is gone.
    event.respondWith(
      fetch(request).catch(() => caches.match(SHELL).then((cached) => cached || Response.error())),
    );
    return;
  }
  if (url.pathname.startsWith("/assets/")) {
    // Hashed file names never change content: cache first.
    event.respondWith(
      caches.match(request).then(
        (cached) =>
          cached ||
          fetch(request).then((response) => {
            if (response.ok) {
              const copy = response.clone();
              caches.open(CACHE_NAME).then((cache) => cache.put(request, copy));
            }
            return response;
          }),
      ),
    );
    return;
  }
  // Icons, manifest and other small files: the network, else the cache.
  event.respondWith(
    fetch(request).catch(() => caches.match(request).then((cached) => cached || Response.error())),
  );
});
