/* The LEAD planning workbench page. Plain JavaScript, no build step, nothing external.
 *
 * Every value from a plan reaches the page as text (textContent, setAttribute), never as
 * HTML. The JSON API it calls is documented in the README ("The HTTP API").
 */
"use strict";

const state = {
  form: null,          // GET /api/form: sections, documents, principles
  principles: {},      // id -> rulebook entry
  plan: null,          // GET /api/plans/<slug>
  slug: null,
  tab: "form",
  documentKey: "mou",
  queue: Promise.resolve(),
  previewTimer: null,
  buildTimer: null,
};

// --- small helpers ------------------------------------------------------------------------

/** An element with attributes and children; strings become text nodes (never HTML). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "value") el.value = value;
    else if (key === "checked") el.checked = Boolean(value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace an element's children (arrays flattened, null and false skipped). */
function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
  return el;
}

function humanize(value) {
  return String(value).replace(/[-_]/g, " ");
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function idFor(path) {
  return "f-" + path.replace(/[^A-Za-z0-9_-]/g, "_");
}

function say(text, kind) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = kind || "";
}

async function api(method, url, body) {
  const options = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  let data = null;
  try {
    data = await response.json();
  } catch (_) {
    data = { error: `The server answered ${response.status}.` };
  }
  if (!response.ok) {
    const error = new Error((data && data.error) || `The server answered ${response.status}.`);
    error.status = response.status;
    throw error;
  }
  return data;
}

/** Run requests one after another, so edits reach the server in the order they were made. */
function enqueue(task) {
  state.queue = state.queue.then(task).catch((error) => say(error.message, "error"));
  return state.queue;
}

function getPath(data, path) {
  let node = data;
  for (const part of path.match(/[^.[\]]+/g) || []) {
    if (node === null || node === undefined) return undefined;
    node = node[/^\d+$/.test(part) ? Number(part) : part];
  }
  return node;
}

// --- routing ------------------------------------------------------------------------------

async function route() {
  const match = location.hash.match(/^#\/plan\/([a-z0-9-]+)$/);
  clearInterval(state.buildTimer);
  if (match) await openPlan(match[1]);
  else await showFolder();
}

window.addEventListener("hashchange", route);
window.addEventListener("beforeunload", (event) => {
  if (state.plan && state.plan.dirty) event.preventDefault();
});
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "s" && state.plan) {
    event.preventDefault();
    save();
  }
});

async function start() {
  try {
    state.form = await api("GET", "/api/form");
    for (const p of state.form.principles) state.principles[p.id] = p;
    await route();
  } catch (error) {
    say(error.message, "error");
  }
}

// --- the folder ---------------------------------------------------------------------------

