// StreamEntropy live page: polls the worker's JSON API and draws SVG charts. No external assets.
// Names of fields, pairs, windows, rules and metrics come from configuration and may hold any character, so the DOM
// is built from elements and text nodes only: nothing from the API is ever parsed as HTML (see also the server's CSP).
"use strict";
const state = { window: null, windows: [], target: null, alerts: { active: [], recent: [], drift: [] } };
const $ = (id) => document.getElementById(id);
const fmt = (v, digits = 3) => (v === null || v === undefined || Number.isNaN(v)) ? "–" : Number(v).toFixed(digits);
const SVG = "http://www.w3.org/2000/svg";

// el("span", { class: "badge" }, "text", child…): an element with attributes and children (strings become text nodes).
function el(tag, attributes, ...children) {
  return build(document.createElement(tag), attributes, children);
}

function svgEl(tag, attributes, ...children) {
  return build(document.createElementNS(SVG, tag), attributes, children);
}

function build(node, attributes, children) {
  for (const [name, value] of Object.entries(attributes ?? {})) node.setAttribute(name, String(value));
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

async function getJson(url) {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

function chart(points, key, seKey, secondKey) {
  const w = 300, h = 90, pad = 4;
  const values = [];
  for (const p of points) {
    const v = p[key];
    if (v === null || v === undefined) continue;
    const se = seKey && p[seKey] ? p[seKey] : 0;
    values.push(Math.max(0, v - 2 * se), v + 2 * se);
    if (secondKey && p[secondKey] !== null && p[secondKey] !== undefined) values.push(p[secondKey]);
  }
  const svg = svgEl("svg", { viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": "chart" });
  if (points.length < 2 || values.length === 0) {
    svg.append(svgEl("text", { class: "axis", x: 4, y: 48 }, "collecting points…"));
    return svg;
  }
  svg.setAttribute("preserveAspectRatio", "none");
  let lo = Math.min(...values), hi = Math.max(...values);
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  const x = (i) => pad + (w - 2 * pad) * i / (points.length - 1);
  const y = (v) => h - pad - (h - 2 * pad) * (v - lo) / (hi - lo);
  const line = (k) => points.map((p, i) => (p[k] === null || p[k] === undefined) ? "" : `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(p[k]).toFixed(1)}`).join(" ").replace(/^ *L/, "M");
  if (seKey) {
    const upper = points.map((p, i) => `${x(i).toFixed(1)},${y((p[key] ?? 0) + 2 * (p[seKey] ?? 0)).toFixed(1)}`);
    const lower = points.map((p, i) => `${x(i).toFixed(1)},${y(Math.max(0, (p[key] ?? 0) - 2 * (p[seKey] ?? 0))).toFixed(1)}`).reverse(); // entropy is never negative
    svg.append(svgEl("polygon", { class: "band", points: upper.concat(lower).join(" ") }));
  }
  svg.append(svgEl("path", { class: "line", d: line(key) }));
  if (secondKey) svg.append(svgEl("path", { class: "mi", d: line(secondKey) }));
  svg.append(
    svgEl("text", { class: "axis", x: w - 2, y: 10, "text-anchor": "end" }, fmt(hi, 2)),
    svgEl("text", { class: "axis", x: w - 2, y: h - 2, "text-anchor": "end" }, fmt(lo, 2)));
  return svg;
}

function driftFor(kind, subject) {
  return state.alerts.drift.find((d) => d.window === state.window && d[kind] === subject);
}

function alertFor(subject) {
  return state.alerts.active.find((a) => a.window === state.window && (a.field === subject || (a.pair && `${a.pair.x},${a.pair.y}` === subject)));
}

function badge(subject) {
  const alert = alertFor(subject);
  if (alert) return el("span", { class: "badge raised", title: `${alert.rule}: ${alert.metric} = ${fmt(alert.value)}` }, `ALERT ${alert.rule}`);
  return el("span", { class: "badge ok" }, "ok");
}

function driftLine(kind, subject) {
  const d = driftFor(kind, subject);
  if (!d) return el("div", { class: "drift" }, "drift: no reference yet");
  // Over its MaxDistinct budget the field is known through a summary: certified brackets, no point scores.
  if (d.bounded) return el("div", { class: "drift bounded", title: "over its MaxDistinct budget: the exact values lie in these brackets; rules read the lower bound" }, `drift: JS ${fmt(d.jsLower, 4)}–${fmt(d.jsUpper, 4)} · TV ${fmt(d.tvLower)}–${fmt(d.tvUpper)} (bracket)`);
  const mi = kind === "pair" ? ` · ΔI ${fmt(d.mutualInformationChange)}` : "";
  // Why the pair moved, by the chain rule ΔH(X,Y) = ΔH(X) + ΔH(Y|X): inputs, relation, both or none.
  const chain = kind === "pair" && d.chain && d.chain.verdict
    ? el("span", { class: "verdict", title: `ΔH(X) ${fmt(d.chain.inputEntropyChange)} · ΔH(Y|X) ${fmt(d.chain.relationEntropyChange)} nats` }, ` · changed: ${d.chain.verdict}`)
    : null;
  return el("div", { class: "drift" }, `drift: PSI ${fmt(d.psi)} · JS ${fmt(d.jensenShannon, 4)} · G −log₁₀p ${fmt(d.gTestLog10P, 1)}${mi}`, chain);
}

const pairMetrics = ["miChange", "conditionalEntropyChange", "jointJs", "jointPsi", "jointGTestLog10P"];

// The thresholds the rules apply to this subject in the selected window, and where each came from: the subject's own
// (calibrated from the reference) where there is one, else the rule's for every subject.
function thresholdLine(kind, subject) {
  const reference = (state.alerts.references || []).find((r) => r.window === state.window);
  const all = (reference && reference.thresholds) || [];
  const rules = [...new Set(all.map((t) => t.rule))];
  const parts = [];
  for (const rule of rules) {
    const mine = all.filter((t) => t.rule === rule && (pairMetrics.includes(t.metric) ? "pair" : "field") === kind);
    const t = mine.find((x) => x.subject === subject) || mine.find((x) => x.subject === null);
    if (t) parts.push(`${t.rule} ≥ ${fmt(t.threshold, 4)} (${t.thresholdSource})`);
  }
  return parts.length > 0 ? el("div", { class: "thresholds muted" }, `thresholds: ${parts.join(" · ")}`) : null;
}

function card(kind, subject, title, value, muted, svg) {
  const node = el("div", { class: alertFor(subject) ? "card alerting" : "card" },
    el("h3", null, el("span", { class: "name" }, title), badge(subject)),
    el("div", { class: "value" }, value, " ", el("span", { class: "muted" }, muted)),
    svg,
    driftLine(kind, subject),
    thresholdLine(kind, subject));
  node.dataset[kind] = subject; // data-field / data-pair, set as a property: never parsed
  return node;
}

function render(history) {
  $("unit").textContent = history.unit;
  const fields = [], pairs = [];
  for (const s of history.series) {
    const last = s.points[s.points.length - 1] || {};
    if (s.field !== undefined) {
      fields.push(card("field", s.field, s.field, fmt(last.entropy), `± ${fmt(last.standardError, 4)}`,
        chart(s.points, "entropy", "standardError")));
    } else {
      const comma = s.pair.indexOf(",");
      const x = s.pair.slice(0, comma), y = s.pair.slice(comma + 1);
      pairs.push(card("pair", s.pair, `${y} | ${x}`, fmt(last.conditionalYGivenX), `I ${fmt(last.mutualInformation)} · H(X,Y) ${fmt(last.joint)}`,
        chart(s.points, "conditionalYGivenX", null, "mutualInformation")));
    }
  }
  $("fields").replaceChildren(...fields);
  $("pairs").replaceChildren(...pairs);
  const banner = $("alerts");
  if (state.alerts.active.length > 0) {
    banner.hidden = false;
    banner.replaceChildren(
      el("strong", null, `${state.alerts.active.length} active alert(s)`),
      el("ul", null, ...state.alerts.active.map((a) =>
        el("li", null, `${a.window} / ${a.field ?? `${a.pair.x},${a.pair.y}`}: ${a.rule} (${a.metric} = ${fmt(a.value)}, threshold ${fmt(a.threshold)})`))));
  } else {
    banner.hidden = true;
    banner.replaceChildren();
  }
}

// The targets of the ranking: every field that is the Y of at least two pairs in the window (a wildcard pair such as
// "*,label" gives its target one pair per field), in the order first seen.
function targetsOf(series) {
  const seen = new Map();
  for (const s of series) {
    if (s.pair === undefined) continue;
    const y = s.pair.slice(s.pair.indexOf(",") + 1);
    seen.set(y, (seen.get(y) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n >= 2).map(([y]) => y);
}

function rankingRow(r, i, unit) {
  const su = Math.max(0, Math.min(1, r.symmetricUncertainty ?? 0));
  const bar = svgEl("svg", { class: "su", viewBox: "0 0 100 8", preserveAspectRatio: "none", role: "img", "aria-label": "symmetric uncertainty" },
    svgEl("rect", { class: "track", x: 0, y: 0, width: 100, height: 8 }),
    svgEl("rect", { x: 0, y: 0, width: (100 * su).toFixed(1), height: 8 }));
  const row = el("tr", null,
    el("td", null, String(i + 1)),
    el("td", { class: "feature" }, r.feature),
    el("td", { class: "mi" }, (r.exact ? "" : "≈") + fmt(r.mutualInformation, 4)),
    el("td", null, fmt(r.mutualInformationStandardError, 4)),
    el("td", null, fmt(r.conditionalTargetGivenFeature, 4)),
    el("td", null, fmt(r.symmetricUncertainty)),
    el("td", null, fmt(r.gainRatio)),
    el("td", null, String(r.count)),
    el("td", null, bar));
  row.dataset.feature = r.feature; // set as a property: never parsed
  row.title = `${r.x},${r.y} (${unit})`;
  return row;
}

async function renderRanking(series) {
  const section = $("ranking");
  const targets = targetsOf(series);
  if (targets.length === 0) {
    section.hidden = true;
    $("ranking-rows").replaceChildren();
    return;
  }
  const select = $("target");
  if ([...select.options].map((o) => o.value).join("\u0000") !== targets.join("\u0000")) {
    select.replaceChildren(...targets.map((t) => { const option = el("option", null, t); option.value = t; return option; }));
  }
  if (!state.target || !targets.includes(state.target)) state.target = targets[0];
  select.value = state.target;
  const ranking = await getJson(`/api/ranking?window=${encodeURIComponent(state.window)}&target=${encodeURIComponent(state.target)}`);
  const w = ranking.windows.find((x) => x.window === state.window);
  $("ranking-rows").replaceChildren(...(w ? w.features : []).map((r, i) => rankingRow(r, i, ranking.unit)));
  section.hidden = false;
}

async function refresh() {
  try {
    const all = await getJson("/api/entropy/history");
    const windows = [...new Set(all.series.map((s) => s.window))];
    if (windows.join("\u0000") !== state.windows.join("\u0000")) {
      state.windows = windows;
      const select = $("window");
      select.replaceChildren(...windows.map((w) => { const option = el("option", null, w); option.value = w; return option; }));
      if (!state.window || !windows.includes(state.window)) state.window = windows[0] ?? null;
      select.value = state.window ?? "";
    }
    state.alerts = await getJson("/api/alerts");
    const series = all.series.filter((s) => s.window === state.window);
    render({ unit: all.unit, series });
    await renderRanking(series);
    $("status").textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    $("status").textContent = `error: ${e.message}`;
  }
}

$("window").addEventListener("change", (e) => { state.window = e.target.value; refresh(); });
$("target").addEventListener("change", (e) => { state.target = e.target.value; refresh(); });
refresh();
setInterval(refresh, 2000);
