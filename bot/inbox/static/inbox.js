/*
 * The concierge inbox's live updates (plain JS, no build step, strict CSP).
 *
 * Pages are rendered on the server and work without this file. With it:
 *  - the queue refreshes itself when the live socket (/inbox/ws) says something changed;
 *  - a handoff or an escalation alerts the agent: a notice, a sound, a desktop notification
 *    (once they allowed it), and the number waiting in the tab title;
 *  - an open conversation receives new messages as they are recorded;
 *  - replies and notes are sent with fetch (X-CSRF-Token header), without a reload;
 *  - typing "/code " expands a canned reply.
 * Text from customers (or anyone) is only ever put on the page with textContent, or inside
 * HTML the server rendered with autoescaping (the queue's sections).
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

  // The queue's sections are rendered by the server (queue_sections.html, autoescaped, the
  // page's own filters) and swapped in whole: parsed by DOMParser, which runs no script.
  var queueState = { busy: false, again: false };
  function refreshQueue() {
    if (PAGE !== "queue") return;
    if (queueState.busy) { queueState.again = true; return; }
    queueState.busy = true;
    fetch("/inbox/queue/sections" + location.search, {
      headers: { "Accept": "text/html" }, credentials: "same-origin", cache: "no-store"
    }).then(function (res) {
      if (res.status === 401) { location.assign("/inbox/login"); throw new Error("signed out"); }
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("queue-sections");
      var current = document.getElementById("queue-sections");
      if (fresh && current) current.replaceWith(document.importNode(fresh, true));
    }).catch(function () { /* the next event or tick retries */ })
      .then(function () {
        queueState.busy = false;
        if (queueState.again) { queueState.again = false; refreshQueue(); }
      });
  }

  // ----------------------------------------------------------------- alerts

  var BASE_TITLE = document.title;
  var alerted = new Set();      // alert keys this page has announced
  var audio = null;

  function showWaiting(count) {
    if (typeof count !== "number") return;
    document.title = count > 0 ? "(" + count + ") " + BASE_TITLE : BASE_TITLE;
  }

  function chime() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      audio = audio || new Context();
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      var now = audio.currentTime;
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, now);
      gain.gain.exponentialRampToValueAtTime(0.2, now + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.5);
      tone.connect(gain);
      gain.connect(audio.destination);
      tone.start(now);
      tone.stop(now + 0.55);
    } catch (e) { /* no sound: the notice and the title still say it */ }
  }

  function alertWords(a) {
    var who = a.customer || "A customer";
    var lead = a.kind === "escalation" ? "Overdue: " + who + " is still waiting" : who + " is waiting";
    var why = [a.reason, a.topic ? "topic: " + a.topic : "", a.team ? "team: " + a.team : ""]
      .filter(Boolean).join(" · ");
    return { title: lead, body: why };
  }

  function onAlert(frame) {
    var a = frame.alert;
    if (!a || alerted.has(a.key)) return;
    alerted.add(a.key);
    var words = alertWords(a);
    var notice = document.getElementById("alert-notice");
    if (notice) {
      notice.textContent = words.title + (words.body ? " — " + words.body : "");
      notice.setAttribute("data-kind", a.kind);
      notice.hidden = false;
    }
    chime();
    if (typeof Notification === "function" && Notification.permission === "granted") {
      try {
        var shown = new Notification(words.title, { body: words.body, tag: a.key });
        shown.onclick = function () {
          window.focus();
          location.assign("/inbox/conversations/" + encodeURIComponent(a.conversation_id));
        };
      } catch (e) { /* some browsers allow notifications only from a service worker */ }
    }
  }

  function setupAlertsToggle() {
    var toggle = document.getElementById("alerts-toggle");
    if (!toggle || typeof Notification !== "function" || Notification.permission !== "default") return;
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var asked = Notification.requestPermission(function () { toggle.hidden = true; });
      if (asked && typeof asked.then === "function") asked.then(function () { toggle.hidden = true; });
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
      var who = frame.agent_id === null || frame.agent_id === undefined
        ? "This conversation changed" : "A colleague changed this conversation";
      showLiveNotice(who + " (" + (HOLDER_WORDS[frame.holder] || frame.holder) +
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
      if (typeof frame.waiting === "number") showWaiting(frame.waiting);
      if (frame.type === "hello") {
        live.attempt = 0;
        setStatus("on", "Live");
        if (CONVERSATION_ID) {
          ws.send(JSON.stringify({ type: "watch", conversation_id: CONVERSATION_ID }));
          catchUp();                           // whatever came while we were away
        }
        if (PAGE === "queue") refreshQueue();
      } else if (frame.type === "alert") {
        onAlert(frame);
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
    setupAlertsToggle();
    if (PAGE === "queue") setInterval(refreshQueue, 30000);   // waits change colour with time
    if (typeof WebSocket === "function") connect();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