async function showFolder() {
  state.plan = null;
  state.slug = null;
  const main = document.getElementById("main");
  const listing = await api("GET", "/api/plans");
  if (listing.single && listing.plans.length === 1) {
    location.hash = `#/plan/${listing.plans[0].slug}`;
    return;
  }
  document.title = `${listing.folder}: LEAD planning workbench`;
  crumbs([listing.folder]);
  const rows = listing.plans.map((p) => h("tr", {},
    h("th", { scope: "row" }, h("a", { href: `#/plan/${p.slug}` }, p.jurisdiction || p.file)),
    h("td", {}, p.file),
    h("td", { class: p.errors ? "num bad" : "num" }, p.errors),
    h("td", { class: "num" }, p.warnings),
    h("td", { class: "num" }, p.open_questions),
    h("td", { class: "num" }, p.readiness === null ? "–" : `${p.readiness}%`),
    h("td", {}, p.dirty ? "unsaved changes" : "")));
  fill(main,
    h("h2", {}, `Plans in ${listing.folder}`),
    rows.length ? h("table", { class: "plans" },
      h("thead", {}, h("tr", {}, ["Plan", "File", "Errors", "Warnings", "Open questions",
        "Readiness", ""].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows)) : h("p", {}, "There are no plans in this folder yet."),
    listing.single ? null : newPlanForm(),
    buildPanel(),
    h("section", { id: "comparison", "aria-labelledby": "comparison-title" },
      h("h2", { id: "comparison-title" }, "Comparison"), h("p", {}, "Loading…")));
  say("");
  showComparison();
  refreshBuild();
}

function crumbs(parts) {
  const nav = document.getElementById("crumbs");
  const items = parts.map((part, i) => h("li", {},
    i === 0 && parts.length > 1 ? h("a", { href: "#/" }, part) : part));
  fill(nav, h("ol", {}, items));
}

function newPlanForm() {
  const stateField = findField("jurisdiction.state");
  const kindField = findField("jurisdiction.kind");
  const form = h("form", { class: "new-plan", "aria-labelledby": "new-plan-title" },
    h("h2", { id: "new-plan-title" }, "Start a new plan"),
    h("p", { class: "hint" }, "The same commented plan as lead-replicate init writes: " +
      "every section says what to decide and why."),
    h("div", { class: "row" },
      h("label", { for: "new-name" }, "Jurisdiction name"),
      h("input", { id: "new-name", name: "name", required: true, autocomplete: "off",
        placeholder: "Springfield, Illinois" })),
    h("div", { class: "row" },
      h("label", { for: "new-state" }, "State"),
      h("select", { id: "new-state", name: "state", required: true },
        h("option", { value: "" }, "Choose…"),
        stateField.choices.map((c) => h("option", { value: c }, c)))),
    h("div", { class: "row" },
      h("label", { for: "new-kind" }, "Kind"),
      h("select", { id: "new-kind", name: "kind" },
        kindField.choices.map((c) => h("option", { value: c }, humanize(c))))),
    h("button", { type: "submit" }, "Create the plan"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const plan = await api("POST", "/api/plans", {
        name: data.get("name"), state: data.get("state"), kind: data.get("kind") });
      location.hash = `#/plan/${plan.slug}`;
    } catch (error) {
      say(error.message, "error");
    }
  });
  return form;
}

function findField(path) {
  const walk = (fields) => {
    for (const f of fields) {
      if (f.path === path) return f;
      const inner = f.fields ? walk(f.fields) : null;
      if (inner) return inner;
    }
    return null;
  };
  return walk(state.form.sections);
}

// --- build PDFs ---------------------------------------------------------------------------

function buildPanel() {
  return h("section", { id: "build", "aria-labelledby": "build-title" },
    h("h2", { id: "build-title" }, "Documents"),
    h("p", { class: "hint" }, "Builds every saved plan's documents as PDFs, as " +
      "lead-replicate build does (unsaved changes are not included)."),
    h("button", { type: "button", id: "build-button", onclick: startBuild }, "Build PDFs"),
    h("div", { id: "build-status", "aria-live": "polite" }));
}

async function startBuild() {
  try {
    showBuild(await api("POST", "/api/build"));
    state.buildTimer = setInterval(refreshBuild, 500);
  } catch (error) {
    say(error.message, "error");
  }
}

async function refreshBuild() {
  if (!document.getElementById("build-status")) return clearInterval(state.buildTimer);
  const status = await api("GET", "/api/build");
  showBuild(status);
  if (!status.running) clearInterval(state.buildTimer);
}

function showBuild(status) {
  const box = document.getElementById("build-status");
  if (!box) return;
  document.getElementById("build-button").disabled = status.running;
  if (!status.total) return fill(box);
  const items = status.items.map((item) => h("li", {},
    h("strong", {}, item.file), ": ", item.message,
    item.written.length ? h("ul", { class: "files" }, item.written.map((name) =>
      h("li", {}, h("a", { href: `/files/${encodeURIComponent(item.slug)}/${encodeURIComponent(name)}`,
        target: "_blank", rel: "noopener" }, name)))) : null));
  fill(box,
    h("p", {}, status.running ? `Building… ${status.done} of ${status.total}` :
      `Built ${status.done} of ${status.total} into ${status.out_dir}.`),
    h("progress", { max: status.total, value: status.done,
      "aria-label": "Build progress" }),
    status.error ? h("p", { class: "error" }, status.error) : null,
    h("ul", {}, items));
}

// --- the comparison -------------------------------------------------------------------------

const SYMBOL = { met: "+", warning: "!", open: "?", error: "X" };

