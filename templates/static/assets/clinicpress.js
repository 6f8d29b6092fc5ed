/* ClinicPress: the theme's script. It asks nothing of a third party until the reader does.
   Comments: a post's comment widget loads only when the reader asks for it.
   Sharing: the share buttons under a post (the Naver one is a plain link and needs none of this).
   Visit counting: the [analytics] provider's script, loaded only once the reader agrees (or, with
   load = "always", with the page). */

/* Comments. The provider's markup waits in <template data-comments-widget>, where nothing is fetched or run.
   data-comments-load on the section says when to insert it: "click" (the button), "scroll" (when the
   section comes into view; the button still works) or "eager" (at once). */
(function () {
  "use strict";

  // Scripts copied out of a <template> never run, so each one is rebuilt. A widget that reads plain
  // attributes HTML does not allow on <script> gets them written as data-attr-NAME.
  function runnable(old) {
    var script = document.createElement("script");
    for (var i = 0; i < old.attributes.length; i++) {
      var attribute = old.attributes[i];
      var name = attribute.name.indexOf("data-attr-") === 0 ? attribute.name.slice(10) : attribute.name;
      script.setAttribute(name, attribute.value);
    }
    script.text = old.text;
    return script;
  }

  // A widget's settings arrive as <script type="application/json" data-comments-global="NAME">, which never
  // runs, so the page needs no inline script (and its Content-Security-Policy allows none). They become
  // window.NAME; with data-comments-global-kind="function", a function that copies them onto `this`
  // (Disqus calls disqus_config that way).
  function publish(config) {
    var name = config.getAttribute("data-comments-global");
    var value = JSON.parse(config.textContent);
    if (config.getAttribute("data-comments-global-kind") === "function") {
      window[name] = function () {
        for (var key in value) {
          if (value[key] !== null && typeof value[key] === "object" && this[key]) {
            for (var inner in value[key]) {
              this[key][inner] = value[key][inner];
            }
          } else {
            this[key] = value[key];
          }
        }
      };
    } else {
      window[name] = value;
    }
    config.parentNode.removeChild(config);
  }

  function load(section, moveFocus) {
    if (section.hasAttribute("data-comments-loaded")) {
      return;
    }
    section.setAttribute("data-comments-loaded", "");
    var widget = section.querySelector("template[data-comments-widget]");
    var thread = section.querySelector("[data-comments-thread]");
    var gate = section.querySelector("[data-comments-gate]");
    var hadFocus = gate !== null && gate.contains(document.activeElement);
    var content = document.importNode(widget.content, true);
    var configs = content.querySelectorAll("script[data-comments-global]");
    for (var c = 0; c < configs.length; c++) {
      publish(configs[c]);
    }
    var scripts = content.querySelectorAll("script");
    for (var i = 0; i < scripts.length; i++) {
      scripts[i].parentNode.replaceChild(runnable(scripts[i]), scripts[i]);
    }
    thread.appendChild(content);
    if (gate) {
      gate.parentNode.removeChild(gate);
    }
    if (moveFocus || hadFocus) {
      thread.focus();  // the button is gone; keep keyboard and screen-reader users in the comments
    }
  }

  function watch(section) {
    var mode = section.getAttribute("data-comments-load");
    if (mode === "eager") {
      load(section, false);
      return;
    }
    var gate = section.querySelector("[data-comments-gate]");
    var button = section.querySelector("[data-comments-show]");
    if (gate) {
      gate.hidden = false;
    }
    if (button) {
      button.addEventListener("click", function () { load(section, true); });
    }
    if (mode === "scroll" && "IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        for (var i = 0; i < entries.length; i++) {
          if (entries[i].isIntersecting) {
            observer.disconnect();
            load(section, false);
          }
        }
      }, { rootMargin: "200px 0px" });
      observer.observe(section);
    }
  }

  var sections = document.querySelectorAll("[data-comments]");
  for (var i = 0; i < sections.length; i++) {
    watch(sections[i]);
  }
})();

/* Sharing (templates/partials/share.html). KakaoTalk has no share page a link could open without an app key:
   on a phone its button opens the phone's share sheet, where KakaoTalk is; elsewhere it copies the link for a
   chat. With an app key ([sharing] kakao_app_key) the button loads Kakao's SDK, on the click and not before,
   and hands the address to KakaoTalk's own picker. Copy link writes the address to the clipboard, or shows
   it selected to be copied by hand. */
