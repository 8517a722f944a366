// The customer's chat: the widget's iframe (/chat/widget) and the full page for web views (/chat).
// No inline script (CSP); every text from the server is set with textContent.
import { Conversation, Link, refusal, uuid } from "./protocol.js";
import { duration, pickLanguage, strings } from "./i18n.js";
import { el, linkify } from "./dom.js";
import { attachKbSuggest } from "../kb-suggest.js";

const body = document.body;
const mode = body.dataset.mode; // "widget" or "page"
const allowedOrigins = new Set((body.dataset.allowedOrigins || "").split(" ").filter(Boolean).concat([location.origin]));
const fragment = new URLSearchParams(location.hash.slice(1));
const query = new URLSearchParams(location.search);
const language = pickLanguage(fragment.get("lang") || query.get("lang") || body.dataset.lang);
const t = strings(language);
document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
document.title = t.title;
const timeFormat = new Intl.DateTimeFormat(language === "zh" ? "zh-CN" : "en", { hour: "2-digit", minute: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat(language === "zh" ? "zh-CN" : "en", { dateStyle: "medium", timeStyle: "short" });

// Who the parent window is: the widget loader passes its origin, which must be one the operator allowed.
const hostOrigin = mode === "widget" && allowedOrigins.has(query.get("host")) ? query.get("host") : null;

// What the chat remembers across visits (conversation id, visitor token, unsent messages). Browsers may refuse storage
// to a third-party iframe: then it is remembered for this page's life only, and the chat still works.
const memory = new Map();
const store = {
  get(key) {
    if (memory.has(key)) { return memory.get(key); }
    try { return JSON.parse(localStorage.getItem("wd-chat:" + key)); } catch { return null; }
  },
  set(key, value) {
    memory.set(key, value ?? null);
    try {
      if (value === null || value === undefined) { localStorage.removeItem("wd-chat:" + key); } else { localStorage.setItem("wd-chat:" + key, JSON.stringify(value)); }
    } catch { /* storage refused: memory only */ }
  },
};

// Who the customer is: a wallet token (fragment or the parent's postMessage), else an anonymous visitor.
let identity = null; // { kind: "customer"|"visitor", token, key }
let link = null;
let conversation = null;
let visible = mode === "page" ? document.visibilityState === "visible" : false;
let lastMarked = 0;
let theirTyping = null;
let typingTimer = null;
let myTypingSentAt = 0;
let myTypingIdle = null;
let availability = null;
let suggestions = null;

function customerIdentity(token) {
  let subject = token.slice(-24);
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    subject = payload.sub || subject;
  } catch { /* not a JWT we can read: key the memory by the token's tail */ }
  return { kind: "customer", token, key: "c:" + subject };
}

function storedVisitor() {
  const v = store.get("visitor");
  return v && Date.parse(v.expiresAt) > Date.now() + 60000 ? { kind: "visitor", token: v.token, key: "v:" + v.visitorId } : null;
}

// ---- Layout

const ui = {
  root: document.getElementById("chat"),
  header: el("header", { class: "chat-header" }),
  status: el("p", { class: "connection", role: "status", "aria-live": "polite" }),
  main: el("div", { class: "chat-main" }),
};
ui.root.replaceChildren(ui.header, ui.status, ui.main);
ui.header.append(el("h1", {}, t.title));
if (mode === "widget") {
  const close = el("button", { type: "button", class: "icon close", "aria-label": t.close }, "×");
  close.addEventListener("click", () => toHost({ type: "walletdesk:close" }));
  ui.header.append(close);
}

function setConnection(status) {
  ui.status.dataset.state = status;
  ui.status.textContent = { connecting: t.connecting, connected: t.connected, reconnecting: t.reconnecting, offline: t.offlineNetwork }[status] || "";
  renderConversation();
}

// ---- First screen: availability, help-center search, the first message

async function loadAvailability() {
  try {
    const response = await fetch(`/api/chat/availability?lang=${language}`, { credentials: "omit" });
    availability = response.ok ? await response.json() : null;
  } catch {
    availability = null;
  }
}

function renderStart() {
  const facts = el("div", { class: "availability" });
  if (availability) {
    facts.append(el("p", { class: availability.agentsOnline ? "online" : "offline" }, availability.agentsOnline ? t.agentsOnline : t.nobodyOnline));
    facts.append(el("p", { class: "muted" }, t.responseTime(availability.publishedResponseTime)));
    if (availability.agentsOnline && availability.expectedWaitSeconds > 0) {
      facts.append(el("p", { class: "muted" }, t.waitAbout(duration(availability.expectedWaitSeconds, t))));
    }
  }

  // Help-center articles as the customer types (kb-suggest.js, shared with the portal's ticket form), and the
  // deflection record: did they read an article, or start a chat anyway?
  const search = el("input", { type: "search", name: "q", autocomplete: "off", placeholder: t.searchPlaceholder });
  const results = el("div", { class: "kb-suggestions", hidden: true, "aria-live": "polite" });
  suggestions?.dispose();
  suggestions = attachKbSuggest(search, results, { lang: language, source: "widget" });
  const searchForm = el("form", { class: "kb-search", role: "search" }, el("label", {}, t.searchLabel, search), results);
  searchForm.addEventListener("submit", (event) => event.preventDefault());

  const text = el("textarea", { name: "text", rows: "3", required: "", maxlength: "4000", placeholder: t.startPlaceholder });
  const error = el("p", { class: "error", role: "alert" });
  const form = el("form", { class: "start" }, el("label", {}, t.startLabel, text), error, el("button", { type: "submit", class: "primary" }, t.send));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = text.value.trim();
    if (!value) { return; }
    form.querySelector("button").disabled = true;
    error.textContent = "";
    try {
      await startConversation(value);
      if (!conversation) { error.textContent = link?.isConnected ? "" : t.waitingForNetwork; }
    } catch (e) {
      error.textContent = refusal(e) || e.message || t.error;
      form.querySelector("button").disabled = false;
    }
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); form.requestSubmit(); }
  });
  ui.main.replaceChildren(el("section", { class: "start-screen" }, facts, searchForm, form));
}