async function showComparison() {
  const box = document.getElementById("comparison");
  if (!box) return;
  const data = await api("GET", "/api/compare");
  const rows = data.rows.filter((r) => r.compared);
  const legend = h("p", { class: "hint" },
    "+ met, ! warning, ? open question, X error. Unsaved changes are included.");
  if (!rows.length) return fill(box, box.firstChild, h("p", {}, "Nothing to compare."));
  const head = h("tr", {}, h("th", { scope: "col" }, "Principle"),
    rows.map((r) => h("th", { scope: "col" }, h("a", { href: `#/plan/${r.plan}` }, r.short_name))));
  const body = data.principles.map((p) => h("tr", {},
    h("th", { scope: "row" }, p.title, p.severity === "core" ? h("span", { class: "core" }, " core") : null),
    rows.map((r) => {
      const status = r.statuses[p.id] || "met";
      return h("td", { class: `cell ${status}`, title: `${r.short_name}: ${status}` },
        h("span", { "aria-hidden": "true" }, SYMBOL[status]), h("span", { class: "sr" }, status));
    })));
  const readiness = h("tr", {}, h("th", { scope: "row" }, "Readiness"),
    rows.map((r) => h("td", { class: "num" }, r.readiness === null ? "–" : `${r.readiness}%`)));
  fill(box, box.firstChild, legend,
    h("div", { class: "scroll" }, h("table", { class: "matrix" }, h("thead", {}, head),
      h("tbody", {}, body, readiness))));
}

// --- a plan -------------------------------------------------------------------------------

async function openPlan(slug) {
  try {
    const plan = await api("GET", `/api/plans/${slug}`);
    state.slug = slug;
    state.plan = plan;
    renderPlan();
    document.getElementById("main").focus();
  } catch (error) {
    say(error.message, "error");
  }
}

function renderPlan() {
  const plan = state.plan;
  const name = plan.jurisdiction || plan.file;
  document.title = `${name}${plan.dirty ? " (unsaved)" : ""}: LEAD planning workbench`;
  crumbs(["Plans", name]);
  const main = document.getElementById("main");
  const keep = rememberFocus();
  if (!document.getElementById("plan-layout") || main.dataset.slug !== plan.slug) {
    main.dataset.slug = plan.slug;
    fill(main,
      h("div", { class: "toolbar", id: "toolbar" }),
      h("div", { id: "plan-layout", class: "layout" },
        h("div", { class: "editor" },
          h("div", { role: "tablist", class: "tabs", "aria-label": "View" },
            tabButton("form", "Form"), tabButton("raw", "YAML text")),
          h("div", { id: "panel-form", role: "tabpanel", "aria-labelledby": "tab-form" }),
          h("div", { id: "panel-raw", role: "tabpanel", "aria-labelledby": "tab-raw" })),
        previewPane()));
    schedulePreview(0);
  }
  renderToolbar();
  document.getElementById("panel-form").hidden = state.tab !== "form";
  document.getElementById("panel-raw").hidden = state.tab !== "raw";
  if (state.tab === "form") renderForm();
  else renderRaw();
  restoreFocus(keep);
}

function tabButton(key, label) {
  return h("button", { type: "button", role: "tab", id: `tab-${key}`,
    "aria-controls": `panel-${key}`, "aria-selected": String(state.tab === key),
    tabindex: state.tab === key ? "0" : "-1",
    onclick: () => { state.tab = key; syncTabs(); renderPlan(); },
    onkeydown: (event) => {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        state.tab = state.tab === "form" ? "raw" : "form";
        syncTabs();
        renderPlan();
        document.getElementById(`tab-${state.tab}`).focus();
      }
    } }, label);
}

function syncTabs() {
  for (const key of ["form", "raw"]) {
    const tab = document.getElementById(`tab-${key}`);
    tab.setAttribute("aria-selected", String(state.tab === key));
    tab.setAttribute("tabindex", state.tab === key ? "0" : "-1");
  }
}

function renderToolbar() {
  const plan = state.plan;
  const counts = h("p", { class: "counts", "aria-live": "polite" },
    h("span", { class: plan.errors ? "bad" : "good" }, plural(plan.errors, "error")), ", ",
    plural(plan.warnings, "warning"), ", ", plural(plan.open_questions, "open question"),
    plan.readiness === null ? "" : `; readiness ${plan.readiness}%`);
  fill(document.getElementById("toolbar"),
    h("h2", {}, plan.jurisdiction || plan.file, h("span", { class: "file" }, ` ${plan.file}`)),
    counts,
    h("div", { class: "actions" },
      h("button", { type: "button", id: "undo", onclick: undo, disabled: !plan.can_undo },
        "Undo"),
      h("button", { type: "button", id: "save", class: "primary", onclick: save,
        disabled: !plan.dirty, "aria-keyshortcuts": "Control+S" },
        plan.dirty ? "Save" : "Saved")));
}

