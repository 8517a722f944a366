// Attaches knowledge-base suggestions (kb-suggest.js) to every <input data-kb-suggest="container-id">, including
// inputs that Blazor's enhanced navigation brings into the page later. Optional attributes: data-kb-lang ("en"|"zh"),
// data-kb-source ("ticket-form"|"widget"). When the input's form has a hidden KbSuggestedQuery field, submitting the
// form puts the query whose suggestions were seen there and the server records "filed" with the ticket; otherwise
// "filed" is posted from here.
import { attachKbSuggest } from "./kb-suggest.js";

const attached = new WeakSet();

function attach(input) {
  const container = document.getElementById(input.dataset.kbSuggest);
  if (attached.has(input) || !container) {
    return;
  }
  attached.add(input);
  const kb = attachKbSuggest(input, container, { lang: input.dataset.kbLang, source: input.dataset.kbSource || "ticket-form" });
  const form = input.form;
  form?.addEventListener("submit", () => {
    const field = form.querySelector("input[name=KbSuggestedQuery]");
    const { seen, query } = kb.filed({ record: !field });
    if (field && seen) {
      field.value = query;
    }
  });
}

const scan = () => document.querySelectorAll("input[data-kb-suggest]").forEach(attach);
scan();
new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