// ---- Starting and resuming

async function ensureIdentity() {
  if (identity) { return; }
  const response = await fetch("/api/chat/visitors", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    credentials: "omit",
    body: JSON.stringify({ name: null, language }),
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.detail || t.error);
  }
  const visitor = await response.json();
  store.set("visitor", visitor);
  identity = { kind: "visitor", token: visitor.token, key: "v:" + visitor.visitorId };
  connect();
}

/** The first message starts the conversation; it waits (kept) until the connection is up, then starts exactly once. */
async function startConversation(text) {
  await ensureIdentity();
  const start = { clientRequestId: uuid(), text };
  store.set("start:" + identity.key, start);
  suggestions?.filed();
  await flushStart();
}

let starting = false;

async function flushStart() {
  const start = identity && store.get("start:" + identity.key);
  if (!start || !link?.isConnected || starting) { return; }
  starting = true;
  let started;
  try {
    started = await link.invoke("Start", { clientRequestId: start.clientRequestId, text: start.text, language, origin: mode === "widget" ? "widget" : "web_view" });
  } catch (e) {
    if (refusal(e)) {
      store.set("start:" + identity.key, null); // refused (e.g. too long): the text stays in the form to fix
      throw e;
    }
    return; // the connection went: it starts, with the same request id, once it is back
  } finally {
    starting = false;
  }
  // The server stored the text (in a new conversation, or joined to the open one) and says so: it is never sent again.
  store.set("start:" + identity.key, null);
  store.set("conversation:" + identity.key, started.conversationId);
  if (!conversation || conversation.id !== started.conversationId) {
    openConversation(started.conversationId, started.state);
  } else {
    conversation.setState(started.state);
  }
  if (started.ack.notice) {
    conversation.notices.set(started.ack.seq, started.ack.notice);
  }
  await conversation.resume();
  await conversation.flush();
  renderConversation();
}

function openConversation(id, state) {
  const key = identity.key;
  conversation = new Conversation(link, id, {
    pending: store.get("pending:" + key) || [],
    savePending: (items) => store.set("pending:" + key, items.length ? items : null),
    onChange: onConversationChange,
  });
  if (state) { conversation.state = state; }
  lastMarked = 0;
  renderConversationShell();
}

function onConversationChange(kind, payload) {
  if (kind === "message" && payload.authorType !== "customer") {
    theirTyping = null;
  }
  if (kind === "message" && payload.authorType !== "customer" && !visible) {
    toHost({ type: "walletdesk:unread" });
  }
  renderConversation();
}

