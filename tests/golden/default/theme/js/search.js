// tagdigest site search: the form of search/index.html over the Pagefind bundles in
// pagefind/<key>/ (the form's data-bundles, newest first; written at every build).
// Same-origin files only, no inline code, no innerHTML: every text from the index is
// set with textContent.
const PAGE = 20;
const form = document.querySelector("form.search-form");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const words = form ? form.dataset : {};
const plural = new Intl.PluralRules(document.documentElement.lang || "en");
let pagefind = null;
let ticket = 0;
let pending = [];
let timer = 0;

function say(text) {
  status.textContent = text;
}

function counted(count) {
  const key = "results" + plural.select(count).replace(/^./, (c) => c.toUpperCase());
  return (words[key] || words.resultsOther || "{count}").replace("{count}", String(count));
}

function load() {
  // One promise, however many searches start while it loads: a bundle merged twice
  // would give its results twice.
  if (!pagefind) {
    pagefind = open().catch((error) => {
      pagefind = null; // the next search tries again
      throw error;
    });
  }
  return pagefind;
}

async function open() {
  // One Pagefind bundle per period (pagefind/<key>/, newest first): the newest is the
  // instance, the others are merged into it, so results, filters and counts span them all.
  const base = new URL(words.bundle, document.baseURI);
  const keys = (words.bundles || "").split(" ").filter(Boolean);
  const root = new URL("..", base).pathname; // the site root: results' URLs start there
  const module = await import(new URL(keys[0] + "/pagefind.js", base).href);
  await module.options({ baseUrl: root });
  for (const key of keys.slice(1)) {
    await module.mergeIndex(new URL(key + "/", base).href, { baseUrl: root });
  }
  return module;
}

function query() {
  const data = new FormData(form);
  const filters = {};
  for (const name of ["tag", "month", "language"]) {
    const value = data.get(name);
    if (value) filters[name] = value;
  }
  return { text: String(data.get("q") || "").trim(), filters };
}

function item(data) {
  const li = document.createElement("li");
  li.className = "search-result";
  const link = document.createElement("a");
  link.href = data.url;
  link.className = "search-author";
  link.textContent = data.meta.title || data.meta.handle || data.url;
  const when = document.createElement("time");
  when.dateTime = data.meta.date || "";
  when.textContent = data.meta.day || data.meta.date || "";
  const head = document.createElement("p");
  head.className = "search-head";
  head.append(link, " ");
  if (data.meta.handle && data.meta.handle !== link.textContent) {
    const handle = document.createElement("span");
    handle.className = "handle";
    handle.textContent = data.meta.handle;
    head.append(handle, " ");
  }
  head.append(when);
  const text = document.createElement("p");
  text.className = "search-text";
  text.textContent = data.meta.start || "";
  li.append(head, text);
  return li;
}

async function show(mine) {
  const batch = pending.splice(0, PAGE);
  const found = await Promise.all(batch.map((r) => r.data()));
  if (mine !== ticket) return;
  list.append(...found.map(item));
  more.hidden = pending.length === 0;
}

async function run() {
  const mine = ++ticket;
  const { text, filters } = query();
  const params = new URLSearchParams();
  if (text) params.set("q", text);
  for (const [name, value] of Object.entries(filters)) params.set(name, value);
  const search = params.toString();
  history.replaceState(null, "", search ? "?" + search : location.pathname);
  list.replaceChildren();
  more.hidden = true;
  pending = [];
  if (!text && Object.keys(filters).length === 0) {
    say("");
    return;
  }
  if (words.empty !== undefined) {
    say(words.none); // no post is in the index (Pagefind would report an error)
    return;
  }
  say(words.loading || "");
  try {
    const engine = await load();
    const result = await engine.search(text || null, { filters });
    if (mine !== ticket || !result) return;
    pending = result.results.slice();
    const count = pending.length;
    await show(mine);
    if (mine === ticket) say(count ? counted(count) : words.none);
  } catch (error) {
    if (mine === ticket) say(words.failed);
    console.error(error);
  }
}

if (form) {
  const params = new URLSearchParams(location.search);
  for (const name of ["q", "tag", "month", "language"]) {
    const field = form.elements.namedItem(name);
    const value = params.get(name);
    if (field && value !== null) field.value = value;
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
  form.addEventListener("change", () => {
    clearTimeout(timer);
    run();
  });
  more.addEventListener("click", () => show(ticket));
  if (params.toString()) run();
}
