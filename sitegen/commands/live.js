// sitegen live preview: reload this page when a rebuild renews it, show build errors over it.
// Served and injected by `sitegen serve` only; never part of a built site.
(() => {
  "use strict";
  const OVERLAY = "sitegen-problems";
  const served = document.currentScript?.dataset.generation;
  let generation = served === undefined ? null : Number(served);
  let base = "/";

  // This page's file in the output folder, as rebuilds name the files they renew.
  const ownFile = () => {
    let path = decodeURIComponent(location.pathname);
    if (path.startsWith(base)) path = path.slice(base.length);
    if (path === "" || path.endsWith("/")) path += "index.html";
    return path;
  };

  const dismiss = () => document.getElementById(OVERLAY)?.remove();

  const show = (problems) => {
    dismiss();
    const box = document.createElement("div");
    box.id = OVERLAY;
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-labelledby", OVERLAY + "-title");
    box.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;z-index:2147483647;" +
      "max-height:60vh;overflow:auto;background:#1b1b1b;color:#fff;border-left:6px solid #e5484d;" +
      "border-radius:6px;box-shadow:0 8px 30px rgba(0,0,0,.35);padding:1rem 3rem 1rem 1.25rem;" +
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;";
    const title = document.createElement("p");
    title.id = OVERLAY + "-title";
    title.style.cssText = "margin:0 0 .5rem;font:600 15px/1.4 system-ui,sans-serif;";
    title.textContent = "The last save could not be built · No se pudo generar el último cambio";
    const list = document.createElement("pre");
    list.style.cssText = "margin:0;white-space:pre-wrap;";
    list.textContent = problems.join("\n");
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Dismiss · Cerrar");
    close.style.cssText = "position:absolute;top:.5rem;right:.75rem;background:none;border:0;" +
      "color:#fff;font:24px/1 system-ui,sans-serif;cursor:pointer;";
    close.addEventListener("click", dismiss);
    box.append(title, list, close);
    document.body.append(box);
    close.focus({ preventScroll: true });
  };

  const events = new EventSource("/_sitegen/events");
  events.addEventListener("hello", (event) => {
    const hello = JSON.parse(event.data);
    const now = hello.generation;
    base = hello.base;
    // Back after the server restarted or missed rebuilds while away: show what is there now.
    if (generation !== null && now !== generation) location.reload();
    generation = now;
  });
  events.addEventListener("problems", (event) => show(JSON.parse(event.data)));
  events.addEventListener("renewed", (event) => {
    const { paths, generation: now } = JSON.parse(event.data);
    generation = now;
    dismiss();
    if (paths.includes("*") || paths.includes(ownFile())) location.reload();
  });
})();
