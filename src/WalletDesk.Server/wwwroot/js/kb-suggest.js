// Suggested knowledge-base articles while a customer types (the portal's ticket form; the chat widget's search),
// and the deflection record: did the customer who saw suggestions leave without filing, or file anyway?
//
//   import { attachKbSuggest } from "/js/kb-suggest.js";
//   const kb = attachKbSuggest(input, container, { apiBase: "", lang: "zh", source: "widget" });
//   kb.filed();    // the customer went on to file / start a chat (records "filed" if they had seen suggestions)
//   kb.dispose();  // detach (listeners, timers)
//
// API (docs/knowledge.md): GET {apiBase}/api/kb/suggestions?q=&lang=&source= → { articles: [{ slug, title, snippetHtml, url }] }
// (public articles only) and POST {apiBase}/api/kb/deflections { source, outcome, query, articleSlug } with outcome
// "article-opened", "left-without-filing" or "filed". Loaded as a file: the CSP forbids inline script. No HTML from
// the network is inserted as markup: snippets are rebuilt from their text and <mark> elements only.

const TEXT = {
  en: { heading: "These articles may answer your question", opens: "(opens in a new tab)" },
  zh: { heading: "这些文章也许能解答你的问题", opens: "（在新标签页打开）" },
};

/**
 * Attaches suggestions to a text input.
 * @param {HTMLInputElement|HTMLTextAreaElement} input what the customer types in
 * @param {HTMLElement} container where the suggestions are shown (emptied and hidden when there are none)
 * @param {{ apiBase?: string, lang?: "en"|"zh", source?: "ticket-form"|"widget", debounceMs?: number, minLength?: number,
 *           target?: string, text?: { heading: string, opens: string } }} [options]
 */
export function attachKbSuggest(input, container, options = {}) {
  const apiBase = (options.apiBase ?? "").replace(/\/+$/, "");
  const lang = options.lang === "zh" ? "zh" : "en";
  const source = options.source === "widget" ? "widget" : "ticket-form";
  const debounceMs = options.debounceMs ?? 300;
  const minLength = options.minLength ?? 2;
  const target = options.target ?? "_blank";
  const text = options.text ?? TEXT[lang];

  let timer = 0;
  let controller = null;
  let lastQuery = "";
  let shownQuery = null; // the query whose suggestions the customer last saw
  let opened = false;
  let done = false; // filed or left: the outcome is recorded once

  const url = (path) => (apiBase ? new URL(path, apiBase + "/") : new URL(path, location.href));

  function post(outcome, articleSlug) {
    const body = JSON.stringify({ source, outcome, query: shownQuery, articleSlug: articleSlug ?? null });
    // keepalive: the request survives the page being closed or navigated away from.
    return fetch(url("/api/kb/deflections"), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      keepalive: true,
      credentials: "same-origin",
    }).catch(() => undefined);
  }

  function render(articles) {
    container.replaceChildren();
    if (articles.length === 0) {
      container.hidden = true;
      return;
    }

    const heading = document.createElement("p");
    heading.className = "kb-suggest-heading";
    heading.textContent = text.heading;
    const list = document.createElement("ul");
    list.className = "kb-suggest-list";
    for (const article of articles) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      const href = url(article.url);
      href.searchParams.set("lang", lang);
      link.href = href.toString();
      link.textContent = article.title;
      link.dataset.slug = article.slug;
      if (target === "_blank") {
        link.target = "_blank";
        link.rel = "noopener";
        link.title = text.opens;
      }
      const snippet = document.createElement("span");
      snippet.className = "kb-suggest-snippet";
      snippet.append(...markedText(article.snippetHtml));
      item.append(link, snippet);
      list.append(item);
    }

    container.append(heading, list);
    container.hidden = false;
  }

  async function suggest(query) {
    controller?.abort();
    if (query.length < minLength) {
      render([]);
      return;
    }

    controller = new AbortController();
    const request = url("/api/kb/suggestions");
    request.searchParams.set("q", query);
    request.searchParams.set("lang", lang);
    request.searchParams.set("source", source);
    try {
      const response = await fetch(request, { signal: controller.signal, credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) {
        render([]);
        return;
      }
      const { articles = [] } = await response.json();
      if (query !== lastQuery) {
        return; // a newer query is on its way
      }
      render(articles);
      if (articles.length > 0) {
        shownQuery = query;
      }
    } catch (error) {
      if (error?.name !== "AbortError") {
        render([]);
      }
    }
  }

  function onInput() {
    const query = input.value.trim().slice(0, 200);
    if (query === lastQuery) {
      return;
    }
    lastQuery = query;
    clearTimeout(timer);
    timer = setTimeout(() => suggest(query), debounceMs);
  }

  function onClick(event) {
    const link = event.target instanceof Element ? event.target.closest("a[data-slug]") : null;
    if (!link || !container.contains(link)) {
      return;
    }
    opened = true;
    post("article-opened", link.dataset.slug);
  }

  function onPageHide() {
    // Opened a suggestion and is leaving without filing: that is a deflection.
    if (opened && !done) {
      done = true;
      post("left-without-filing", null);
    }
  }

  input.addEventListener("input", onInput);
  container.addEventListener("click", onClick);
  container.addEventListener("auxclick", onClick);
  window.addEventListener("pagehide", onPageHide);
  container.hidden = true;

  return {
    /** Whether suggestions were shown, and for which query. */
    get state() {
      return { shownQuery, opened, done };
    },
    /**
     * The customer filed anyway (submitted the form, started a chat). Records "filed" when suggestions had been
     * shown, unless { record: false } (the host records it itself, e.g. on the server with the ticket).
     */
    filed({ record = true } = {}) {
      const seen = shownQuery !== null;
      if (!done && seen && record) {
        post("filed", null);
      }
      done = true;
      return { seen, query: shownQuery, opened };
    },
    dispose() {
      clearTimeout(timer);
      controller?.abort();
      input.removeEventListener("input", onInput);
      container.removeEventListener("click", onClick);
      container.removeEventListener("auxclick", onClick);
      window.removeEventListener("pagehide", onPageHide);
    },
  };
}

// The server's snippet is encoded text with <mark> around matches; rebuild exactly that from its text.
function markedText(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html ?? ""}</body>`, "text/html");
  const nodes = [];
  for (const node of parsed.body.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      nodes.push(document.createTextNode(node.textContent));
    } else if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      nodes.push(mark);
    } else {
      nodes.push(document.createTextNode(node.textContent ?? ""));
    }
  }
  return nodes;
}
