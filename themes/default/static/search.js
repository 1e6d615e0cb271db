// The search page: reads the query from ?q=, searches the Pagefind index that
// `policydash build` wrote under the site's own path, and lists what it finds. Nothing is
// loaded from another site. Without this script the page says that search needs JavaScript
// and links to the site's indexes.

const root = document.getElementById('search');
const t = root.dataset;
const form = root.querySelector('form');
const input = form.querySelector('input[name="q"]');
const status = document.getElementById('search-status');
const list = document.getElementById('search-results');
const noJs = document.getElementById('search-no-js');
const chinesePage = t.lang.startsWith('zh');
const SHOWN = 50;
// Runs of Chinese (with Chinese punctuation): marked lang="zh-Hans" on English pages.
const HAN = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\u{20000}-\u{2ffff}]+/gu;

const CJK = '\\p{Script=Han}\\u3000-\\u303f\\uff01-\\uff60\\u201c\\u201d';
const CHINESE_SPACE = new RegExp(`([${CJK}])((?:</?mark>)?) ((?:</?mark>)?)(?=[${CJK}])`, 'gu');

const fill = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));

/// Appends `text` to `el`, Chinese runs in a span that says so where the page is not Chinese.
function appendText(el, text) {
  if (chinesePage) {
    el.append(text);
    return;
  }
  let last = 0;
  for (const m of text.matchAll(HAN)) {
    el.append(text.slice(last, m.index));
    const span = document.createElement('span');
    span.lang = 'zh-Hans';
    span.textContent = m[0];
    el.append(span);
    last = m.index + m[0].length;
  }
  el.append(text.slice(last));
}

/// Text as the index holds it, with character references (`&amp;`) decoded. A textarea
/// reads markup as plain text, so nothing in it becomes an element.
const decoder = document.createElement('textarea');
function decode(text) {
  decoder.innerHTML = text;
  return decoder.value;
}

/// Pagefind's excerpt marks the words found with <mark>; everything else in it is text
/// from the index, written as text (never parsed as HTML).
function appendExcerpt(el, excerpt) {
  let inMark = false;
  // An English record holds its Chinese split into words (so that words can be found):
  // the spaces between Chinese characters are taken out again for reading.
  const joined = chinesePage ? excerpt : excerpt.replace(THIN_SPACE, ' ').replace(CHINESE_SPACE, '$1$2$3');
  for (const piece of joined.split(/(<mark>|<\/mark>)/)) {
    if (piece === '<mark>') inMark = true;
    else if (piece === '</mark>') inMark = false;
    else if (piece) {
      const text = decode(piece).replace(/\u200b/g, '');
      if (inMark) {
        const mark = document.createElement('mark');
        appendText(mark, text);
        el.append(mark);
      } else appendText(el, text);
    }
  }
}

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text) appendText(el, text);
  return el;
}

/// One result: a page, or a figure or commitment of a page (a section of its record, with the
/// section's id). `meta` holds what is shown: kind, title, value and clause.
function item(url, meta, excerpt) {
  const li = element('li', `search-result search-${meta.kind || 'page'}`);
  const kind = t[`t${(meta.kind || '').replace(/^./, (c) => c.toUpperCase())}`];
  if (kind) li.append(element('p', 'search-kind', kind));
  const heading = element('h2', 'search-title');
  const link = element('a', null, meta.title || url);
  link.href = url;
  heading.append(link);
  li.append(heading);
  if (meta.value) {
    const value = element('p', 'search-value');
    value.append(element('span', 'search-label', `${t.tValue}${chinesePage ? '：' : ': '}`));
    appendText(value, meta.value);
    li.append(value);
  }
  if (meta.quote) {
    const quote = element('p', 'search-quote');
    quote.append(element('span', 'search-label', `${t.tClause}${chinesePage ? '：' : ': '}`));
    const clause = document.createElement('q');
    clause.lang = 'zh-Hans';
    clause.textContent = meta.quote;
    quote.append(clause);
    li.append(quote);
  }
  if (excerpt) {
    const p = element('p', 'search-excerpt');
    appendExcerpt(p, excerpt);
    li.append(p);
  }
  return li;
}

/// Chinese in an English record is split into words with thin spaces: taken out for reading.
const THIN_SPACE = /\u2009/g;

