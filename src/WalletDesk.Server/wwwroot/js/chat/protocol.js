// The client side of docs/chat-protocol.md, shared by the customer's chat and the agent console:
// a hub link that reconnects with jittered backoff, and a conversation that keeps messages in `seq` order,
// ignores duplicates, resumes on gaps, reconnects and `resync`, and re-sends pending messages with the same id.
/* global signalR */
// The browser build of @microsoft/signalr (from npm at build time, see ClientApp) sets the `signalR` global.
import "../../lib/signalr/signalr.min.js";

/** A random UUID (v4). crypto.randomUUID needs a secure context; getRandomValues works everywhere. */
export function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** 0.5 s, 1 s, 2 s … capped at 30 s, ±25 %, forever (the protocol's reconnect rule). */
export function backoffDelay(attempt) {
  const base = Math.min(30000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

// Connection trouble is expected (phones lose their network) and shown in the page; keep it out of the error console.
const quietLogger = {
  log(level, message) {
    if (level >= signalR.LogLevel.Warning && level !== signalR.LogLevel.None) {
      console.warn("[chat]", message);
    }
  },
};

const jitteredPolicy = { nextRetryDelayInMilliseconds: (context) => backoffDelay(context.previousRetryCount) };

/**
 * Null when a call failed because the connection went (send it again after reconnecting); otherwise what to tell the
 * person: the server's own words for a refusal (a HubException), or a generic line for anything else the server said.
 */
export function refusal(error) {
  const text = String(error?.message ?? error ?? "");
  const at = text.indexOf("HubException: ");
  if (at >= 0) {
    return text.slice(at + "HubException: ".length);
  }
  if (/connection (being )?closed|not in the 'Connected' State|connection was stopped|Invocation canceled/i.test(text)) {
    return null;
  }
  return document.documentElement.lang.startsWith("zh") ? "出现问题，请重试。" : "Something went wrong. Try again.";
}

/**
 * One connection to /hubs/chat. Status: "connecting", "connected", "reconnecting", "offline" (the device has no network).
 * `onConnected` runs after every (re)connection: that is where callers Resume and flush what is pending.
 */
export class Link {
  constructor({ accessToken = null, onStatus = () => {}, onConnected = async () => {} } = {}) {
    this.onStatus = onStatus;
    this.onConnected = onConnected;
    this.status = "connecting";
    this.stopped = false;
    this.attempt = 0;
    this.timer = null;
    const options = accessToken ? { accessTokenFactory: () => accessToken } : {};
    this.hub = new signalR.HubConnectionBuilder()
      .withUrl("/hubs/chat", options)
      .withAutomaticReconnect(jitteredPolicy)
      .configureLogging(quietLogger)
      .build();
    this.hub.onreconnecting(() => this.setStatus("reconnecting"));
    this.hub.onreconnected(() => this.connected());
    // Automatic reconnect never gives up, so a close means we stopped it or the first connection never came up.
    this.hub.onclose(() => this.scheduleStart());
    this.goneOffline = () => {
      // A network switch often leaves sockets half-dead for a long time: drop ours at once and start over when back.
      this.setStatus("offline");
      clearTimeout(this.timer);
      this.hub.stop().catch(() => {});
    };
    this.backOnline = () => {
      this.attempt = 0;
      this.scheduleStart(0);
    };
    window.addEventListener("offline", this.goneOffline);
    window.addEventListener("online", this.backOnline);
  }

  get isConnected() {
    return this.hub.state === signalR.HubConnectionState.Connected;
  }

  on(event, handler) {
    this.hub.on(event, handler);
  }

  invoke(method, ...args) {
    return this.hub.invoke(method, ...args);
  }

  start() {
    this.onStatus(this.status);
    this.scheduleStart(0);
  }

  async stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    window.removeEventListener("offline", this.goneOffline);
    window.removeEventListener("online", this.backOnline);
    await this.hub.stop().catch(() => {});
  }

  scheduleStart(delay) {
    if (this.stopped || !navigator.onLine) {
      if (!navigator.onLine) {
        this.setStatus("offline");
      }
      return;
    }
    clearTimeout(this.timer);
    const wait = delay ?? backoffDelay(this.attempt++);
    this.setStatus(this.status === "connected" ? "reconnecting" : this.status === "offline" ? "connecting" : this.status);
    this.timer = setTimeout(() => this.tryStart(), wait);
  }

  async tryStart() {
    if (this.stopped || this.hub.state !== signalR.HubConnectionState.Disconnected) {
      return;
    }
    try {
      await this.hub.start();
    } catch {
      this.scheduleStart();
      return;
    }
    await this.connected();
  }

  async connected() {
    this.attempt = 0;
    this.setStatus("connected");
    try {
      await this.onConnected();
    } catch {
      // A failure here surfaces through the calls themselves; the next reconnection tries again.
    }
  }

  setStatus(status) {
    if (this.status !== status) {
      this.status = status;
      this.onStatus(status);
    }
  }
}

/**
 * One conversation's messages as the protocol promises them: in order, each once. Pending messages (typed, not yet
 * acknowledged) are kept, shown, and sent again with the same clientMessageId until the server has them.
 */
export class Conversation {
  constructor(link, id, { staff = false, onChange = () => {}, onNotice = () => {}, pending = [], savePending = () => {} } = {}) {
    this.link = link;
    this.staff = staff;
    this.id = id;
    this.lastSeq = 0;
    this.messages = [];
    this.state = null;
    this.notices = new Map();
    this.pending = pending.map((p) => ({ ...p, status: "queued", error: null }));
    this.onChange = onChange;
    this.onNotice = onNotice;
    this.savePending = savePending;
    this.resuming = null;
    this.resumeAgain = false;
    this.flushing = false;
  }

  /**
   * A `message` event, or (authoritative, in order) a message from Resume. Staff see every message, so for them a
   * gap is `seq > last + 1`; customers never see internal notes, so their numbers skip and a gap is a public message
   * before this one (`previousPublicSeq`) that they have not shown.
   */
  apply(message, fromResume = false) {
    if (message.conversationId !== this.id || message.seq <= this.lastSeq) {
      return true; // a duplicate: already shown
    }
    const missed = this.staff ? message.seq > this.lastSeq + 1 : (message.previousPublicSeq ?? message.seq - 1) > this.lastSeq;
    if (!fromResume && missed) {
      this.resume(); // something was missed: fetch it in order
      return false;
    }
    this.messages.push(message);
    this.lastSeq = message.seq;
    if (message.clientMessageId) {
      this.dropPending(message.clientMessageId);
    }
    return true;
  }

  receive(message) {
    if (message.conversationId === this.id) {
      this.apply(message);
      this.onChange("message", message);
    }
  }

  setState(state) {
    if (state && state.conversationId === this.id) {
      this.state = state;
      this.onChange("state", state);
    }
  }

  /** Everything after the last seq shown (single flight; a request during a resume runs once more after it). */
  resume() {
    if (this.resuming) {
      this.resumeAgain = true;
      return this.resuming;
    }
    this.resuming = (async () => {
      try {
        do {
          this.resumeAgain = false;
          let sync;
          do {
            sync = await this.link.invoke("Resume", this.id, this.lastSeq);
            for (const m of sync.messages) {
              this.apply(m, true);
            }
            this.state = sync.state;
          } while (sync.more && sync.messages.length > 0);
        } while (this.resumeAgain);
      } finally {
        this.resuming = null;
        this.onChange("resume");
      }
    })();
    return this.resuming;
  }

  /** Queues a message (or an agent's internal note) and sends it when the link is up. */
  send(text, kind = "message") {
    const item = { clientMessageId: uuid(), text, kind, status: "queued", error: null, at: new Date().toISOString() };
    this.pending.push(item);
    this.persist();
    this.onChange("pending");
    return this.flush();
  }

  retry(clientMessageId) {
    const item = this.pending.find((p) => p.clientMessageId === clientMessageId);
    if (item) {
      item.status = "queued";
      item.error = null;
      this.onChange("pending");
      this.flush();
    }
  }

  /** Sends pending messages one at a time, in the order typed; stops at the first one the network did not take. */
  async flush() {
    if (this.flushing) {
      return;
    }
    this.flushing = true;
    try {
      for (;;) {
        const item = this.pending.find((p) => p.status === "queued");
        if (!item || !this.link.isConnected) {
          break;
        }
        item.status = "sending";
        this.onChange("pending");
        try {
          const ack = await this.link.invoke(item.kind === "note" ? "Note" : "Send", this.id, item.clientMessageId, item.text);
          if (ack.notice) {
            this.notices.set(ack.seq, ack.notice);
            this.onNotice(ack.notice);
          }
          if (ack.seq > this.lastSeq) {
            await this.resume(); // its `message` event normally came first; if not, fetch it
          }
          this.dropPending(item.clientMessageId);
        } catch (error) {
          const reason = refusal(error);
          item.status = reason ? "failed" : "queued";
          item.error = reason;
          if (!reason) {
            break; // the connection went: it is sent again, with the same id, after reconnecting
          }
        } finally {
          this.onChange("pending");
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  dropPending(clientMessageId) {
    const before = this.pending.length;
    this.pending = this.pending.filter((p) => p.clientMessageId !== clientMessageId);
    if (this.pending.length !== before) {
      this.persist();
    }
  }

  persist() {
    this.savePending(this.pending.map(({ clientMessageId, text, kind, at }) => ({ clientMessageId, text, kind, at })));
  }

  /** After every (re)connection and on `resync`: catch up, then send what is still pending. */
  async catchUp() {
    await this.resume();
    await this.flush();
  }
}
