/*
 * Web chat client for the Maison's concierge (demo).
 *
 * Plain JS, no framework, no build step. Works under a strict CSP
 * (no inline script/style, no eval). Message text is only ever put into the
 * page with textContent / text nodes, never parsed as HTML.
 *
 * Talks to:
 *   POST /api/chat  {"session_id", "text"} -> {"replies": [{"text", "buttons"?}]}
 *   WS   /api/chat/<session_id>/ws          -> {"type": "message", "message": {...}}
 *                                             {"type": "status", "status": {...}}
 *        (optional: the chat works fully without it)
 *   POST /api/chat/leave {"session_id"}      (the customer starts a new conversation while
 *        a person has this one or is about to: asked first, then the agent is told)
 */
(function () {
  "use strict";

  var API_CHAT = "/api/chat";
  var MAX_LEN = 2000;
  var COUNTER_FROM = 1800;          // show the character counter from here on
  var REQUEST_TIMEOUT_MS = 60000;
  var MAX_STORED_MESSAGES = 200;
  var LIVE_MAX_DELAY_MS = 60000;    // WebSocket reconnect backoff ceiling
  var LIVE_STABLE_MS = 5000;        // a socket open this long resets the backoff

  var KEY_SESSION = "maison.webchat.session";
  var KEY_TRANSCRIPT = "maison.webchat.transcript.";   // + session id
  var KEY_DRAFT = "maison.webchat.draft.";             // + session id

  // ---------------------------------------------------------------- storage

  // localStorage can be missing or throw (privacy modes, full quota): the chat
  // must keep working, so every access goes through these guarded helpers.
  function storageGet(area, key) {
    try { return window[area].getItem(key); } catch (e) { return null; }
  }
  function storageSet(area, key, value) {
    try { window[area].setItem(key, value); } catch (e) { /* ignore */ }
  }
  function storageRemove(area, key) {
    try { window[area].removeItem(key); } catch (e) { /* ignore */ }
  }

  function newSessionId() {
    var c = window.crypto;
    // randomUUID only exists in secure contexts (https, localhost).
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    var bytes = new Uint8Array(16);
    if (c && typeof c.getRandomValues === "function") {
      c.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    return Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function loadSessionId() {
    var id = storageGet("localStorage", KEY_SESSION);
    if (id && /^[A-Za-z0-9-]{8,64}$/.test(id)) return id;
    id = newSessionId();
    storageSet("localStorage", KEY_SESSION, id);
    return id;
  }

  // ------------------------------------------------------------------ state

  var state = {
    sessionId: null,
    messages: [],      // {author, text, buttons?, id?, batch?, chosen?}
    batch: 0,          // bumped for each delivery of bot/agent messages
    busy: false,       // a POST /api/chat is in flight
    requestToken: 0,   // lets a reset conversation ignore a stale response
    failed: null,      // last request lost to the network, for "Try again"
    seenIds: new Set(),
    lastEventId: 0,
    status: null,      // where the conversation stands (the socket's status frames)
    unseen: 0          // messages that arrived while scrolled up or away from the tab
  };

  var BASE_TITLE = document.title;

  var elementFor = new WeakMap();   // message object -> its DOM element

  var el = {};

  // ------------------------------------------------------------- rendering

  // URLs (http/https or www.) and e-mail addresses in bot/agent text.
  var LINK_RE = /\bhttps?:\/\/[^\s<>"'`]+|\bwww\.[^\s<>"'`]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

  function countOf(s, ch) { return s.split(ch).length - 1; }

  // "See https://example.com." must not swallow the full stop; a closing
  // bracket is kept only when the link itself opened one.
  function trimTrailingPunctuation(s) {
    var end = s.length;
    while (end > 0) {
      var ch = s.charAt(end - 1);
      var head = s.slice(0, end);
      if (".,;:!?'\"»”’".indexOf(ch) !== -1 ||
          (ch === ")" && countOf(head, "(") < countOf(head, ")")) ||
          (ch === "]" && countOf(head, "[") < countOf(head, "]"))) {
        end--;
      } else {
        break;
      }
    }
    return s.slice(0, end);
  }

  function hrefFor(match) {
    if (match.indexOf("@") !== -1 && !/^(https?:\/\/|www\.)/i.test(match)) return "mailto:" + match;
    var candidate = /^www\./i.test(match) ? "https://" + match : match;
    try {
      var url = new URL(candidate);
      return (url.protocol === "http:" || url.protocol === "https:") ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  // Appends text to parent as text nodes and <a> elements: no HTML parsing.
  function appendLinkified(parent, text) {
    var last = 0;
    var m;
    LINK_RE.lastIndex = 0;
    while ((m = LINK_RE.exec(text)) !== null) {
      var found = trimTrailingPunctuation(m[0]);
      var href = found ? hrefFor(found) : null;
      if (!href) continue;
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var a = document.createElement("a");
      a.href = href;
      a.textContent = found;
      a.rel = "noopener noreferrer";
      if (href.indexOf("mailto:") !== 0) a.target = "_blank";
      parent.appendChild(a);
      last = m.index + found.length;
      LINK_RE.lastIndex = last;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function renderMessage(msg) {
    var div = document.createElement("div");
    div.className = "message message--" + msg.author;
    div.setAttribute("data-author", msg.author);
    if (msg.id !== undefined && msg.id !== null) div.setAttribute("data-id", String(msg.id));

    if (msg.text) {
      var p = document.createElement("p");
      p.className = "message__text";
      if (msg.author === "customer") {
        p.textContent = msg.text;          // customer text: never linkified, never HTML
      } else {
        appendLinkified(p, msg.text);
      }
      div.appendChild(p);
    }

    if (msg.author !== "customer" && msg.buttons && msg.buttons.length) {
      var group = document.createElement("div");
      group.className = "quick-replies";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Suggested replies");
      msg.buttons.forEach(function (button) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "quick-reply";
        b.textContent = button.title;
        b.addEventListener("click", function () { chooseQuickReply(msg, button); });
        group.appendChild(b);
      });
      div.appendChild(group);
    }
    return div;
  }

  // A chip is usable only on the latest delivery of bot messages, until one of
  // its chips is used, and never while a request is in flight.
  function refreshControls() {
    state.messages.forEach(function (msg) {
      if (!msg.buttons || !msg.buttons.length) return;
      var div = elementFor.get(msg);
      if (!div) return;
      var usable = !state.busy && !msg.chosen && msg.batch === state.batch;
      var chips = div.querySelectorAll(".quick-reply");
      Array.prototype.forEach.call(chips, function (chip, i) {
        chip.disabled = !usable;
        chip.classList.toggle("quick-reply--chosen", msg.chosen === msg.buttons[i].title);
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll(".suggestion"), function (s) {
      s.disabled = state.busy;
    });
    el.suggestions.hidden = state.messages.length > 0;
    el.send.disabled = state.busy;
    el.retry.disabled = state.busy;
    el.typing.hidden = !state.busy;
  }

  function isNearBottom() {
    var s = el.scroll;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  function scrollToBottom() {
    el.scroll.scrollTop = el.scroll.scrollHeight;
  }

  function addMessage(msg, options) {
    var follow = (options && options.forceScroll) || isNearBottom();
    if (msg.id !== undefined && msg.id !== null) {
      state.seenIds.add(String(msg.id));
      if (typeof msg.id === "number" && msg.id > state.lastEventId) state.lastEventId = msg.id;
    }
    state.messages.push(msg);
    var div = renderMessage(msg);
    elementFor.set(msg, div);
    el.transcript.appendChild(div);
    if (follow) scrollToBottom();
    return msg;
  }

  function removeMessage(msg) {
    var i = state.messages.indexOf(msg);
    if (i !== -1) state.messages.splice(i, 1);
    var div = elementFor.get(msg);
    if (div && div.parentNode) div.parentNode.removeChild(div);
  }

  // Adds one delivery of bot/agent messages (one API response or one socket frame).
  function deliver(list) {
    if (!list.length) return;
    var wasNear = isNearBottom();
    state.batch += 1;
    list.forEach(function (m) {
      m.batch = state.batch;
      addMessage(m);
    });
    saveTranscript();
    if (!wasNear || !pageInView()) markUnseen(list.length, !wasNear);
  }

  // ------------------------------------------------------------- unread

  function pageInView() {
    return !document.hidden && (typeof document.hasFocus !== "function" || document.hasFocus());
  }

  // The tab title counts what arrived unseen; the pill offers to jump to it.
  function markUnseen(count, scrolledUp) {
    state.unseen += count;
    document.title = "(" + state.unseen + ") New message — " + BASE_TITLE;
    if (scrolledUp) el.pill.hidden = false;
  }

  function clearUnseen() {
    if (!isNearBottom() || !pageInView()) return;
    state.unseen = 0;
    document.title = BASE_TITLE;
    el.pill.hidden = true;
  }

  // ------------------------------------------------------------- status line

  var statusTimer = null;

  function minutesSince(iso) {
    var t = new Date(iso).getTime();
    return isNaN(t) ? 0 : Math.max(0, Math.floor((Date.now() - t) / 60000));
  }

  function clock(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? "" : d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  }

  function statusText(s) {
    if (!s || typeof s !== "object") return "";
    if (s.holder === "agent") {
      return (typeof s.agent === "string" && s.agent ? s.agent : "A member of our concierge") +
        " from the concierge is with you.";
    }
    if (s.holder !== "waiting") return "";
    var parts = [];
    if (s.waiting_since) {
      var waited = minutesSince(s.waiting_since);
      parts.push("Waiting for the concierge since " + clock(s.waiting_since) +
        " (" + (waited < 1 ? "less than a minute" : waited + " min") + ").");
    } else {
      parts.push("Waiting for the concierge.");
    }
    if (s.open === false) {
      parts.push(s.opens ? "Our concierge is away; they answer here " + s.opens + "."
                         : "Our concierge cannot answer live just now.");
      return parts.join(" ");
    }
    var ahead = Number(s.ahead) || 0;
    parts.push(ahead === 0 ? "You are next." :
      ahead + (ahead === 1 ? " customer is" : " customers are") + " ahead of you.");
    if (typeof s.usual_wait_seconds === "number") {
      var usual = Math.max(1, Math.ceil(s.usual_wait_seconds / 60));
      parts.push("Lately the concierge has joined within about " + usual + " min.");
    }
    return parts.join(" ");
  }

  function renderStatus(s) {
    state.status = s && typeof s === "object" ? s : null;
    var text = statusText(state.status);
    el.status.textContent = text;
    el.status.hidden = !text;
    el.status.setAttribute("data-holder", state.status ? String(state.status.holder) : "none");
    if (statusTimer) clearInterval(statusTimer);
    statusTimer = text && state.status.holder === "waiting"
      ? setInterval(function () { el.status.textContent = statusText(state.status); }, 30000)
      : null;
  }

  // Waiting for or held by a person: leaving needs a word first (and the agent is told).
  function personInvolved() {
    return !!state.status && (state.status.holder === "waiting" || state.status.holder === "agent");
  }

  function askNewConversation() {
    if (!personInvolved()) { newConversation(); return; }
    el.confirmText.textContent = state.status.holder === "agent"
      ? "A member of our concierge is with you in this conversation. If you start a new one, this one closes and they will be told you left."
      : "A member of our concierge is about to join you here. If you start a new conversation, this one closes and they will be told you left.";
    if (typeof el.confirm.showModal === "function") {
      el.confirm.showModal();
    } else if (window.confirm(el.confirmText.textContent)) {
      leaveAndStartOver();
    }
  }

  function leaveAndStartOver() {
    var leaving = state.sessionId;
    if (el.confirm.open) el.confirm.close();
    fetch(API_CHAT + "/leave", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ session_id: leaving }),
      credentials: "same-origin",
      keepalive: true
    }).catch(function () { /* the new conversation starts anyway */ });
    newConversation();
  }

  // ------------------------------------------------------------ persistence

  function saveTranscript() {
    var keep = state.messages.slice(-MAX_STORED_MESSAGES).map(function (m) {
      var out = { author: m.author, text: m.text };
      if (m.buttons && m.buttons.length) out.buttons = m.buttons;
      if (m.id !== undefined && m.id !== null) out.id = m.id;
      if (m.batch) out.batch = m.batch;
      if (m.chosen) out.chosen = m.chosen;
      return out;
    });
    storageSet("localStorage", KEY_TRANSCRIPT + state.sessionId, JSON.stringify(keep));
  }

  function loadTranscript() {
    var raw = storageGet("localStorage", KEY_TRANSCRIPT + state.sessionId);
    if (!raw) return [];
    try {
      var list = JSON.parse(raw);
      if (!Array.isArray(list)) return [];
      return list.map(function (m) {
        var author = m && (m.author === "customer" || m.author === "agent" || m.author === "notice") ? m.author : "bot";
        var msg = normaliseMessage(m, author);
        if (!msg) return null;
        if (typeof m.batch === "number") msg.batch = m.batch;
        if (typeof m.chosen === "string") msg.chosen = m.chosen;
        return msg;
      }).filter(Boolean);
    } catch (e) {
      return [];
    }
  }

  // --------------------------------------------------- input normalisation

  function normaliseButtons(buttons) {
    if (!Array.isArray(buttons)) return [];
    return buttons.map(function (b) {
      if (!b || typeof b.title !== "string" || !b.title.trim()) return null;
      var payload = typeof b.payload === "string" && b.payload ? b.payload : b.title;
      return { title: b.title, payload: payload };
    }).filter(Boolean);
  }

  // Returns a clean message object, or null when there is nothing to show.
  function normaliseMessage(raw, author) {
    if (!raw || typeof raw !== "object") return null;
    var text = typeof raw.text === "string" ? raw.text : "";
    var buttons = normaliseButtons(raw.buttons);
    if (!text && !buttons.length) return null;
    var msg = { author: author, text: text };
    if (buttons.length) msg.buttons = buttons;
    if (typeof raw.id === "number" || (typeof raw.id === "string" && raw.id)) msg.id = raw.id;
    return msg;
  }

  // ------------------------------------------------------------- talking

  // Shown when the gateway's rate limit refuses a message (429), if it sends no text itself.
  var SLOW_DOWN = "You are sending messages faster than we can read them; please wait a moment and try again.";

  // Resolves to {kind: "ok", replies} | {kind: "rejected", error} |
  // {kind: "limited", error} (429: too fast; nothing was stored) | {kind: "network"}.
  // "network" covers a failed fetch, a timeout and any unexpected answer
  // (e.g. a proxy's 502): those are worth retrying as they are.
  function postChat(sessionId, text) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS) : null;
    return fetch(API_CHAT, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ session_id: sessionId, text: text }),
      credentials: "same-origin",
      cache: "no-store",
      signal: controller ? controller.signal : undefined
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) {
        // 503 with replies: the store is down and the gateway says whom to call instead.
        var answered = res.ok || (res.status === 503 && data && Array.isArray(data.replies));
        if (answered && data && typeof data === "object") {
          var replies = Array.isArray(data.replies) ? data.replies : [];
          return {
            kind: "ok",
            replies: replies.map(function (r) { return normaliseMessage(r, "bot"); }).filter(Boolean)
          };
        }
        if (res.status === 429) {
          return { kind: "limited", error: data && typeof data.error === "string" && data.error.length <= 300 ? data.error : SLOW_DOWN };
        }
        if (res.status === 400 || res.status === 413 || res.status === 422) {
          return { kind: "rejected", error: data && typeof data.error === "string" ? data.error : "" };
        }
        return { kind: "network" };
      });
    }).catch(function () {
      return { kind: "network" };
    }).then(function (result) {
      if (timer) clearTimeout(timer);
      return result;
    });
  }

  function setBusy(busy) {
    state.busy = busy;
    refreshControls();
  }

  /*
   * Sends `text` to the API and shows `shown` as the customer's bubble
   * (they differ for quick replies: payload vs title). `origin` says where
   * the text came from, so that a failure can put it back there:
   *   {kind: "typed"} -> back into the message box,
   *   {kind: "chip", msg} -> the chip becomes usable again.
   */
  function send(text, shown, origin) {
    if (state.busy) return;
    hideError();
    state.failed = null;
    var token = ++state.requestToken;
    var sessionId = state.sessionId;
    var bubble = addMessage({ author: "customer", text: shown }, { forceScroll: true });
    elementFor.get(bubble).classList.add("message--pending");
    saveTranscript();
    setBusy(true);
    scrollToBottom();

    postChat(sessionId, text).then(function (result) {
      if (token !== state.requestToken) return;   // conversation was reset meanwhile
      setBusy(false);
      if (result.kind === "ok") {
        elementFor.get(bubble).classList.remove("message--pending");
        deliver(result.replies);
        refreshControls();
        return;
      }
      // Not delivered: take the bubble back and return the text to where it came from.
      removeMessage(bubble);
      if (origin.kind === "chip") {
        origin.msg.chosen = null;
      } else {
        restoreDraft(text);
      }
      saveTranscript();
      refreshControls();
      if (result.kind === "limited") {
        // The message was not taken: it is back in the box (or its chip), to send in a moment.
        showError(result.error, false);
      } else if (result.kind === "rejected") {
        var why = result.error && result.error.length <= 200 ? " (" + result.error + ")" : "";
        showError("We're sorry, that message could not be sent" + why + ". Please adjust it and try again.", false);
      } else {
        state.failed = { text: text, shown: shown, origin: origin };
        showError(origin.kind === "chip"
          ? "We couldn't reach the concierge just now. Please check your connection and try again."
          : "We couldn't reach the concierge just now. Your message is still in the box below — please try again.",
          true);
      }
    });
  }

  function chooseQuickReply(msg, button) {
    if (state.busy || msg.chosen || msg.batch !== state.batch) return;
    msg.chosen = button.title;
    send(button.payload, button.title, { kind: "chip", msg: msg });
    focusInputUnlessTouch();
  }

  function sendTyped() {
    var value = el.input.value;
    if (state.busy) return;
    if (!value.trim()) {
      el.input.focus();
      return;
    }
    if (value.length > MAX_LEN) {
      showError("Your message is a little long: please keep it under " + MAX_LEN + " characters.", false);
      return;
    }
    el.input.value = "";
    onInputChanged();
    send(value, value, { kind: "typed" });
    el.input.focus();
  }

  function retry() {
    var failed = state.failed;
    if (state.busy || !failed) return;
    if (failed.origin.kind === "chip") {
      // Mark the chip as used again, unless newer messages arrived meanwhile
      // (its chips are disabled by then anyway).
      if (failed.origin.msg.batch === state.batch) failed.origin.msg.chosen = failed.shown;
      send(failed.text, failed.shown, failed.origin);
    } else {
      sendTyped();    // the text was put back into the box
    }
  }

  // --------------------------------------------------------- composer bits

  // Puts unsent text back without overwriting what was typed in the meantime.
  function restoreDraft(text) {
    var current = el.input.value;
    if (current === text || current.indexOf(text) === 0) return;
    el.input.value = current ? text + "\n" + current : text;
    onInputChanged();
  }

  // Browsers without CSS `field-sizing: content` get the box grown from JS
  // (setting element.style is CSSOM, which a strict style-src CSP allows).
  var needsAutoGrow = !(window.CSS && CSS.supports && CSS.supports("field-sizing", "content"));

  function autoGrow() {
    el.input.style.height = "auto";
    el.input.style.height = el.input.scrollHeight + 2 + "px";   // + borders; CSS max-height caps it
  }

  function onInputChanged() {
    if (needsAutoGrow) autoGrow();
    var len = el.input.value.length;
    if (len >= COUNTER_FROM) {
      el.counter.hidden = false;
      el.counter.textContent = len >= MAX_LEN
        ? len + " / " + MAX_LEN + " — limit reached"
        : len + " / " + MAX_LEN;
      el.counter.classList.toggle("composer__counter--limit", len >= MAX_LEN);
    } else {
      el.counter.hidden = true;
      el.counter.textContent = "";
    }
    storageSet("sessionStorage", KEY_DRAFT + state.sessionId, el.input.value);
  }

  function focusInputUnlessTouch() {
    var coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
    if (!coarse) el.input.focus({ preventScroll: true });
  }

  function showError(text, canRetry) {
    el.errorText.textContent = text;
    el.retry.hidden = !canRetry;
    el.error.hidden = false;
  }

  function hideError() {
    el.error.hidden = true;
    el.errorText.textContent = "";
  }

  // ------------------------------------------------------ live (WebSocket)

  /*
   * Later messages (a client advisor's answer) arrive over a WebSocket.
   * The chat works without it: if the socket cannot connect we retry quietly
   * with exponential backoff and jitter. To add the long-poll variant later,
   * feed its events to receiveLive() just like onmessage does.
   */
  var live = { socket: null, timer: null, attempt: 0 };

  function liveUrl() {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    var url = scheme + "//" + location.host + "/api/chat/" + encodeURIComponent(state.sessionId) + "/ws";
    // Lets the server replay what was missed while disconnected; harmless if ignored.
    if (state.lastEventId > 0) url += "?after=" + state.lastEventId;
    return url;
  }

  function liveConnect() {
    live.timer = null;
    if (typeof WebSocket !== "function") return;
    var ws;
    try {
      ws = new WebSocket(liveUrl());
    } catch (e) {
      liveScheduleReconnect();
      return;
    }
    var openedAt = 0;
    live.socket = ws;
    ws.onopen = function () { openedAt = Date.now(); };
    ws.onmessage = function (event) {
      live.attempt = 0;
      receiveLive(event.data);
    };
    ws.onerror = function () { /* onclose follows; stay quiet */ };
    ws.onclose = function () {
      if (live.socket !== ws) return;            // replaced or stopped on purpose
      live.socket = null;
      // Only a connection that held for a while resets the backoff, so a
      // server that accepts and closes at once does not cause a tight loop.
      if (openedAt && Date.now() - openedAt >= LIVE_STABLE_MS) live.attempt = 0;
      liveScheduleReconnect();
    };
  }

  function liveScheduleReconnect() {
    if (live.timer) return;
    var ceiling = Math.min(LIVE_MAX_DELAY_MS, 1000 * Math.pow(2, live.attempt));
    live.attempt = Math.min(live.attempt + 1, 16);
    var delay = ceiling / 2 + Math.random() * ceiling / 2;
    live.timer = setTimeout(liveConnect, delay);
  }

  function liveStop() {
    if (live.timer) clearTimeout(live.timer);
    live.timer = null;
    var ws = live.socket;
    live.socket = null;                          // so its onclose won't reconnect
    if (ws) {
      try { ws.close(1000, "new conversation"); } catch (e) { /* ignore */ }
    }
  }

  function liveRestart() {
    liveStop();
    live.attempt = 0;
    liveConnect();
  }

  // Accepts {"type": "message", "message": {...}} (and, leniently, a bare
  // message object or a list of them); anything else is ignored.
  function receiveLive(data) {
    var frame;
    try { frame = JSON.parse(data); } catch (e) { return; }
    var raws = Array.isArray(frame) ? frame : [frame];
    var fresh = [];
    raws.forEach(function (f) {
      if (!f || typeof f !== "object") return;
      if (f.type === "status") { renderStatus(f.status); return; }
      var raw = f.type === "message" ? f.message : (f.type === undefined ? f : null);
      if (!raw || typeof raw !== "object") return;
      var msg = normaliseMessage(raw, raw.notice === true ? "notice" : raw.author === "agent" ? "agent" : "bot");
      if (!msg) return;
      if (msg.id !== undefined && state.seenIds.has(String(msg.id))) return;   // duplicate
      if (msg.id !== undefined) state.seenIds.add(String(msg.id));
      fresh.push(msg);
    });
    deliver(fresh);
    refreshControls();
  }

  // ------------------------------------------------------------ lifecycle

  function showConversation() {
    el.transcript.textContent = "";
    state.messages = [];
    state.seenIds = new Set();
    state.lastEventId = 0;
    state.batch = 0;
    loadTranscript().forEach(function (m) {
      if (m.batch && m.batch > state.batch) state.batch = m.batch;
      addMessage(m);
    });
    el.input.value = storageGet("sessionStorage", KEY_DRAFT + state.sessionId) || "";
    onInputChanged();
    refreshControls();
    scrollToBottom();
  }

  function newConversation() {
    storageRemove("localStorage", KEY_TRANSCRIPT + state.sessionId);
    storageRemove("sessionStorage", KEY_DRAFT + state.sessionId);
    state.sessionId = newSessionId();
    storageSet("localStorage", KEY_SESSION, state.sessionId);
    state.requestToken++;          // any answer still on its way belongs to the old one
    state.busy = false;
    state.failed = null;
    hideError();
    renderStatus(null);
    state.unseen = 0;
    document.title = BASE_TITLE;
    el.pill.hidden = true;
    showConversation();
    liveRestart();
    el.input.focus();
  }

  function init() {
    el.transcript = document.getElementById("transcript");
    el.scroll = document.getElementById("chat-scroll");
    el.suggestions = document.getElementById("suggestions");
    el.typing = document.getElementById("typing-indicator");
    el.error = document.getElementById("chat-error");
    el.errorText = document.getElementById("chat-error-text");
    el.retry = document.getElementById("retry-button");
    el.form = document.getElementById("composer");
    el.input = document.getElementById("message-input");
    el.send = document.getElementById("send-button");
    el.counter = document.getElementById("char-counter");
    el.newConversation = document.getElementById("new-conversation");
    el.status = document.getElementById("chat-status");
    el.pill = document.getElementById("new-message-pill");
    el.confirm = document.getElementById("confirm-new");
    el.confirmText = document.getElementById("confirm-new-text");

    el.form.addEventListener("submit", function (event) {
      event.preventDefault();
      sendTyped();
    });

    el.input.addEventListener("keydown", function (event) {
      // Enter sends, Shift+Enter is a new line; never send mid-composition (IME).
      if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
      event.preventDefault();
      sendTyped();   // ignored while a request is in flight; the text stays
    });

    el.input.addEventListener("input", onInputChanged);
    el.retry.addEventListener("click", retry);
    el.newConversation.addEventListener("click", askNewConversation);
    document.getElementById("confirm-new-leave").addEventListener("click", leaveAndStartOver);
    document.getElementById("confirm-new-stay").addEventListener("click", function () {
      el.confirm.close();
    });
    el.pill.addEventListener("click", function () {
      scrollToBottom();
      clearUnseen();
      el.input.focus({ preventScroll: true });
    });
    el.scroll.addEventListener("scroll", clearUnseen);
    document.addEventListener("visibilitychange", clearUnseen);
    window.addEventListener("focus", clearUnseen);

    Array.prototype.forEach.call(document.querySelectorAll(".suggestion"), function (b) {
      b.addEventListener("click", function () {
        var text = b.textContent.trim();
        send(text, text, { kind: "typed" });
        focusInputUnlessTouch();
      });
    });

    // Back online: reconnect now rather than waiting out the backoff.
    window.addEventListener("online", function () {
      if (!live.socket) liveRestart();
    });

    state.sessionId = loadSessionId();
    showConversation();
    liveConnect();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