/// The results of one page: the page itself where its own text matched, and each figure or
/// commitment that matched (Pagefind's sub-results, one per section of the record). A
/// section's value and clause are the texts of its lines marked `v-ID` and `q-ID`.
function items(data) {
  const meta = Object.fromEntries(Object.entries(data.meta || {}).map(([k, v]) => [k, decode(v)]));
  const anchorText = (id) => {
    const a = (data.anchors || []).find((x) => x.id === id);
    return a && a.text ? decode(a.text).replace(THIN_SPACE, '').trim() : null;
  };
  const subs = data.sub_results && data.sub_results.length ? data.sub_results : [{ url: data.url, excerpt: data.excerpt }];
  return subs.map((sub) => {
    const id = sub.anchor && sub.anchor.id;
    if (!id) return item(sub.url, meta, sub.excerpt);
    const section = {
      kind: id.startsWith('t-') ? 'figure' : id.startsWith('c-') ? 'commitment' : meta.kind,
      title: decode(sub.title || ''),
      value: anchorText(`v-${id}`),
      quote: anchorText(`q-${id}`),
    };
    return item(sub.url, section, sub.excerpt);
  });
}

/// Chinese in a query typed on an English page is split into words, as the index is.
function prepare(query) {
  if (chinesePage || typeof Intl.Segmenter !== 'function') return query;
  const words = new Intl.Segmenter('zh', { granularity: 'word' });
  return query
    .replace(HAN, (run) => ` ${[...words.segment(run)].map((s) => s.segment).join(' ')} `)
    .replace(/\s+/g, ' ')
    .trim();
}

/// The address of this search, kept in the location bar and in the links to the other languages.
function remember(query) {
  const withQuery = (href) => {
    const url = new URL(href, location.href);
    if (query) url.searchParams.set('q', query);
    else url.searchParams.delete('q');
    return url;
  };
  history.replaceState(null, '', withQuery(location.href));
  for (const a of document.querySelectorAll('.lang-switch a')) a.href = withQuery(a.href).href;
}

let pagefind = null;
let latest = 0;

/// What Pagefind is told, for the index and each shard merged into it. A programme record
/// holds its figures too, so it is long: length counts for less than Pagefind's default
/// (0.75), or a place name would rank short pages that mention it first.
const OPTIONS = { baseUrl: t.base, excerptLength: 24, ranking: { pageLength: 0.2 } };

/// The further shards of this language's index (folders inside the bundle), which a large
/// site has: searched together with the first, in the bundle itself, as one index. Checked
/// with the server each time (as Pagefind does its entry file), so that a cached list never
/// outlives a rebuilt index.
async function shards() {
  const response = await fetch(`${t.bundle}shards.json`, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`${t.bundle}shards.json: HTTP ${response.status}`);
  const all = await response.json();
  const mine = all[t.lang.split('-')[0].toLowerCase()];
  return Array.isArray(mine) ? mine : [];
}

/// Pagefind's script, loaded once, when there is something to search for (a page opened
/// without a query fetches nothing), with every shard of the index merged in.
function load() {
  pagefind ??= Promise.all([import(`${t.bundle}pagefind.js`), shards()]).then(async ([module, folders]) => {
    await module.options(OPTIONS);
    await Promise.all(folders.map((folder) => module.mergeIndex(`${t.bundle}${folder}`, OPTIONS)));
    return module;
  });
  return pagefind;
}

async function run(raw) {
  const query = raw.trim();
  const mine = ++latest;
  remember(query);
  if (!query) {
    list.replaceChildren();
    status.textContent = '';
    delete list.dataset.query;
    return;
  }
  status.textContent = t.tSearching;
  let search;
  try {
    search = await (await load()).search(prepare(query));
  } catch (e) {
    status.textContent = t.tFailed;
    noJs.hidden = false;
    return;
  }
  if (mine !== latest) return;
  const results = search ? search.results : [];
  const shown = await Promise.all(results.slice(0, SHOWN).map((r) => r.data()));
  if (mine !== latest) return;
  list.replaceChildren(...shown.flatMap(items));
  const n = results.length;
  const text = n === 0 ? t.tNone : n > SHOWN ? t.tResultsShown : t.tResults;
  status.textContent = fill(text, { n, q: query, shown: SHOWN });
  list.dataset.query = query;
}

function start() {
  const query = new URLSearchParams(location.search).get('q') || '';
  input.value = query;
  const header = document.getElementById('site-search-q');
  if (header) header.value = query;
  noJs.hidden = true;
  let timer = null;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    run(input.value);
  });
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value), 250);
  });
  if (query) run(query);
}

start();
