// The agent's live chat console (/console/chats): availability, the queue, one open conversation with the
// customer's wallet panel beside it. Talks to /hubs/chat with the console cookie (same origin).
import { Conversation, Link, refusal } from "./protocol.js";
import { el, linkify } from "./dom.js";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

export function mount(root) {
  const $ = (selector) => root.querySelector(selector);
  const parts = {
    connection: $("[data-connection]"),
    availability: $("[data-availability]"),
    load: $("[data-load]"),
    mine: $("[data-mine]"),
    waiting: $("[data-waiting]"),
    pane: $("[data-pane]"),
    title: $("[data-title]"),
    meta: $("[data-meta]"),
    error: $("[data-error]"),
    messages: $("[data-messages]"),
    typing: $("[data-typing]"),
    reply: $("[data-reply]"),
    text: $("[data-text]"),
    note: $("[data-note]"),
    accept: $("[data-accept]"),
    macro: $("[data-macro]"),
    insertMacro: $("[data-insert-macro]"),
    transfer: $("[data-transfer]"),
    close: $("[data-close]"),
    linkTicket: $("[data-link]"),
    invite: $("[data-invite]"),
    convert: $("[data-convert]"),
    ticketLink: $("[data-ticket-link]"),
    panel: $("[data-panel]"),
  };

  let snapshot = { me: null, waiting: [], mine: [] };
  let current = null; // Conversation
  let entry = null; // its QueueEntry, when listed
  let customerTyping = false;
  let typingTimer = null;
  let myTypingSentAt = 0;
  let myTypingIdle = null;
  let lastMarked = 0;
  let csrf = null;
  const unread = new Set();

  const link = new Link({
    onStatus: (status) => {
      parts.connection.textContent = { connecting: "Connecting…", connected: "Connected", reconnecting: "Connection lost. Reconnecting…", offline: "You are offline. Messages will be sent when you are back." }[status] || status;
      parts.connection.dataset.state = status;
      render();
    },
    onConnected: async () => {
      await refreshQueue();
      await current?.catchUp();
      render();
    },
  });

  link.on("queue", () => refreshQueue());
  link.on("assigned", (state) => {
    refreshQueue();
    if (!current) {
      open(state.conversationId);
    }
  });
  link.on("state", (state) => {
    current?.setState(state);
    refreshQueue();
  });
  link.on("message", (message) => {
    if (current && message.conversationId === current.id) {
      if (message.authorType === "customer") {
        customerTyping = false;
      }
      current.receive(message);
    } else if (message.authorType === "customer") {
      unread.add(message.conversationId);
      renderQueue();
    }
  });
  link.on("typing", (signal) => {
    if (!current || signal.conversationId !== current.id || signal.authorType !== "customer") {
      return;
    }
    customerTyping = signal.isTyping;
    clearTimeout(typingTimer);
    if (signal.isTyping) {
      typingTimer = setTimeout(() => { customerTyping = false; render(); }, 8000);
    }
    render();
  });
  link.on("read", (signal) => {
    if (current && signal.conversationId === current.id && signal.reader === "customer" && current.state) {
      current.state = { ...current.state, customerReadSeq: Math.max(current.state.customerReadSeq, signal.seq) };
      render();
    }
  });
  link.on("resync", async () => {
    await refreshQueue();
    await current?.catchUp();
  });

  async function call(method, ...args) {
    parts.error.textContent = "";
    try {
      return await link.invoke(method, ...args);
    } catch (error) {
      parts.error.textContent = refusal(error) || "Not connected. Try again in a moment.";
      return null;
    }
  }

  async function refreshQueue() {
    if (!link.isConnected) {
      return;
    }
    try {
      snapshot = await link.invoke("Queue");
    } catch {
      return;
    }
    parts.availability.value = snapshot.me.status;
    parts.load.textContent = `${snapshot.me.active} of ${snapshot.me.capacity} chats`;
    entry = current ? [...snapshot.mine, ...snapshot.waiting].find((e) => e.conversationId === current.id) ?? entry : null;
    renderQueue();
    render();
  }

  function renderQueue() {
    const item = (e, waiting) => {
      const li = el("li", { class: `chat-entry priority-${e.priority}${e.escalated ? " escalated" : ""}${current?.id === e.conversationId ? " current" : ""}`, "data-conversation": String(e.conversationId) },
        el("button", { type: "button", class: "link open" }, e.customerName),
        unread.has(e.conversationId) ? el("span", { class: "tag unread" }, "new") : "",
        e.escalated ? el("span", { class: "tag escalated" }, "escalated") : "",
        el("div", { class: "muted" }, `#${e.conversationId} · ${e.queue} · ${e.language} · ${e.priority}${e.queuedAt ? " · since " + timeFormat.format(new Date(e.queuedAt)) : ""}`),
        el("div", { class: "subject" }, e.subject));
      li.querySelector(".open").addEventListener("click", () => open(e.conversationId));
      if (waiting) {
        const accept = el("button", { type: "button", class: "primary" }, "Accept");
        accept.addEventListener("click", () => acceptChat(e.conversationId));
        li.append(accept);
      }
      return li;
    };
    const none = () => el("li", { class: "muted" }, "None.");
    parts.mine.replaceChildren(...(snapshot.mine.length ? snapshot.mine.map((e) => item(e, false)) : [none()]));
    parts.waiting.replaceChildren(...(snapshot.waiting.length ? snapshot.waiting.map((e) => item(e, true)) : [none()]));
  }

  async function acceptChat(id) {
    const state = await call("Accept", id);
    if (state) {
      await refreshQueue();
      await open(id);
    }
  }

  async function open(id) {
    if (current?.id === id) {
      return;
    }
    unread.delete(id);
    customerTyping = false;
    lastMarked = 0;
    current = new Conversation(link, id, { staff: true, onChange: () => render() });
    entry = [...snapshot.mine, ...snapshot.waiting].find((e) => e.conversationId === id) ?? null;
    parts.pane.hidden = false;
    parts.messages.replaceChildren();
    parts.ticketLink.href = `/console/tickets/${id}`;
    renderQueue();
    loadPanel(id);
    if (link.isConnected) {
      try {
        await current.resume();
      } catch (error) {
        parts.error.textContent = refusal(error) || "Could not load the conversation.";
      }
    }
    render();
  }

  async function loadPanel(id) {
    parts.panel.replaceChildren(el("p", { class: "muted" }, "Loading the customer…"));
    try {
      const response = await fetch(`/console/chats/${id}/panel`, { credentials: "same-origin" });
      if (current?.id !== id) {
        return;
      }
      // Server-rendered by the same CustomerPanel component as the ticket page (Razor-encoded; CSP forbids inline script).
      parts.panel.innerHTML = response.ok ? await response.text() : "";
    } catch {
      parts.panel.replaceChildren(el("p", { class: "error" }, "The customer panel could not be loaded."));
    }
  }

  function render() {
    if (!current) {
      return;
    }
    const state = current.state;
    const who = entry?.customerName ?? `Conversation #${current.id}`;
    parts.title.textContent = who;
    parts.meta.textContent = state
      ? `#${state.conversationId} · ${state.status} · ${state.queue} · ${state.language}${state.agentName ? " · agent " + state.agentName : ""}${state.escalated ? " · escalated" : ""}${entry?.handoffReason ? " · handoff: " + entry.handoffReason : ""}`
      : "";
    const mineNow = snapshot.mine.some((e) => e.conversationId === current.id);
    parts.accept.hidden = !state || !["queued", "offline", "bot"].includes(state.status);

    const seenUpTo = state?.customerReadSeq ?? 0;
    const items = current.messages.map((m) => {
      const ours = m.authorType === "agent" || m.authorType === "bot";
      const li = el("li", { class: `message ${m.visibility} author-${m.authorType}`, "data-seq": String(m.seq) },
        el("div", { class: "byline" },
          el("strong", {}, m.authorName || m.authorType), ` · ${timeFormat.format(new Date(m.at))}`,
          m.visibility === "internal" ? " · internal note" : "",
          ours && m.visibility === "public" ? el("span", { class: "mark" }, m.seq <= seenUpTo ? " · read" : " · delivered") : ""),
        el("div", { class: "body" }, ...linkify(m.text)));
      const notice = current.notices.get(m.seq);
      if (notice) {
        li.append(el("p", { class: "notice" }, notice));
      }
      return li;
    });
    for (const p of current.pending) {
      const li = el("li", { class: `message pending ${p.kind === "note" ? "internal" : "public"} ${p.status}`, "data-client-id": p.clientMessageId },
        el("div", { class: "byline" }, el("strong", {}, "You"), ` · ${p.status === "failed" ? p.error : link.isConnected ? "sending…" : "waiting for the connection…"}`),
        el("div", { class: "body" }, p.text));
      if (p.status === "failed") {
        const retry = el("button", { type: "button", class: "link" }, "Retry");
        retry.addEventListener("click", () => current.retry(p.clientMessageId));
        li.append(retry);
      }
      items.push(li);
    }
    const atBottom = parts.messages.scrollHeight - parts.messages.scrollTop - parts.messages.clientHeight < 40;
    parts.messages.replaceChildren(...items);
    if (atBottom) {
      parts.messages.scrollTop = parts.messages.scrollHeight;
    }
    parts.typing.textContent = customerTyping ? "Customer is typing…" : "";
    parts.reply.querySelector("button[type=submit]").disabled = state?.status === "closed";
    if (mineNow && document.visibilityState === "visible" && link.isConnected && current.lastSeq > lastMarked) {
      lastMarked = current.lastSeq;
      link.invoke("MarkRead", current.id, current.lastSeq).catch(() => { lastMarked = 0; });
    }
  }

  // Replying, with typing signals
  parts.reply.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = parts.text.value.trim();
    if (!current || !text) {
      return;
    }
    parts.text.value = "";
    stopTyping();
    current.send(text, parts.note.checked ? "note" : "message");
  });
  parts.text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      parts.reply.requestSubmit();
    }
  });
  parts.text.addEventListener("input", () => {
    if (!current || parts.note.checked || !link.isConnected) {
      return;
    }
    const now = Date.now();
    if (now - myTypingSentAt > 3000) {
      myTypingSentAt = now;
      link.invoke("Typing", current.id, true).catch(() => {});
    }
    clearTimeout(myTypingIdle);
    myTypingIdle = setTimeout(stopTyping, 4000);
  });
  function stopTyping() {
    clearTimeout(myTypingIdle);
    if (myTypingSentAt && current && link.isConnected) {
      link.invoke("Typing", current.id, false).catch(() => {});
    }
    myTypingSentAt = 0;
  }

  parts.accept.addEventListener("click", () => current && acceptChat(current.id));

  parts.availability.addEventListener("change", async () => {
    const state = await call("SetAvailability", parts.availability.value, null);
    if (state) {
      await refreshQueue();
    }
  });

  parts.transfer.addEventListener("submit", async (event) => {
    event.preventDefault();
    const [kind, value] = new FormData(parts.transfer).get("target").split(/:(.*)/s);
    if (!current) {
      return;
    }
    const state = await call("Transfer", current.id, kind === "agent" ? { agentId: value, group: null } : { agentId: null, group: value });
    if (state) {
      current.setState(state);
      await refreshQueue();
    }
  });

  parts.close.addEventListener("submit", async (event) => {
    event.preventDefault();
    const state = current && await call("Close", current.id, new FormData(parts.close).get("disposition"));
    if (state) {
      current.setState(state);
      await refreshQueue();
    }
  });

  parts.linkTicket.addEventListener("submit", async (event) => {
    event.preventDefault();
    const ticket = Number.parseInt(new FormData(parts.linkTicket).get("ticket"), 10);
    if (!current || !Number.isFinite(ticket)) {
      return;
    }
    if (await call("LinkTicket", current.id, ticket)) {
      await current.resume();
      parts.linkTicket.reset();
    }
  });

  parts.invite.addEventListener("click", async () => {
    const state = current && await call("InviteSupervisor", current.id, null);
    if (state) {
      current.setState(state);
    }
  });

  parts.convert.addEventListener("click", async () => {
    const state = current && await call("ConvertToTicket", current.id);
    if (state) {
      current.setState(state);
      await refreshQueue();
    }
  });

  // Macros from the tickets feature, rendered for this conversation's ticket (placeholders filled, language matched).
  parts.insertMacro.addEventListener("click", async () => {
    if (!current || !parts.macro.value) {
      return;
    }
    parts.error.textContent = "";
    try {
      csrf ??= (await (await fetch("/api/antiforgery", { credentials: "same-origin" })).json()).token;
      const response = await fetch(`/api/tickets/${current.id}/macros/${encodeURIComponent(parts.macro.value)}/render`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-TOKEN": csrf },
      });
      const body = await response.json();
      if (!response.ok) {
        parts.error.textContent = body.detail || body.title || "The macro could not be inserted.";
        return;
      }
      parts.text.value = parts.text.value ? `${parts.text.value}\n${body.body}` : body.body;
      parts.text.focus();
    } catch {
      parts.error.textContent = "The macro could not be inserted.";
    }
  });

  link.start();

  // Blazor's enhanced navigation swaps pages without reloading: hang up when this page is gone.
  const leave = () => {
    if (!document.body.contains(root)) {
      link.stop();
      window.Blazor?.removeEventListener?.("enhancedload", leave);
    }
  };
  window.Blazor?.addEventListener?.("enhancedload", leave);
}