async function onConnected() {
  if (!conversation) {
    const remembered = store.get("conversation:" + identity.key);
    if (remembered) {
      openConversation(remembered, null);
    } else if (!store.get("start:" + identity.key)) {
      // A new device or a cleared browser: the server knows the customer's open conversation; show it at once.
      const current = await link.invoke("Current").catch(() => null);
      if (current && !conversation) {
        store.set("conversation:" + identity.key, current.state.conversationId);
        openConversation(current.state.conversationId, current.state);
        for (const m of current.messages) { conversation.apply(m, true); }
        renderConversation();
      }
    }
  }
  if (conversation) {
    try {
      await conversation.catchUp();
    } catch (e) {
      if (refusal(e)) {
        // Not ours any more (or gone): forget it and offer a fresh start.
        store.set("conversation:" + identity.key, null);
        conversation = null;
        renderStart();
        return;
      }
      throw e;
    }
  }
  await flushStart();
  renderConversation();
}

function connect() {
  link?.stop();
  link = new Link({ accessToken: identity.token, onStatus: setConnection, onConnected });
  link.on("message", (m) => conversation?.receive(m));
  link.on("state", (s) => conversation?.setState(s));
  link.on("typing", (signal) => {
    if (!conversation || signal.conversationId !== conversation.id || signal.authorType === "customer") { return; }
    theirTyping = signal.isTyping ? signal.authorName || "" : null;
    clearTimeout(typingTimer);
    // The assistant always says when its turn is over; a person's indicator fades if they stop without saying so.
    if (signal.isTyping && signal.authorType !== "bot") {
      typingTimer = setTimeout(() => { theirTyping = null; renderConversation(); }, 8000);
    }
    renderConversation();
  });
  link.on("read", (signal) => {
    if (conversation && signal.conversationId === conversation.id && signal.reader === "agent" && conversation.state) {
      conversation.state = { ...conversation.state, agentReadSeq: Math.max(conversation.state.agentReadSeq, signal.seq) };
      renderConversation();
    }
  });
  link.on("resync", () => conversation?.catchUp().catch(() => {}));
  link.start();
}

// ---- The conversation

const conv = {};

function renderConversationShell() {
  conv.banner = el("div", { class: "banner", role: "status", "aria-live": "polite" });
  conv.list = el("ol", { class: "messages", "aria-live": "polite" });
  conv.typing = el("p", { class: "typing", "aria-live": "polite" });
  conv.contact = el("div", { class: "contact" });
  conv.text = el("textarea", { name: "message", rows: "2", maxlength: "4000", "aria-label": t.messageLabel });
  conv.composer = el("form", { class: "composer" }, conv.text, el("button", { type: "submit", class: "primary" }, t.send));
  conv.actions = el("div", { class: "actions" });
  conv.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = conv.text.value.trim();
    if (!value || !conversation) { return; }
    conv.text.value = "";
    stopTyping();
    conversation.send(value);
  });
  conv.text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); conv.composer.requestSubmit(); }
  });
  conv.text.addEventListener("input", onTypingInput);

  const transcript = el("button", { type: "button", class: "link" }, t.transcript);
  transcript.addEventListener("click", () => renderTranscriptForm());
  const end = el("button", { type: "button", class: "link" }, t.end);
  end.addEventListener("click", async () => {
    if (!conversation || !link.isConnected) { return; }
    try { conversation.setState(await link.invoke("End", conversation.id)); } catch { /* shown by state */ }
  });
  conv.actions.append(transcript, end);
  conv.transcript = el("div", { class: "transcript" });
  ui.main.replaceChildren(el("section", { class: "conversation" }, conv.banner, conv.list, conv.typing, conv.contact, conv.transcript, conv.composer, conv.actions));
  renderConversation();
}

function bannerText(state) {
  if (!state) { return ""; }
  switch (state.status) {
    // When a person answers is the server's one estimate (expectedReply), the same words the assistant used at handoff.
    case "queued": return t.queued(state.queuePosition ?? 1) + (state.expectedReply ? " " + state.expectedReply.text : "");
    case "bot": return t.bot;
    case "active": return t.active(state.agentName);
    // The same sentence and the same instant as expectedReply.text, with the time in the customer's own time zone.
    case "offline": {
      const by = state.expectedReply?.by ?? state.answerBy;
      return t.offline(by ? dateTimeFormat.format(new Date(by)) : null);
    }
    case "closed": return t.closed;
    default: return "";
  }
}

function authorLabel(m) {
  switch (m.authorType) {
    case "customer": return t.you;
    case "bot": return t.assistant;
    case "agent": return m.authorName || t.support;
    default: return t.system;
  }
}