function rememberFocus() {
  const el = document.activeElement;
  if (!el || !el.id || el === document.body) return null;
  const memo = { id: el.id };
  if (el.matches("input[type=text], input[type=number], input[type=date], textarea")) {
    memo.value = el.value;
    memo.start = el.selectionStart;
    memo.end = el.selectionEnd;
  }
  return memo;
}

function restoreFocus(memo) {
  if (!memo) return;
  const el = document.getElementById(memo.id);
  if (!el) return;
  if (memo.value !== undefined && el.value !== memo.value) el.value = memo.value;
  el.focus({ preventScroll: true });
  try {
    if (memo.start !== undefined && memo.start !== null) el.setSelectionRange(memo.start, memo.end);
  } catch (_) { /* number and date inputs have no selection */ }
}

// --- editing --------------------------------------------------------------------------------

function change(path, value) {
  return enqueue(async () => {
    say("Checking…");
    state.plan = await api("PATCH", `/api/plans/${state.slug}`, { path, value });
    say(`Changed ${path}.`);
    renderPlan();
    schedulePreview();
  });
}

function save() {
  return enqueue(async () => {
    try {
      state.plan = await api("POST", `/api/plans/${state.slug}/save`);
      say(`Saved ${state.plan.file}.`, "good");
      renderPlan();
    } catch (error) {
      if (error.status !== 409) throw error;
      say(error.message, "error");
      offerReload(error.message);
    }
  });
}

function offerReload(message) {
  const box = h("div", { class: "conflict", role: "alertdialog", "aria-labelledby": "conflict-text" },
    h("p", { id: "conflict-text" }, message),
    h("button", { type: "button", onclick: () => enqueue(async () => {
      state.plan = await api("POST", `/api/plans/${state.slug}/reload`);
      box.remove();
      say("Reloaded the file from disk.");
      renderPlan();
      schedulePreview(0);
    }) }, "Reload from disk (drop my changes)"),
    h("button", { type: "button", onclick: () => box.remove() }, "Keep editing"));
  document.getElementById("toolbar").append(box);
  box.querySelector("button").focus();
}

function undo() {
  return enqueue(async () => {
    state.plan = await api("POST", `/api/plans/${state.slug}/undo`);
    say("Undone.");
    renderPlan();
    schedulePreview();
  });
}

// --- the form -------------------------------------------------------------------------------

function findingsFor(prefix, exact) {
  return state.plan.findings.filter((f) => exact ? f.path === prefix :
    f.path === prefix || f.path.startsWith(prefix + ".") || f.path.startsWith(prefix + "["));
}

function findingList(findings, id) {
  if (!findings.length) return null;
  return h("ul", { class: "findings", id }, findings.map(findingItem));
}

function findingItem(f) {
  const principle = state.principles[f.principle];
  const kind = f.status === "open" ? "open" : f.severity;
  const label = f.status === "open" ? `Open question (${f.severity})` :
    f.severity === "error" ? "Error" : "Warning";
  return h("li", { class: `finding ${kind}` },
    h("span", { class: "badge" }, label), " ",
    principle ? h("span", { class: "principle" }, [f.principle, ...(f.also || [])]
      .map((id) => state.principles[id]).filter(Boolean).map((p) => p.title).join(", "),
    ": ") : null,
    f.message,
    f.fix ? h("p", { class: "fix" }, h("strong", {}, "Fix: "), f.fix) : null,
    principle && principle.sources.length ?
      h("p", { class: "source" }, "Source: ", principle.sources.join("; ")) : null);
}

