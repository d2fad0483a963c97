/*
 * The concierge inbox's live updates (plain JS, no build step, strict CSP).
 *
 * Pages are rendered on the server and work without this file. With it:
 *  - the queue refreshes itself when the live socket (/inbox/ws) says something changed;
 *  - an open conversation receives new messages as they are recorded;
 *  - replies and notes are sent with fetch (X-CSRF-Token header), without a reload;
 *  - typing "/code " expands a canned reply.
 * Text from customers (or anyone) is only ever put on the page with textContent.
 */
(function () {
  "use strict";

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  if (!csrfMeta) return;                       // the sign-in page: nothing live
  var CSRF = csrfMeta.getAttribute("content");
  var ME = Number(document.body.getAttribute("data-agent-id"));
  var PAGE = document.body.getAttribute("data-page");
  var SESSION_ENDED = 4401;

  // ---------------------------------------------------------------- helpers

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // The same form as the server's `when` filter: "2026-05-04 14:02 UTC".
  function when(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) +
      " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + " UTC";
  }

  function age(iso) {
    var minutes = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 60000));
    if (minutes < 60) return minutes + " min";
    var hours = Math.floor(minutes / 60);
    if (hours < 48) return hours + " h " + (minutes % 60) + " min";
    return Math.floor(hours / 24) + " days";
  }

  function getJson(url) {
    return fetch(url, {
      headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store"
    }).then(function (res) {
      if (res.status === 401) { location.assign("/inbox/login"); throw new Error("signed out"); }
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.json();
    });
  }

  function postForm(url, fields) {
    return fetch(url, {
      method: "POST",
      headers: {
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRF-Token": CSRF
      },
      body: new URLSearchParams(fields).toString(),
      credentials: "same-origin"
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        return { ok: res.ok, status: res.status, data: data };
      });
    });
  }

  function showLiveNotice(text) {
    var notice = document.getElementById("live-notice");
    if (!notice) return;
    notice.textContent = text;
    notice.hidden = false;
  }

  // ------------------------------------------------------------------ queue

  function queueRow(row, section) {
    var tr = el("tr");
    tr.setAttribute("data-id", String(row.id));
    var who = el("td");
    var link = el("a", "row-link", row.customer);
    link.href = "/inbox/conversations/" + encodeURIComponent(row.id);
    who.appendChild(link);
    who.appendChild(document.createTextNode(" "));
    who.appendChild(el("span", row.verified ? "badge badge--ok" : "badge",
      row.verified ? "verified" : "not verified"));
    tr.appendChild(who);
    tr.appendChild(el("td", "", row.channel));
    var third = el("td");
    if (section === "waiting") {
      var t = el("time", "age", when(row.waiting_since));
      t.setAttribute("datetime", row.waiting_since || "");
      third.appendChild(t);
    } else if (section === "colleagues") {
      third.textContent = row.assignee || "";
    } else {
      third.textContent = when(row.last_message_at);
    }
    tr.appendChild(third);
    tr.appendChild(el("td", "", row.reason));
    var preview = el("td", "preview");
    preview.appendChild(el("span", "preview__who", row.preview_author));
    preview.appendChild(document.createTextNode(" " + row.preview));
    tr.appendChild(preview);
    return tr;
  }

  function renderQueue(data) {
    Object.keys(data).forEach(function (section) {
      var body = document.getElementById("queue-" + section);
      if (!body) return;
      var rows = data[section];
      var fresh = document.createDocumentFragment();
      rows.forEach(function (row) { fresh.appendChild(queueRow(row, section)); });
      if (!rows.length) {
        var empty = el("tr", "empty");
        var cell = el("td", "", body.getAttribute("data-empty"));
        cell.colSpan = 5;
        empty.appendChild(cell);
        fresh.appendChild(empty);
      }
      body.replaceChildren(fresh);
      var count = document.querySelector('[data-count-for="' + section + '"]');
      if (count) count.textContent = String(rows.length);
    });
    refreshAges();
  }

  function refreshAges() {
    Array.prototype.forEach.call(document.querySelectorAll("time.age"), function (t) {
      var iso = t.getAttribute("datetime");
      if (iso) t.textContent = "waiting " + age(iso) + " (since " + when(iso) + ")";
    });
  }

  // One refresh at a time; changes that arrive meanwhile cause one more, not many.
  var queueState = { busy: false, again: false };
  function refreshQueue() {
    if (queueState.busy) { queueState.again = true; return; }
    queueState.busy = true;
    getJson("/inbox/api/queue").then(renderQueue).catch(function () { /* next event retries */ })
      .then(function () {
        queueState.busy = false;
        if (queueState.again) { queueState.again = false; refreshQueue(); }
      });
  }

  // ----------------------------------------------------------- conversation

  var conversationEl = document.querySelector(".conversation");
  var CONVERSATION_ID = conversationEl ? Number(conversationEl.getAttribute("data-conversation-id")) : null;
  var transcript = document.getElementById("transcript");

  function lastId() {
    var items = transcript ? transcript.querySelectorAll("li[data-id]") : [];
    return items.length ? Number(items[items.length - 1].getAttribute("data-id")) : 0;
  }

  function renderLine(m) {
    var li = el("li", "msg msg--" + m.author + (m.private ? " msg--note" : ""));
    li.setAttribute("data-id", String(m.id));
    var meta = el("p", "msg__meta");
    meta.appendChild(el("span", "msg__who", m.label + (m.private ? " · private note" : "")));
    meta.appendChild(document.createTextNode(" "));
    var time = el("time", "", when(m.at));
    time.setAttribute("datetime", m.at);
    meta.appendChild(time);
    li.appendChild(meta);
    li.appendChild(el("p", "msg__text", m.text));
    if (m.buttons && m.buttons.length) {
      var chips = el("p", "msg__buttons");
      m.buttons.forEach(function (title) { chips.appendChild(el("span", "chip", title)); });
      li.appendChild(chips);
    }
    if (m.delivery === "failed") {
      li.appendChild(el("p", "msg__delivery msg__delivery--failed",
        "Not delivered: " + (m.delivery_error || "unknown error")));
    }
    return li;
  }

  function addLines(lines) {
    if (!transcript) return;
    lines.forEach(function (m) {
      if (transcript.querySelector('li[data-id="' + Number(m.id) + '"]')) return;  // seen
      transcript.appendChild(renderLine(m));
    });
    transcript.lastElementChild && transcript.lastElementChild.scrollIntoView({ block: "nearest" });
  }

  function catchUp() {
    if (!CONVERSATION_ID) return;
    getJson("/inbox/api/conversations/" + CONVERSATION_ID + "/messages?after=" + lastId())
      .then(function (data) { addLines(data.messages || []); })
      .catch(function () { /* the socket's next reconnect tries again */ });
  }

  var HOLDER_WORDS = {
    waiting: "Waiting for a person",
    agent: "Held by an agent",
    resolved: "Resolved: the assistant answers again",
    bot: "The assistant is answering"
  };

  function onConversationChanged(frame) {
    if (frame.conversation_id !== CONVERSATION_ID) return;
    var status = document.getElementById("holder-status");
    if (status && HOLDER_WORDS[frame.holder]) status.textContent = HOLDER_WORDS[frame.holder];
    conversationEl.setAttribute("data-holder", frame.holder);
    if (frame.agent_id !== ME) {
      showLiveNotice("A colleague changed this conversation (" + (HOLDER_WORDS[frame.holder] || frame.holder) +
        "). Reload the page to see what you can do now.");
    }
  }

  // ---------------------------------------------------------------- composer

  var canned = {};
  var cannedData = document.getElementById("canned-data");
  if (cannedData) {
    try { canned = JSON.parse(cannedData.textContent || "{}") || {}; } catch (e) { canned = {}; }
  }

  function expandCanned(textarea) {
    // "/thanks " (a code and a space) becomes the canned text; unknown codes stay as typed.
    var match = /^\/([A-Za-z0-9_-]{1,32})\s$/.exec(textarea.value);
    if (!match) return;
    var text = canned[match[1].toLowerCase()];
    if (typeof text === "string") textarea.value = text;
  }

  function setupComposer() {
    var form = document.getElementById("composer");
    if (!form) return;
    var textarea = document.getElementById("composer-text");
    var error = document.getElementById("composer-error");
    textarea.addEventListener("input", function () { expandCanned(textarea); });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        var send = document.getElementById("send-reply") || document.getElementById("add-note");
        if (send) send.click();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = event.submitter;
      var url = (button && button.getAttribute("formaction")) || form.getAttribute("action");
      var text = textarea.value;
      if (!text.trim()) return;
      error.hidden = true;
      Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
      postForm(url, { text: text }).then(function (result) {
        if (result.ok) {
          textarea.value = "";
          catchUp();                             // in case the socket is down
        } else {
          error.textContent = (result.data && result.data.error) || "Not sent: please try again.";
          error.hidden = false;
        }
      }).catch(function () {
        error.textContent = "Not sent: the connection was lost. Please try again.";
        error.hidden = false;
      }).then(function () {
        Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = false; });
      });
    });
  }

  // ------------------------------------------------------------ live socket

  var live = { socket: null, attempt: 0, timer: null };

  function setStatus(state, text) {
    var status = document.getElementById("live-status");
    if (!status) return;
    status.setAttribute("data-state", state);
    status.textContent = text;
  }

  function connect() {
    live.timer = null;
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    var ws = new WebSocket(scheme + "//" + location.host + "/inbox/ws");
    live.socket = ws;
    setStatus("connecting", "Connecting…");
    ws.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (!frame || typeof frame !== "object") return;
      if (frame.type === "hello") {
        live.attempt = 0;
        setStatus("on", "Live");
        if (CONVERSATION_ID) {
          ws.send(JSON.stringify({ type: "watch", conversation_id: CONVERSATION_ID }));
          catchUp();                           // whatever came while we were away
        }
        if (PAGE === "queue") refreshQueue();
      } else if (frame.type === "queue") {
        if (PAGE === "queue") refreshQueue();
      } else if (frame.type === "conversation") {
        if (PAGE === "queue") refreshQueue();
        onConversationChanged(frame);
      } else if (frame.type === "message" && frame.conversation_id === CONVERSATION_ID) {
        addLines([frame.message]);
      }
    };
    ws.onclose = function (event) {
      if (live.socket !== ws) return;
      live.socket = null;
      if (event.code === SESSION_ENDED) { location.assign("/inbox/login"); return; }
      setStatus("off", "Offline, reconnecting…");
      var ceiling = Math.min(30000, 1000 * Math.pow(2, live.attempt));
      live.attempt = Math.min(live.attempt + 1, 10);
      live.timer = setTimeout(connect, ceiling / 2 + Math.random() * ceiling / 2);
    };
  }

  function init() {
    setupComposer();
    refreshAges();
    setInterval(refreshAges, 30000);
    if (typeof WebSocket === "function") connect();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