function renderConversation() {
  if (!conversation || !conv.list) { return; }
  const state = conversation.state;
  conv.banner.textContent = bannerText(state);
  conv.banner.dataset.status = state?.status || "";
  if (state?.escalated && state.status === "queued") {
    conv.banner.append(el("span", { class: "muted" }, " " + t.escalated));
  }

  const readUpTo = state?.agentReadSeq ?? 0;
  const latest = conversation.messages[conversation.messages.length - 1];
  const items = conversation.messages.map((m) => {
    const mine = m.authorType === "customer";
    const marks = mine ? el("span", { class: "mark" }, m.seq <= readUpTo ? t.read : t.delivered) : null;
    // An article the message points to is a link card; its address is then not repeated as text.
    const text = m.article && m.text.endsWith("\n" + m.article.url) ? m.text.slice(0, -(m.article.url.length + 1)) : m.text;
    const li = el("li", { class: `bubble from-${m.authorType}`, "data-seq": String(m.seq) },
      el("div", { class: "byline" }, el("strong", {}, authorLabel(m)), " ", el("time", { datetime: m.at }, timeFormat.format(new Date(m.at))), marks ? " · " : "", marks ?? ""),
      el("div", { class: "text" }, ...linkify(text)));
    if (m.article) {
      li.append(el("a", { class: "article-card", href: m.article.url, target: "_blank", rel: "noopener" },
        el("span", { class: "article-kicker" }, t.article), el("span", { class: "article-link" }, t.readArticle)));
    }
    // Quick replies are offered while they answer the latest message; tapping one sends its words.
    if (m === latest && m.quickReplies?.length && state?.status !== "closed" && conversation.pending.length === 0) {
      const buttons = el("div", { class: "quick-replies", role: "group", "aria-label": t.quickReplies });
      for (const label of m.quickReplies) {
        const button = el("button", { type: "button", class: "quick" }, label);
        button.addEventListener("click", () => conversation.send(label));
        buttons.append(button);
      }
      li.append(buttons);
    }
    const notice = conversation.notices.get(m.seq);
    if (notice) { li.append(el("p", { class: "notice" }, notice)); }
    return li;
  });
  for (const p of conversation.pending) {
    const status = p.status === "failed" ? p.error : link?.isConnected ? t.sending : t.waitingForNetwork;
    const li = el("li", { class: `bubble from-customer pending ${p.status}`, "data-client-id": p.clientMessageId },
      el("div", { class: "byline" }, el("strong", {}, t.you), " · ", el("span", { class: "mark" }, status)),
      el("div", { class: "text" }, p.text));
    if (p.status === "failed") {
      const retry = el("button", { type: "button", class: "link" }, t.retry);
      retry.addEventListener("click", () => conversation.retry(p.clientMessageId));
      li.append(retry);
    }
    items.push(li);
  }
  const atBottom = conv.list.scrollHeight - conv.list.scrollTop - conv.list.clientHeight < 40;
  conv.list.replaceChildren(...items);
  if (atBottom || items.length < 4) { conv.list.scrollTop = conv.list.scrollHeight; }

  conv.typing.textContent = theirTyping !== null ? t.typing(theirTyping || state?.agentName) : "";

  const closed = state?.status === "closed";
  conv.composer.hidden = closed;
  conv.actions.hidden = false;
  if (closed && !conv.newChat) {
    conv.newChat = el("button", { type: "button", class: "primary" }, t.newChat);
    conv.newChat.addEventListener("click", () => {
      store.set("conversation:" + identity.key, null);
      store.set("pending:" + identity.key, null);
      conversation = null;
      conv.newChat = null;
      renderStart();
    });
    conv.actions.prepend(conv.newChat);
  }
  renderContact(state);
  markRead();
}

