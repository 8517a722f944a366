// Tiny DOM helpers: elements built with textContent only, and links made safe (http, https and help-center paths).

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== "") {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

const linkPattern = /(https?:\/\/[^\s<>"']+|\/help\/articles\/[A-Za-z0-9\-_.~/%?=&]+)/g;

/** Text with web links and help-center article paths turned into links; everything else stays text. */
export function linkify(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(linkPattern)) {
    const raw = match[0].replace(/[.,;:!?)\]]+$/, "");
    let url;
    try {
      url = new URL(raw, location.origin);
    } catch {
      continue;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      continue;
    }
    parts.push(text.slice(last, match.index));
    parts.push(el("a", { href: url.href, target: "_blank", rel: "noopener noreferrer" }, raw));
    last = match.index + raw.length;
  }
  parts.push(text.slice(last));
  return parts.filter((p) => p !== "");
}