(function () {
  "use strict";

  function onPhone() {
    return !!window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  }

  function setUp(section) {
    var url = section.getAttribute("data-share-url");
    var title = section.getAttribute("data-share-title");
    var status = section.querySelector("[data-share-status]");
    var fallback = section.querySelector("[data-share-fallback]");

    function say(message) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = message; }, 100);  // announced again when repeated
    }

    function copyByHand() {
      fallback.hidden = false;
      var field = fallback.querySelector("input");
      field.focus();
      field.select();
      say(section.getAttribute("data-share-copy-yourself"));
    }

    function copy(message) {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(function () { say(message); }, copyByHand);
      } else {
        copyByHand();
      }
    }

    function shareSheet(otherwise) {
      navigator.share({ title: title, url: url }).catch(function (problem) {
        if (problem && problem.name !== "AbortError") {  // AbortError: the reader closed the sheet
          otherwise();
        }
      });
    }

    // Kakao's SDK, loaded once, on the first click; then(Kakao) or, when it cannot load, otherwise().
    function withKakao(then, otherwise) {
      if (window.Kakao && window.Kakao.Share) {
        then(window.Kakao);
        return;
      }
      var script = document.createElement("script");
      script.src = section.getAttribute("data-share-kakao-sdk");
      script.integrity = section.getAttribute("data-share-kakao-integrity");
      script.crossOrigin = "anonymous";
      script.addEventListener("load", function () {
        if (window.Kakao && window.Kakao.Share) {
          then(window.Kakao);
        } else {
          otherwise();
        }
      });
      script.addEventListener("error", otherwise);
      document.head.appendChild(script);
    }

    var copied = section.getAttribute("data-share-copied");
    var forKakaoTalk = section.getAttribute("data-share-copied-kakaotalk");
    var appKey = section.getAttribute("data-share-kakao-key");

    function withoutKakao() {
      if (navigator.share && onPhone()) {
        shareSheet(function () { copy(forKakaoTalk); });
      } else {
        copy(forKakaoTalk);
      }
    }

    var actions = {
      kakaotalk: function () {
        if (!appKey) {
          withoutKakao();
          return;
        }
        withKakao(function (Kakao) {
          try {
            if (!Kakao.isInitialized()) {
              Kakao.init(appKey);
            }
            Kakao.Share.sendScrap({ requestUrl: url });
          } catch (problem) {
            withoutKakao();
          }
        }, withoutKakao);
      },
      copy: function () { copy(copied); },
      device: function () { shareSheet(function () { copy(copied); }); }
    };

    var shown = section.querySelectorAll("a[data-share-service]").length;
    var buttons = section.querySelectorAll("button[data-share-service]");
    for (var i = 0; i < buttons.length; i++) {
      var service = buttons[i].getAttribute("data-share-service");
      if (!actions[service] || (service === "device" && !navigator.share)) {
        continue;  // the browser has no share sheet of its own
      }
      buttons[i].addEventListener("click", actions[service]);
      buttons[i].parentNode.hidden = false;
      shown += 1;
    }
    section.hidden = shown === 0;
  }

  var sections = document.querySelectorAll("[data-share]");
  for (var i = 0; i < sections.length; i++) {
    setUp(sections[i]);
  }
})();

/* Visit counting (templates/partials/analytics.html). The provider's script is inserted here from
   data-analytics-script; the page carries no inline script. With load = "consent" nothing is requested from
   the provider until the reader presses Allow; the choice is remembered in this browser (localStorage, never
   sent anywhere) and can be changed with the button at the bottom of every page. Withdrawing removes what
   the provider stored on this site and reloads the page without it. */