function renderContact(state) {
  const needed = state && state.status === "offline" && !state.contactKnown;
  if (!needed) {
    if (conv.contact.dataset.open) {
      // The form was answered (thank them; it stays) or is no longer needed (an agent came online).
      conv.contact.replaceChildren(...(state?.contactKnown ? [el("p", { class: "notice" }, t.contactSaved)] : []));
      delete conv.contact.dataset.open;
    }
    return;
  }
  if (conv.contact.dataset.open) { return; } // keep what the customer is typing
  conv.contact.dataset.open = "1";
  const email = el("input", { type: "email", name: "email", autocomplete: "email" });
  const phone = el("input", { type: "tel", name: "phone", autocomplete: "tel", placeholder: "+86…" });
  const error = el("p", { class: "error", role: "alert" });
  const form = el("form", { class: "contact-form" },
    el("h2", {}, t.contactTitle), el("p", { class: "muted" }, t.contactHint),
    el("label", {}, t.email, email), el("label", {}, t.phone, phone), error,
    el("button", { type: "submit" }, t.saveContact));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      conversation.setState(await link.invoke("LeaveContact", conversation.id, email.value.trim() || null, phone.value.trim() || null));
    } catch (e) {
      error.textContent = refusal(e) || t.error;
    }
  });
  conv.contact.replaceChildren(form);
}

function renderTranscriptForm() {
  const email = el("input", { type: "email", name: "transcript-email", autocomplete: "email" });
  const result = el("p", { role: "status" });
  const send = async (address) => {
    try {
      const sent = await link.invoke("RequestTranscript", conversation.id, address);
      conv.transcript.replaceChildren(el("p", { class: "notice" }, t.transcriptSent(sent.sentTo)));
    } catch (e) {
      result.textContent = refusal(e) || t.error;
    }
  };
  if (identity.kind === "customer") {
    conv.transcript.replaceChildren(result);
    send(null);
    return;
  }
  const form = el("form", { class: "transcript-form" }, el("label", {}, t.transcriptEmail, email), el("button", { type: "submit" }, t.send), result);
  form.addEventListener("submit", (event) => { event.preventDefault(); send(email.value.trim()); });
  conv.transcript.replaceChildren(form);
  email.focus();
}

function onTypingInput() {
  if (!conversation || !link?.isConnected || conversation.state?.status === "closed") { return; }
  const now = Date.now();
  if (now - myTypingSentAt > 3000) {
    myTypingSentAt = now;
    link.invoke("Typing", conversation.id, true).catch(() => {});
  }
  clearTimeout(myTypingIdle);
  myTypingIdle = setTimeout(stopTyping, 4000);
}

function stopTyping() {
  clearTimeout(myTypingIdle);
  if (myTypingSentAt && conversation && link?.isConnected) {
    link.invoke("Typing", conversation.id, false).catch(() => {});
  }
  myTypingSentAt = 0;
}

function markRead() {
  if (!visible || !conversation || !link?.isConnected || conversation.lastSeq <= lastMarked) { return; }
  const theirs = conversation.messages.filter((m) => m.authorType !== "customer");
  if (theirs.length === 0 || theirs[theirs.length - 1].seq <= lastMarked) { return; }
  lastMarked = conversation.lastSeq;
  link.invoke("MarkRead", conversation.id, conversation.lastSeq).catch(() => { lastMarked = 0; });
}

// ---- Talking to the host page (widget) or the wallet app (web view)

function toHost(message) {
  if (hostOrigin && window.parent !== window) {
    window.parent.postMessage(message, hostOrigin);
  }
}

window.addEventListener("message", (event) => {
  // Only the operator's allowed sites (or WalletDesk itself), and only our parent or opener, may talk to the chat.
  if (!allowedOrigins.has(event.origin) || (event.source !== window.parent && event.source !== window.opener)) { return; }
  const data = event.data;
  if (data?.type === "walletdesk:identify" && typeof data.token === "string" && data.token.length < 8192) {
    useCustomerToken(data.token);
  } else if (data?.type === "walletdesk:visible") {
    visible = Boolean(data.visible);
    markRead();
  }
});

document.addEventListener("visibilitychange", () => {
  if (mode === "page") {
    visible = document.visibilityState === "visible";
    markRead();
  }
});

function useCustomerToken(token) {
  if (identity?.token === token) { return; }
  identity = customerIdentity(token);
  conversation = null;
  conv.list = null;
  boot();
}

let bootRun = 0;

async function boot() {
  const run = ++bootRun;
  if (identity) {
    connect();
  } else {
    setConnection("");
  }
  if (!(identity && store.get("conversation:" + identity.key))) {
    await loadAvailability();
    if (run === bootRun && !conversation) {
      renderStart();
    }
  }
}

const fragmentToken = fragment.get("token");
if (fragmentToken) {
  // Never leave the token in the address bar or history.
  history.replaceState(null, "", location.pathname + location.search);
  identity = customerIdentity(fragmentToken);
} else {
  identity = storedVisitor();
}
boot();
toHost({ type: "walletdesk:ready" });
