// StreamEntropy live page: polls the worker's JSON API and draws SVG charts. No external assets.
"use strict";
const state = { window: null, windows: [], alerts: { active: [], recent: [], drift: [] } };
const $ = (id) => document.getElementById(id);
const fmt = (v, digits = 3) => (v === null || v === undefined || Number.isNaN(v)) ? "–" : Number(v).toFixed(digits);

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
  if (points.length < 2 || values.length === 0) {
    return `<svg viewBox="0 0 ${w} ${h}" role="img" aria-label="chart"><text class="axis" x="4" y="48">collecting points…</text></svg>`;
  }
  let lo = Math.min(...values), hi = Math.max(...values);
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  const x = (i) => pad + (w - 2 * pad) * i / (points.length - 1);
  const y = (v) => h - pad - (h - 2 * pad) * (v - lo) / (hi - lo);
  const line = (k) => points.map((p, i) => (p[k] === null || p[k] === undefined) ? "" : `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(p[k]).toFixed(1)}`).join(" ").replace(/^ *L/, "M");
  let band = "";
  if (seKey) {
    const upper = points.map((p, i) => `${x(i).toFixed(1)},${y((p[key] ?? 0) + 2 * (p[seKey] ?? 0)).toFixed(1)}`);
    const lower = points.map((p, i) => `${x(i).toFixed(1)},${y(Math.max(0, (p[key] ?? 0) - 2 * (p[seKey] ?? 0))).toFixed(1)}`).reverse(); // entropy is never negative
    band = `<polygon class="band" points="${upper.concat(lower).join(" ")}"/>`;
  }
  const second = secondKey ? `<path class="mi" d="${line(secondKey)}"/>` : "";
  return `<svg viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" role="img" aria-label="chart">${band}<path class="line" d="${line(key)}"/>${second}` +
    `<text class="axis" x="${w - 2}" y="10" text-anchor="end">${fmt(hi, 2)}</text><text class="axis" x="${w - 2}" y="${h - 2}" text-anchor="end">${fmt(lo, 2)}</text></svg>`;
}

function driftFor(kind, subject) {
  return state.alerts.drift.find((d) => d.window === state.window && d[kind] === subject);
}

function alertFor(subject) {
  return state.alerts.active.find((a) => a.window === state.window && (a.field === subject || (a.pair && `${a.pair.x},${a.pair.y}` === subject)));
}

function badge(subject) {
  const alert = alertFor(subject);
  if (alert) return `<span class="badge raised" title="${alert.rule}: ${alert.metric} = ${fmt(alert.value)}">ALERT ${alert.rule}</span>`;
  return `<span class="badge ok">ok</span>`;
}

function driftLine(kind, subject) {
  const d = driftFor(kind, subject);
  if (!d) return `<div class="drift">drift: no reference yet</div>`;
  const mi = kind === "pair" ? ` · ΔI ${fmt(d.mutualInformationChange)}` : "";
  return `<div class="drift">drift: PSI ${fmt(d.psi)} · JS ${fmt(d.jensenShannon, 4)} · G −log₁₀p ${fmt(d.gTestLog10P, 1)}${mi}</div>`;
}

function render(history) {
  $("unit").textContent = history.unit;
  const fields = [], pairs = [];
  for (const s of history.series) {
    const last = s.points[s.points.length - 1] || {};
    if (s.field !== undefined) {
      const alerting = alertFor(s.field) ? " alerting" : "";
      fields.push(`<div class="card${alerting}" data-field="${s.field}"><h3>${s.field} ${badge(s.field)}</h3>` +
        `<div class="value">${fmt(last.entropy)} <span class="muted">± ${fmt(last.standardError, 4)}</span></div>` +
        chart(s.points, "entropy", "standardError") + driftLine("field", s.field) + `</div>`);
    } else {
      const alerting = alertFor(s.pair) ? " alerting" : "";
      const [x, y] = s.pair.split(",");
      pairs.push(`<div class="card${alerting}" data-pair="${s.pair}"><h3>${y} | ${x} ${badge(s.pair)}</h3>` +
        `<div class="value">${fmt(last.conditionalYGivenX)} <span class="muted">I ${fmt(last.mutualInformation)} · H(X,Y) ${fmt(last.joint)}</span></div>` +
        chart(s.points, "conditionalYGivenX", null, "mutualInformation") + driftLine("pair", s.pair) + `</div>`);
    }
  }
  $("fields").innerHTML = fields.join("");
  $("pairs").innerHTML = pairs.join("");
  const banner = $("alerts");
  if (state.alerts.active.length > 0) {
    banner.hidden = false;
    banner.innerHTML = `<strong>${state.alerts.active.length} active alert(s)</strong><ul>` +
      state.alerts.active.map((a) => `<li>${a.window} / ${a.field ?? `${a.pair.x},${a.pair.y}`}: ${a.rule} (${a.metric} = ${fmt(a.value)}, threshold ${fmt(a.threshold)})</li>`).join("") + "</ul>";
  } else {
    banner.hidden = true;
  }
}

async function refresh() {
  try {
    const all = await getJson("/api/entropy/history");
    const windows = [...new Set(all.series.map((s) => s.window))];
    if (windows.join() !== state.windows.join()) {
      state.windows = windows;
      const select = $("window");
      select.innerHTML = windows.map((w) => `<option>${w}</option>`).join("");
      if (!state.window || !windows.includes(state.window)) state.window = windows[0] ?? null;
      select.value = state.window ?? "";
    }
    state.alerts = await getJson("/api/alerts");
    render({ unit: all.unit, series: all.series.filter((s) => s.window === state.window) });
    $("status").textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    $("status").textContent = `error: ${e.message}`;
  }
}

$("window").addEventListener("change", (e) => { state.window = e.target.value; refresh(); });
refresh();
setInterval(refresh, 2000);