function renderForm() {
  const panel = document.getElementById("panel-form");
  const plan = state.plan;
  if (!plan.editable) {
    fill(panel, h("p", { class: "error" }, "This file cannot be read, so it " +
      "cannot be edited here. Fix it in a text editor:"), findingList(plan.findings));
    return;
  }
  const data = plan.data || {};
  const general = plan.findings.filter((f) => !f.path ||
    !state.form.sections.some((s) => f.path === s.key || f.path.startsWith(s.key + ".") ||
      f.path.startsWith(s.key + "[")));
  const nav = h("nav", { class: "sections", "aria-label": "Sections" }, h("ul", {},
    state.form.sections.map((s) => {
      const n = findingsFor(s.key).length;
      const errors = findingsFor(s.key).filter((f) => f.severity === "error").length;
      return h("li", {}, h("a", { href: `#sec-${s.key}`, onclick: (event) => {
        event.preventDefault();
        const target = document.getElementById(`sec-${s.key}`);
        target.scrollIntoView();
        target.focus();
      } }, (s.guidance && s.guidance.heading) || s.label,
      n ? h("span", { class: errors ? "count bad" : "count" }, ` ${n}`,
        h("span", { class: "sr" }, n === 1 ? " finding" : " findings")) : null));
    })));
  fill(panel, nav,
    general.length ? h("section", { class: "plan-section" }, h("h3", {}, "The whole file"),
      findingList(general)) : null,
    state.form.sections.map((s) => renderSection(s, data)));
}

function renderSection(section, data) {
  const guide = section.guidance || {};
  const title = guide.heading || section.label;
  const serves = (guide.serves || []).map((id) => state.principles[id] ?
    state.principles[id].title : id);
  return h("section", { class: "plan-section", id: `sec-${section.key}`, tabindex: "-1",
    "aria-labelledby": `h-${section.key}` },
  h("h3", { id: `h-${section.key}` }, title),
  guide.decide ? h("dl", { class: "guidance" },
    guide.summary ? [h("dt", {}, "About"), h("dd", {}, guide.summary)] : null,
    h("dt", {}, "Decide"), h("dd", {}, guide.decide),
    guide.why ? [h("dt", {}, "Why"), h("dd", {}, guide.why)] : null,
    serves.length ? [h("dt", {}, "Serves"), h("dd", {}, serves.join(", "))] : null) :
    h("p", { class: "hint" }, section.description),
  findingList(findingsFor(section.key), `findings-${section.key}`),
  renderField(section, section.key, data[section.key], true));
}

function renderField(field, path, value, top) {
  switch (field.control) {
    case "group": return renderGroup(field, path, value, top);
    case "items": return renderItems(field, path, value);
    case "strings": return renderStrings(field, path, value);
    case "refs": return renderRefs(field, path, value);
    case "flag": return renderFlag(field, path, value);
    default: return renderInput(field, path, value);
  }
}

function fieldFindings(path, id) {
  return findingList(findingsFor(path, true), id);
}

function renderGroup(field, path, value, top) {
  const inner = field.fields.map((f) =>
    renderField(f, `${path}.${f.key}`, value && typeof value === "object" ? value[f.key] : undefined));
  if (top) return h("div", { class: "fields" }, inner);
  return h("fieldset", { class: "group" }, h("legend", {}, field.label),
    h("p", { class: "hint" }, field.description), inner);
}

function describedBy(path, extra) {
  const ids = [`${idFor(path)}-hint`];
  if (findingsFor(path, true).length) ids.push(`${idFor(path)}-findings`);
  return ids.concat(extra || []).join(" ");
}

function renderInput(field, path, value) {
  const id = idFor(path);
  const invalid = findingsFor(path, true).some((f) => f.severity === "error");
  const common = { id, "aria-describedby": describedBy(path), "aria-invalid": invalid ? "true" : null };
  let control;
  const shown = value === null || value === undefined ? "" : value;
  if (field.control === "choice" || field.control === "ref") {
    const options = field.control === "ref" ? stakeholderOptions() : field.choices.map((c) => [c, humanize(c)]);
    if (shown !== "" && !options.some(([v]) => v === shown)) options.push([shown, `${shown} (not a choice)`]);
    control = h("select", { ...common, onchange: (e) => change(path, e.target.value || null) },
      h("option", { value: "" }, "— not decided —"),
      options.map(([v, text]) => h("option", { value: v, selected: v === shown ? "selected" : null }, text)));
  } else if (field.control === "longtext") {
    control = h("textarea", { ...common, rows: 3, value: String(shown),
      onchange: (e) => change(path, e.target.value.trim() === "" ? null : e.target.value) });
  } else {
    const type = field.control === "number" ? "number" : field.control === "date" ? "date" : "text";
    control = h("input", { ...common, type, value: String(shown),
      min: field.min, step: type === "number" ? 1 : null, inputmode: type === "number" ? "numeric" : null,
      onchange: (e) => {
        const raw = e.target.value;
        if (raw.trim() === "") return change(path, null);
        change(path, type === "number" && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw);
      } });
  }
  return h("div", { class: "field" },
    h("label", { for: id }, field.label, field.required ? h("span", { class: "req" }, " (required)") : null),
    control,
    h("p", { class: "hint", id: `${id}-hint` }, field.description),
    fieldFindings(path, `${id}-findings`));
}