(function () {
  "use strict";

  var element = document.querySelector("[data-analytics]");
  if (!element) {
    return;
  }
  var provider = element.getAttribute("data-analytics");
  var siteId = element.getAttribute("data-analytics-id");
  var CHOICE = "clinicpress-analytics";
  var started = false;
  var ready = false;
  var waiting = [];

  // What each provider needs before its script runs, what to do once it has loaded, how it counts an event
  // (done() is called once it has been handed over) and what it stores on this site.
  var providers = {
    plausible: {
      send: function (name, done) { window.plausible(name, { props: { page: location.pathname }, callback: done }); }
    },
    umami: {
      send: function (name, done) {
        var sent = window.umami.track(name, { page: location.pathname });
        if (sent && sent.then) {
          sent.then(done, done);
        } else {
          done();
        }
      },
      storage: ["umami.visitor"]
    },
    goatcounter: {
      send: function (name, done) {
        window.goatcounter.count({ path: name, title: location.pathname, event: true });
        done();
      }
    },
    ga4: {
      before: function () {
        window.dataLayer = window.dataLayer || [];
        window.gtag = function () { window.dataLayer.push(arguments); };
        window.gtag("js", new Date());
        window.gtag("config", siteId);
      },
      send: function (name, done) { window.gtag("event", name, { event_callback: done }); },
      cookies: ["_ga", "_gid", "_gat"]
    },
    naver: {
      before: function () {
        window.wcs_add = window.wcs_add || {};
        window.wcs_add.wa = siteId;
      },
      loaded: function () { window.wcs_do(); },
      // Naver's conversion types: 4 is an application or booking, 5 anything else.
      send: function (name, done) {
        var conversion = {};
        conversion.cnv = window.wcs.cnv(name === "contact" ? "4" : "5", "1");
        window.wcs_do(conversion);
        done();
      },
      cookies: ["wcs_bt"]
    }
  };
  var spec = providers[provider];
  if (!spec) {
    return;
  }

  function remembered() {
    try {
      return window.localStorage.getItem(CHOICE);
    } catch (blocked) {
      return null;
    }
  }

  function remember(choice) {
    try {
      window.localStorage.setItem(CHOICE, choice);
    } catch (blocked) {
      // storage is off: the choice holds for this page only
    }
  }

  function flush() {
    var queued = waiting;
    waiting = [];
    for (var i = 0; i < queued.length; i++) {
      send(queued[i][0], queued[i][1]);
    }
  }

  function send(name, done) {
    try {
      spec.send(name, done);
    } catch (problem) {
      done();  // a blocked or failed counter never keeps a reader from where they were going
    }
  }

  function start() {
    if (started) {
      return;
    }
    started = true;
    if (spec.before) {
      spec.before();
    }
    var attributes = JSON.parse(element.getAttribute("data-analytics-script"));
    var script = document.createElement("script");
    for (var name in attributes) {
      script.setAttribute(name, attributes[name]);
    }
    script.async = true;
    script.addEventListener("load", function () {
      ready = true;
      try {
        if (spec.loaded) {
          spec.loaded();
        }
      } finally {
        flush();
      }
    });
    document.head.appendChild(script);
  }

  // Count an event (a conversion); done() runs when it has been handed over, or at once without consent.
  function track(name, done) {
    if (!started) {
      done();
    } else if (!ready) {
      waiting.push([name, done]);
    } else {
      send(name, done);
    }
  }

  // What the provider stored on this site: its cookies (on this host and the domains above it) and storage.
  function forget() {
    var prefixes = spec.cookies || [];
    var cookies = document.cookie ? document.cookie.split(";") : [];
    var host = location.hostname.split(".");
    for (var i = 0; i < cookies.length; i++) {
      var name = cookies[i].split("=")[0].replace(/^\s+|\s+$/g, "");
      for (var p = 0; p < prefixes.length; p++) {
        if (name.indexOf(prefixes[p]) === 0) {
          document.cookie = name + "=; Max-Age=0; path=/";
          for (var d = 0; d < host.length - 1; d++) {
            document.cookie = name + "=; Max-Age=0; path=/; domain=." + host.slice(d).join(".");
          }
        }
      }
    }
    var storage = spec.storage || [];
    for (var s = 0; s < storage.length; s++) {
      try {
        window.localStorage.removeItem(storage[s]);
      } catch (blocked) {
        // nothing could have been stored either
      }
    }
  }

  var question = document.querySelector("[data-analytics-consent]");

  function choose(choice) {
    remember(choice);
    question.hidden = true;
    if (choice === "granted") {
      start();
    } else if (started) {
      forget();
      window.location.reload();
    }
  }

  if (element.getAttribute("data-analytics-load") === "always") {
    start();
  } else if (question) {
    var choices = question.querySelectorAll("[data-analytics-choice]");
    for (var c = 0; c < choices.length; c++) {
      choices[c].addEventListener("click", function (event) {
        choose(event.currentTarget.getAttribute("data-analytics-choice"));
      });
    }
    var settings = document.querySelectorAll("[data-analytics-settings]");
    for (var b = 0; b < settings.length; b++) {
      settings[b].hidden = false;
      settings[b].addEventListener("click", function () {
        question.hidden = false;
        question.focus();
      });
    }
    var choice = remembered();
    if (choice === "granted") {
      start();
    } else if (choice !== "denied") {
      question.hidden = false;
    }
  }

  // Conversions: a click on a link to the clinic, once the counter runs. A link that leaves the page in this
  // tab waits until the event has been handed over (at most LEAVE_MS), so that it is not lost on the way out.
  var LEAVE_MS = 400;
  var contact = address(element.getAttribute("data-analytics-contact"));
  var kakao = address(element.getAttribute("data-analytics-kakao"));

  function address(href) {
    return (href || "").split("#")[0].replace(/\/+$/, "");
  }

  function conversion(link) {
    var href = address(link.href);
    if (link.hasAttribute("data-conversion")) {
      return link.getAttribute("data-conversion") || null;  // data-conversion="": never counted
    } else if (link.protocol === "tel:") {
      return "phone_call";
    } else if (link.protocol === "mailto:") {
      return "email";
    } else if (kakao && (href === kakao || href.indexOf(kakao + "/") === 0)) {
      return "kakao_channel";
    } else if (contact && href === contact) {
      return "contact";
    }
    return null;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    var name = link && started ? conversion(link) : null;
    if (!name) {
      return;
    }
    var leaves = !event.defaultPrevented && event.button === 0 && !event.ctrlKey && !event.metaKey &&
      !event.shiftKey && !event.altKey && (!link.target || link.target === "_self") && /^https?:$/.test(link.protocol);
    if (!leaves) {
      track(name, function () {});
      return;
    }
    event.preventDefault();
    var gone = false;
    var go = function () {
      if (!gone) {
        gone = true;
        window.location.href = link.href;
      }
    };
    window.setTimeout(go, LEAVE_MS);
    track(name, go);
  });
})();
