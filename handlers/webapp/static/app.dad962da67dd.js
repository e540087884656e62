// The supervisors' Mini App: map, trends, open work and a report's page. Every request sends
// the init data Telegram gave the page; the server decides what this person may see. Texts come
// from the server in the person's language; values are put in as text, never as HTML.
(function () {
  "use strict";

  const root = document.getElementById("app");
  const base = root.dataset.static.replace(/\/static$/, "");
  const CATEGORY_COLOURS = {
    firearms: "#c0392b",
    ammunition: "#d68910",
    explosives: "#7d3c98",
    mixed: "#2471a3",
    other: "#566573",
  };
  const state = { me: null, filters: {}, map: null, charts: [] };

  // Telegram puts the signed init data in the address's fragment when it opens the page.
  function initData() {
    const launch = new URLSearchParams(location.hash.slice(1)).get("tgWebAppData");
    if (launch) sessionStorage.setItem("initData", launch);
    return sessionStorage.getItem("initData") || "";
  }

  // Tells the Telegram app the page is ready and may fill the screen (its postEvent protocol).
  function telegramEvent(type) {
    const payload = JSON.stringify({ eventType: type, eventData: {} });
    if (window.TelegramWebviewProxy) window.TelegramWebviewProxy.postEvent(type, "{}");
    else if (window.parent !== window) window.parent.postMessage(payload, "*");
  }

  async function api(path, options) {
    const response = await fetch(base + "/api/" + path, {
      ...(options || {}),
      headers: { Authorization: "tma " + initData(), "Content-Type": "application/json" },
    });
    if (path.includes("/photos/")) {
      if (!response.ok) throw new Error(String(response.status));
      return response.blob();
    }
    const body = await response.json();
    if (!response.ok) {
      const error = new Error(body.error || String(response.status));
      error.status = response.status;
      throw error;
    }
    return body;
  }

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "onclick") node.addEventListener("click", value);
      else if (value !== null && value !== undefined) node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
  }

  const t = (key) => state.me.texts[key];

  function refusal(message) {
    root.replaceChildren(el("div", { class: "refusal", "data-testid": "refusal" }, message));
  }

  function query(extra) {
    const params = new URLSearchParams({ ...state.filters, ...(extra || {}) });
    for (const [name, value] of [...params]) if (value === "") params.delete(name);
    return params.toString();
  }

  function filterBar(withGrouping) {
    const unit = el("select", { name: "unit" }, el("option", { value: "" }, t("all_units")));
    for (const choice of state.me.units) unit.append(el("option", { value: choice.id }, choice.name));
    const category = el("select", { name: "category" }, el("option", { value: "" }, t("all_categories")));
    for (const choice of state.me.categories) category.append(el("option", { value: choice.code }, choice.name));
    const group = el(
      "select",
      { name: "group" },
      el("option", { value: "week" }, t("by_week")),
      el("option", { value: "month" }, t("by_month")),
    );
    const start = el("input", { type: "date", name: "start" });
    const end = el("input", { type: "date", name: "end" });
    const exercise = el("input", { type: "checkbox", name: "exercise" });
    const fields = { unit, category, group, start, end };
    for (const [name, field] of Object.entries(fields)) field.value = state.filters[name] || field.value;
    exercise.checked = state.filters.exercise === "1";
    const form = el(
      "form",
      { class: "filters" },
      el("label", {}, t("from"), start),
      el("label", {}, t("to"), end),
      unit,
      category,
      withGrouping ? group : null,
      el("label", { class: "check" }, exercise, t("exercise")),
      el("button", { type: "submit" }, t("apply")),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      for (const [name, field] of Object.entries(fields)) state.filters[name] = field.value;
      state.filters.exercise = exercise.checked ? "1" : "";
      route();
    });
    return form;
  }

  function tabs(current) {
    const nav = el("nav", { class: "tabs" });
    for (const name of ["map", "trends", "work"]) {
      nav.append(
        el("a", { href: "#" + name, class: name === current ? "current" : "", "data-tab": name }, t(name)),
      );
    }
    return nav;
  }

  function page(current, ...content) {
    state.charts.forEach((chart) => chart.destroy());
    state.charts = [];
    if (state.map) {
      state.map.remove();
      state.map = null;
    }
    root.replaceChildren(tabs(current), ...content.filter(Boolean));
  }

  function shown(error) {
    return el("div", { class: "refusal", "data-testid": "refusal" }, error.message);
  }

  function reportLink(row, text) {
    return el("a", { href: "#report/" + row.id, class: "report-link", "data-report": row.id }, text);
  }

  async function showMap() {
    const area = el("div", { id: "map", "data-testid": "map" });
    const summary = el("p", { class: "summary", "data-testid": "map-summary" });
    const unplaced = el("div", { class: "unplaced" });
    const wanted = new URLSearchParams(location.search).get("report");
    const back = wanted ? el("div", { class: "back-to-report" }) : null;
    page("map", filterBar(false), back, area, summary, unplaced);
    let data;
    try {
      data = await api("map?" + query());
    } catch (error) {
      area.replaceWith(shown(error));
      return;
    }
    // Without tiles nothing sets the zoom range, and the clusters need one.
    const map = L.map(area, { zoomSnap: 0.25, minZoom: 5, maxZoom: 18, attributionControl: Boolean(state.me.tiles_url) });
    state.map = map;
    if (state.me.tiles_url) L.tileLayer(state.me.tiles_url, { maxZoom: 18 }).addTo(map);
    const outline = await fetch(base + "/static/" + root.dataset.geojson).then((r) => r.json());
    const shapes = L.geoJSON(outline, {
      style: (feature) =>
        feature.properties.kind === "country"
          ? { color: "#1b4f72", weight: 2.5, fill: false }
          : { color: "#5d6d7e", weight: 1, fillColor: "#eaf2f8", fillOpacity: 0.6 },
    }).addTo(map);
    map.fitBounds(shapes.getBounds());
    const clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
    for (const point of data.points.rows) {
      // Only our own constants and a number go into the icon's HTML.
      const icon = L.divIcon({
        className: "seizure" + (point.urgent ? " urgent" : ""),
        html: `<span data-report="${Number(point.id)}" style="background:${CATEGORY_COLOURS[point.category]}"></span>`,
        iconSize: point.urgent ? [22, 22] : [16, 16],
      });
      const marker = L.marker([point.lat, point.lon], { icon, title: point.number });
      const popup = el(
        "div",
        { class: "popup" },
        el("b", {}, point.number),
        point.urgent ? el("span", { class: "urgent-mark" }, " ⚠ " + t("urgent")) : null,
        el("div", {}, point.category_name + " · " + point.occurred),
        el("div", {}, point.place),
        reportLink(point, t("open_report")),
      );
      marker.bindPopup(popup);
      clusters.addLayer(marker);
      if (String(point.id) === wanted) {
        back.append(reportLink(point, format(t("back_to_report"), { number: point.number })));
        map.setView([point.lat, point.lon], 10);
      }
    }
    map.addLayer(clusters);
    if (back && !back.childElementCount && /^\d+$/.test(wanted)) {
      back.append(reportLink({ id: wanted }, t("open_report")));
    }
    summary.textContent = format(t("shown_of"), {
      shown: data.points.rows.length,
      total: data.points.total,
    });
    unplaced.append(el("h3", {}, format(t("unplaced"), { count: data.unplaced.total })));
    const list = el("ul", { class: "rows" });
    for (const row of data.unplaced.rows) {
      list.append(el("li", {}, reportLink(row, row.number), " · " + row.category_name + " · " + row.place));
    }
    unplaced.append(list);
  }

  function chartBox(title, testid) {
    const canvas = el("canvas");
    return [el("section", { class: "card", "data-testid": testid }, el("h3", {}, title), el("div", { class: "chart" }, canvas)), canvas];
  }

  function chart(canvas, config) {
    config.options = { responsive: true, maintainAspectRatio: false, animation: false, ...(config.options || {}) };
    state.charts.push(new Chart(canvas, config));
  }

  async function showTrends() {
    const body = el("div", { class: "trends" });
    page("trends", filterBar(true), body);
    let data;
    try {
      data = await api("trends?" + query());
    } catch (error) {
      body.replaceWith(shown(error));
      return;
    }
    body.append(el("p", { class: "summary", "data-testid": "seizure-count" }, format(t("seizures"), { count: data.seizures })));
    const [categoryBox, categoryCanvas] = chartBox(t("by_category"), "by-category");
    const [unitBox, unitCanvas] = chartBox(t("by_unit"), "by-unit");
    const [kindBox, kindCanvas] = chartBox(t("items_by_kind"), "items-by-kind");
    const [calibreBox, calibreCanvas] = chartBox(t("top_calibres"), "top-calibres");
    const tracing = data.tracing;
    const figures = el("dl", { class: "figures", "data-testid": "tracing" });
    for (const [key, value] of [
      ["firearms", tracing.firearms],
      ["traces_sent", tracing.sent],
      ["traces_answered", tracing.answered],
      ["origin_established", tracing.established],
      ["answered_share", tracing.answered_share],
      ["established_share", tracing.established_share],
    ]) {
      figures.append(el("dt", {}, t(key)), el("dd", { "data-figure": key }, value));
    }
    body.append(categoryBox, unitBox, kindBox, calibreBox, el("section", { class: "card" }, el("h3", {}, t("tracing")), figures));
    chart(categoryCanvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.by_category.map((series) => ({
          label: series.name,
          data: series.counts,
          backgroundColor: CATEGORY_COLOURS[series.category],
        })),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } },
    });
    const bars = (canvas, rows, label) =>
      chart(canvas, {
        type: "bar",
        data: {
          labels: rows.map(label),
          datasets: [{ data: rows.map((row) => row.count), backgroundColor: "#2471a3" }],
        },
        options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { ticks: { precision: 0 } } } },
      });
    bars(unitCanvas, data.by_unit, (row) => row.unit);
    bars(kindCanvas, data.items_by_kind, (row) => row.name);
    bars(calibreCanvas, data.top_calibres, (row) => row.calibre);
  }

  async function workList(which, into, pageNumber) {
    const data = await api("work?" + query({ list: which, page: pageNumber }));
    const list = into.querySelector("ul");
    for (const row of data.rows) {
      list.append(
        el(
          "li",
          { class: row.urgent ? "urgent-row" : "" },
          reportLink(row, row.number),
          " · " + (row.text || row.category_name + " · " + row.unit),
          el("span", { class: "age" }, row.age),
        ),
      );
    }
    into.querySelector("h3 .count").textContent = data.total;
    if (!data.total) list.append(el("li", { class: "empty" }, t("nothing")));
    const more = into.querySelector("button");
    if (more) more.remove();
    if (data.more) into.append(el("button", { class: "more", onclick: () => workList(which, into, pageNumber + 1) }, t("more")));
  }

  async function showWork() {
    const body = el("div", { class: "work" });
    page("work", body);
    try {
      for (const which of ["awaiting", "returned", "handovers", "traces", "links"]) {
        const section = el(
          "section",
          { class: "card", "data-testid": "work-" + which },
          el("h3", {}, t(which) + " ", el("span", { class: "count" })),
          el("ul", { class: "rows" }),
        );
        body.append(section);
        await workList(which, section, 0);
      }
    } catch (error) {
      body.replaceWith(shown(error));
    }
  }

  function rows(pairs) {
    const list = el("dl", { class: "fields" });
    for (const pair of pairs) list.append(el("dt", {}, pair.label), el("dd", {}, pair.value));
    return list;
  }

  async function showReport(id) {
    const body = el("div", { class: "report", "data-testid": "report" });
    page("", body);
    let report;
    try {
      report = await api("reports/" + id);
    } catch (error) {
      body.replaceWith(shown(error));
      return;
    }
    const notice = el("div", { class: "notice", "data-testid": "notice" });
    const actions = el("div", { class: "actions" });
    const decide = async (path, payload) => {
      try {
        await api("reports/" + id + "/" + path, { method: "POST", body: JSON.stringify({ revision: report.revision, ...payload }) });
        route();
      } catch (error) {
        notice.textContent = error.message;
      }
    };
    if (report.can_decide) {
      actions.append(
        el("button", { class: "primary", "data-action": "acknowledge", onclick: () => decide("acknowledge", {}) }, t("acknowledge")),
        el("button", {
          "data-action": "return",
          onclick: () => {
            const comment = el("textarea", { rows: 3 });
            actions.replaceChildren(
              el("label", {}, t("comment"), comment),
              el("button", { class: "primary", onclick: () => decide("return", { comment: comment.value }) }, t("send")),
              el("button", { onclick: () => route() }, t("cancel")),
            );
          },
        }, t("return")),
      );
    }
    actions.append(
      el("button", {
        "data-action": "pdf",
        onclick: async () => {
          try {
            notice.textContent = (await api("reports/" + id + "/pdf", { method: "POST", body: "{}" })).message;
          } catch (error) {
            notice.textContent = error.message;
          }
        },
      }, t("pdf")),
    );
    const photos = el("div", { class: "photos" });
    for (const photo of report.photos) {
      const image = el("img", { alt: "" });
      photos.append(image);
      api("reports/" + id + "/photos/" + photo).then((blob) => (image.src = URL.createObjectURL(blob)));
    }
    const items = el("ol", { class: "items" });
    for (const item of report.items) items.append(el("li", {}, item.text + (item.quantity ? " × " + item.quantity : "")));
    const custody = el("ul", { class: "rows" });
    for (const line of report.custody) {
      custody.append(el("li", {}, [line.period, line.items, line.holder, line.seal, line.status].filter(Boolean).join(" · ")));
    }
    const history = el("ul", { class: "rows" });
    for (const entry of report.history) {
      history.append(el("li", {}, [entry.when, entry.who, entry.what, entry.comment].filter(Boolean).join(" · ")));
    }
    body.append(
      el("a", { href: "#map", class: "back" }, t("back")),
      el("h2", { "data-testid": "report-title" }, report.title, report.urgent ? el("span", { class: "urgent-mark" }, " ⚠ " + t("urgent")) : null),
      el("p", { class: "status", "data-testid": "report-status" }, report.status_name),
      actions,
      notice,
      rows(report.fields),
      report.items.length ? el("h3", {}, t("items")) : null,
      items,
      report.photos.length ? el("h3", {}, t("photos")) : null,
      photos,
      report.custody.length ? el("h3", {}, t("custody")) : null,
      custody,
      el("h3", {}, t("history")),
      history,
    );
  }

  function route() {
    const hash = location.hash.startsWith("#tgWebAppData") ? "" : location.hash.slice(1);
    const [name, id] = hash.split("/");
    if (name === "report" && /^\d+$/.test(id)) return showReport(id);
    if (name === "trends") return showTrends();
    if (name === "work") return showWork();
    return showMap();
  }

  async function start() {
    initData();
    telegramEvent("web_app_ready");
    telegramEvent("web_app_expand");
    try {
      state.me = await api("me");
    } catch (error) {
      refusal(error.message);
      return;
    }
    document.documentElement.lang = state.me.language;
    state.filters = { start: state.me.period.start, end: state.me.period.end };
    window.addEventListener("hashchange", route);
    route();
  }

  start();
})();