function renderFlag(field, path, value) {
  const id = idFor(path);
  const choice = value === true ? "yes" : value === false ? "no" : "undecided";
  const radio = (key, label, sent) => h("label", { class: "radio" },
    h("input", { type: "radio", name: id, id: `${id}-${key}`, value: key, checked: choice === key,
      onchange: () => change(path, sent) }), ` ${label}`);
  return h("fieldset", { class: "field flag", "aria-describedby": describedBy(path) },
    h("legend", {}, field.label),
    h("div", { class: "choices" }, radio("yes", "Yes", true), radio("no", "No", false),
      radio("undecided", "Undecided", null)),
    h("p", { class: "hint", id: `${id}-hint` }, field.description),
    fieldFindings(path, `${id}-findings`));
}

function stakeholderOptions() {
  const list = (state.plan.data && state.plan.data.stakeholders) || [];
  return list.filter((s) => s && typeof s === "object" && s.id)
    .map((s) => [String(s.id), s.name ? `${s.name} (${s.id})` : String(s.id)]);
}

function renderRefs(field, path, value) {
  const id = idFor(path);
  const chosen = Array.isArray(value) ? value.map(String) : [];
  const options = stakeholderOptions();
  for (const v of chosen) if (!options.some(([o]) => o === v)) options.push([v, `${v} (not a stakeholder)`]);
  return h("fieldset", { class: "field refs", "aria-describedby": describedBy(path) },
    h("legend", {}, field.label),
    options.length ? h("div", { class: "choices" }, options.map(([v, text], i) =>
      h("label", { class: "check" }, h("input", { type: "checkbox", id: `${id}-${i}`,
        checked: chosen.includes(v), onchange: (e) => {
          const index = chosen.indexOf(v);
          if (e.target.checked) change(`${path}[${chosen.length}]`, v);
          else if (index >= 0) change(chosen.length === 1 ? path : `${path}[${index}]`, null);
        } }), ` ${text}`))) :
      h("p", {}, "Add stakeholders first; then choose them here."),
    h("p", { class: "hint", id: `${id}-hint` }, field.description),
    fieldFindings(path, `${id}-findings`));
}

function renderStrings(field, path, value) {
  const id = idFor(path);
  const items = Array.isArray(value) ? value : [];
  return h("fieldset", { class: "field strings", "aria-describedby": describedBy(path) },
    h("legend", {}, field.label),
    h("p", { class: "hint", id: `${id}-hint` }, field.description),
    h("ol", {}, items.map((item, i) => h("li", {},
      h("label", { class: "sr", for: `${id}-${i}` }, `${field.label}, item ${i + 1}`),
      h("input", { type: "text", id: `${id}-${i}`, value: item === null ? "" : String(item),
        onchange: (e) => change(`${path}[${i}]`, e.target.value.trim() === "" ? null : e.target.value) }),
      h("button", { type: "button", class: "small", "aria-label": `Remove ${field.label} item ${i + 1}`,
        onclick: () => change(items.length === 1 ? path : `${path}[${i}]`, null) }, "Remove")))),
    h("div", { class: "add" },
      h("label", { class: "sr", for: `${id}-new` }, `New ${field.label} item`),
      h("input", { type: "text", id: `${id}-new`, placeholder: field.item_label,
        onkeydown: (e) => {
          if (e.key === "Enter" && e.target.value.trim()) {
            e.preventDefault();
            change(`${path}[${items.length}]`, e.target.value);
          }
        } }),
      h("button", { type: "button", class: "small", onclick: () => {
        const input = document.getElementById(`${id}-new`);
        if (input.value.trim()) change(`${path}[${items.length}]`, input.value);
        else input.focus();
      } }, "Add")),
    fieldFindings(path, `${id}-findings`));
}

