// WalletDesk chat widget loader: one <script> tag on an operator's site.
//   <script src="https://support.example.com/widget.js" data-lang="zh"></script>
//   <script>WalletDesk.identify(customerTokenFromYourWalletBackend)</script>   (optional, for signed-in customers)
// The conversation lives in an iframe on the WalletDesk origin, so this page cannot read it. The two talk only through
// postMessage with exact origins both ways.
(() => {
  if (window.WalletDesk && window.WalletDesk.loaded) {
    return;
  }
  const script = document.currentScript;
  const origin = new URL(script.src).origin;
  const lang = script.dataset.lang || "";
  const label = script.dataset.label || (/^zh/i.test(lang || navigator.language) ? "在线客服" : "Chat with us");

  let token = null;
  let ready = false;
  let open = false;

  const launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "walletdesk-launcher";
  launcher.textContent = label;
  launcher.setAttribute("aria-expanded", "false");
  Object.assign(launcher.style, {
    position: "fixed", right: "20px", bottom: "20px", zIndex: "2147483000", padding: "12px 18px", border: "0",
    borderRadius: "24px", background: "#1f5fbf", color: "#fff", font: "600 15px/1.2 system-ui, sans-serif",
    boxShadow: "0 4px 14px rgba(0,0,0,.25)", cursor: "pointer",
  });

  const badge = document.createElement("span");
  Object.assign(badge.style, { display: "none", marginLeft: "8px", width: "10px", height: "10px", borderRadius: "50%", background: "#ffb020", verticalAlign: "middle" });
  launcher.append(badge);

  const frame = document.createElement("iframe");
  const src = new URL("/chat/widget", origin);
  src.searchParams.set("host", location.origin);
  if (lang) {
    src.searchParams.set("lang", lang);
  }
  frame.src = src.href;
  frame.title = label;
  frame.className = "walletdesk-frame";
  frame.setAttribute("allow", "clipboard-write");
  const small = window.matchMedia("(max-width: 480px)");
  const place = () => Object.assign(frame.style, small.matches
    ? { right: "0", bottom: "0", width: "100%", height: "100%", borderRadius: "0" }
    : { right: "20px", bottom: "80px", width: "370px", height: "min(600px, calc(100vh - 100px))", borderRadius: "12px" });
  Object.assign(frame.style, { position: "fixed", zIndex: "2147483001", border: "0", display: "none", background: "#fff", boxShadow: "0 8px 30px rgba(0,0,0,.3)" });
  place();
  small.addEventListener("change", place);

  function post(message) {
    if (ready && frame.contentWindow) {
      frame.contentWindow.postMessage(message, origin);
    }
  }

  function show(value) {
    open = value;
    frame.style.display = open ? "block" : "none";
    launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      badge.style.display = "none";
    }
    post({ type: "walletdesk:visible", visible: open });
  }

  launcher.addEventListener("click", () => show(!open));

  window.addEventListener("message", (event) => {
    if (event.origin !== origin || event.source !== frame.contentWindow || !event.data) {
      return;
    }
    if (event.data.type === "walletdesk:ready") {
      ready = true;
      if (token) {
        post({ type: "walletdesk:identify", token });
      }
      post({ type: "walletdesk:visible", visible: open });
    } else if (event.data.type === "walletdesk:close") {
      show(false);
    } else if (event.data.type === "walletdesk:unread" && !open) {
      badge.style.display = "inline-block";
    }
  });

  const mount = () => document.body.append(frame, launcher);
  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount);
  }

  window.WalletDesk = {
    loaded: true,
    /** Signs the chat in as a wallet customer: the token your wallet backend minted (docs/customer-tokens.md). */
    identify(customerToken) {
      token = String(customerToken);
      post({ type: "walletdesk:identify", token });
    },
    open: () => show(true),
    close: () => show(false),
  };
})();
