/* ClinicPress: the theme's script. It asks nothing of a third party until the reader does.
   Comments: a post's comment widget loads only when the reader asks for it.
   Sharing: the share buttons under a post (the Naver one is a plain link and needs none of this). */

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