function itemTitle(field, item, i) {
  const name = item && typeof item === "object" ? (item.name || item.title || item.topic ||
    item.source || item.id || item.type || item.audience) : null;
  return `${field.item_label.replace(/^One /, "").replace(/\.$/, "")} ${i + 1}${name ? `: ${name}` : ""}`;
}

function renderItems(field, path, value) {
  const items = Array.isArray(value) ? value : [];
  const id = idFor(path);
  return h("div", { class: "items" },
    items.map((item, i) => {
      const itemPath = `${path}[${i}]`;
      return h("fieldset", { class: "item", id: `${idFor(itemPath)}-box` },
        h("legend", {}, itemTitle(field, item, i)),
        findingList(findingsFor(itemPath, true)),
        field.fields.map((f) => renderField(f, `${itemPath}.${f.key}`,
          item && typeof item === "object" ? item[f.key] : undefined)),
        h("button", { type: "button", class: "small danger", onclick: () =>
          change(items.length === 1 ? path : itemPath, null) },
        `Remove ${itemTitle(field, item, i)}`));
    }),
    h("button", { type: "button", id: `${id}-add`, onclick: () => change(`${path}[${items.length}]`, {}) },
      `Add ${field.item_label.replace(/^One /, "a ").replace(/\.$/, "")}`));
}

// --- the YAML text ----------------------------------------------------------------------------

function renderRaw() {
  const panel = document.getElementById("panel-raw");
  const plan = state.plan;
  const byLine = {};
  for (const f of plan.findings) (byLine[f.line] = byLine[f.line] || []).push(f);
  const lines = plan.text.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  const rows = [];
  lines.forEach((line, i) => {
    const n = i + 1;
    rows.push(h("tr", { class: byLine[n] ? "flagged" : null, id: `line-${n}` },
      h("th", { scope: "row", class: "ln" }, n), h("td", {}, h("code", {}, line))));
    if (byLine[n]) {
      rows.push(h("tr", { class: "notes" }, h("td", {}),
        h("td", {}, h("ul", { class: "findings" }, byLine[n].map(findingItem)))));
    }
  });
  const editor = h("details", { class: "raw-edit" },
    h("summary", {}, "Edit the text"),
    h("label", { for: "raw-text" }, "The plan as YAML text"),
    h("textarea", { id: "raw-text", rows: 20, spellcheck: "false", value: plan.text }),
    h("button", { type: "button", onclick: () => enqueue(async () => {
      const text = document.getElementById("raw-text").value;
      state.plan = await api("PUT", `/api/plans/${state.slug}/text`, { text });
      say("Checked the new text.");
      renderPlan();
      schedulePreview();
    }) }, "Check this text"));
  fill(panel, editor,
    h("table", { class: "raw", "aria-label": `${plan.file} with its findings` }, h("tbody", {}, rows)));
}

// --- the preview ------------------------------------------------------------------------------

function previewPane() {
  const docs = state.form.documents;
  return h("aside", { class: "preview", "aria-labelledby": "preview-title" },
    h("div", { class: "preview-bar" },
      h("h2", { id: "preview-title" }, "Preview"),
      h("label", { for: "preview-doc", class: "sr" }, "Document"),
      h("select", { id: "preview-doc", onchange: (e) => { state.documentKey = e.target.value; schedulePreview(0); } },
        Object.entries(docs).map(([key, title]) =>
          h("option", { value: key, selected: key === state.documentKey ? "selected" : null }, title))),
      h("a", { id: "preview-open", target: "_blank", rel: "noopener" }, "Open in a new tab")),
    h("iframe", { id: "preview-frame", title: "Document preview", sandbox: "allow-same-origin" }));
}

function schedulePreview(delay) {
  clearTimeout(state.previewTimer);
  state.previewTimer = setTimeout(() => {
    const frame = document.getElementById("preview-frame");
    if (!frame || !state.plan) return;
    const url = `/api/plans/${state.slug}/preview/${state.documentKey}?r=${state.plan.revision}`;
    if (frame.getAttribute("src") !== url) frame.setAttribute("src", url);
    document.getElementById("preview-open").setAttribute("href", url);
  }, delay === undefined ? 300 : delay);
}

start();
