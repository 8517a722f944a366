// Keyboard shortcuts for the agent console. Loaded as a file (CSP script-src 'self'); no inline handlers.
(() => {
  let pendingG = false;
  let selected = -1;
  const typing = (el) => el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  const rows = () => Array.from(document.querySelectorAll("[data-shortcut-list] tbody tr[data-href]"));
  const mark = (list) => list.forEach((row, i) => row.classList.toggle("selected", i === selected));

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    const key = event.key;
    if (pendingG) {
      pendingG = false;
      if (key === "i") { location.href = "/console/tickets"; }
      if (key === "m") { location.href = "/console/tickets?view=mine"; }
      if (key === "u") { location.href = "/console/tickets?view=unassigned"; }
      return;
    }
    if (key === "g") { pendingG = true; return; }
    if (key === "/") {
      const search = document.querySelector("[data-shortcut=search]");
      if (search) { event.preventDefault(); search.focus(); }
      return;
    }
    if (key === "r" || key === "n") {
      const reply = document.querySelector("[data-shortcut=reply]");
      if (reply) {
        event.preventDefault();
        const note = document.querySelector("[data-shortcut=note]");
        if (note) { note.checked = key === "n"; }
        reply.focus();
      }
      return;
    }
    const list = rows();
    if (list.length === 0) { return; }
    if (key === "j") { selected = Math.min(list.length - 1, selected + 1); mark(list); list[selected].scrollIntoView({ block: "nearest" }); }
    if (key === "k") { selected = Math.max(0, selected - 1); mark(list); list[selected].scrollIntoView({ block: "nearest" }); }
    if (key === "Enter" && selected >= 0) { location.href = list[selected].dataset.href; }
  });
})();

// The live chat console is an ES module (wwwroot/js/chat/console.js); load it wherever its page is, including after
// Blazor's enhanced navigation, which swaps pages without running their scripts.
(() => {
  const mountChat = () => {
    const root = document.querySelector("[data-chat-console]");
    if (root && !root.dataset.mounted) {
      root.dataset.mounted = "true";
      import("/js/chat/console.js").then((chat) => chat.mount(root));
    }
  };
  mountChat();
  if (window.Blazor && window.Blazor.addEventListener) {
    window.Blazor.addEventListener("enhancedload", mountChat);
  }
})();

// The insights page: the viewer's own time zone when none was chosen, and the forecast chart (Chart.js from npm,
// served from /lib; loaded only on this page).
(() => {
  const mountInsights = () => {
    const filters = document.querySelector("[data-insights-filters]");
    if (filters && !new URLSearchParams(location.search).has("tz")) {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      const input = filters.querySelector("[data-insights-tz]");
      if (zone && input && input.value !== zone) {
        const params = new URLSearchParams(location.search);
        params.set("tz", zone);
        location.replace(location.pathname + "?" + params.toString());
        return;
      }
    }
    const canvas = document.querySelector("[data-insights-chart]");
    if (!canvas || canvas.dataset.mounted) { return; }
    canvas.dataset.mounted = "true";
    const start = () => import("/js/insights.js").then((insights) => insights.mount(canvas));
    if (window.Chart) { start(); return; }
    const script = document.createElement("script");
    script.src = "/lib/chartjs/chart.umd.min.js";
    script.onload = start;
    document.head.appendChild(script);
  };
  mountInsights();
  if (window.Blazor && window.Blazor.addEventListener) {
    window.Blazor.addEventListener("enhancedload", mountInsights);
  }
})();

// The browser's time zone, so the server shows every time in the viewer's zone (ViewerTime). Not secret; Strict.
(() => {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && !document.cookie.split("; ").includes("wd_tz=" + encodeURIComponent(zone))) {
      document.cookie = "wd_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Strict";
    }
  } catch {
    // No Intl time zone: the server falls back to the operator's zone and says so.
  }
})();
