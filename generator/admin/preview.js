// The editor's preview: the post in the blog's own stylesheet, and what `clinicpress check` finds in it
// while `clinicpress serve --edit` runs (the published editor has no such endpoint and says so).
(function () {
  var script = document.currentScript;
  var CMS = window.CMS, h = window.h, createClass = window.createClass;
  if (!CMS || !h || !createClass) return;
  var stylesheet = script.getAttribute("data-stylesheet");
  var checkUrl = script.getAttribute("data-check");
  var text = JSON.parse(script.getAttribute("data-text") || "{}");
  var keyMissing = text.translation_key_missing;
  if (stylesheet) CMS.registerPreviewStyle(stylesheet);
  CMS.registerPreviewStyle("preview.css");

  // On phones the post's text is written in the browser's own text box. Decap's Markdown editor (Slate,
  // in its rich-text and its Markdown mode alike) handles a phone keyboard's composition itself, and on
  // Android keeps the first jamo of a Korean line ("ㅂ붓기는"); a text box composes Hangul as every
  // other field does. The text is the same Markdown, and the preview shows it as before.
  var markdown = CMS.getWidget && CMS.getWidget("markdown");
  if (markdown && /Android|iPhone|iPad|iPod/.test(navigator.userAgent)) {
    var PlainText = createClass({
      render: function () {
        var props = this.props;
        return h("textarea", {
          id: props.forID, className: props.classNameWrapper, value: props.value || "", rows: 16,
          style: { minHeight: "16rem", fontFamily: "inherit", lineHeight: 1.6, resize: "vertical" },
          onChange: function (event) { props.onChange(event.target.value); },
          onFocus: props.setActiveStyle, onBlur: props.setInactiveStyle
        });
      }
    });
    CMS.registerWidget("markdown", PlainText, markdown.preview, markdown.schema);
  }

  // A phone shows one pane at first, the post in its default language: the other language and the
  // preview are a tap away (Decap's round buttons), and then go under it (editor.css). Decap keeps the
  // writer's own choice under this key; a choice once made is left alone.
  if (window.matchMedia("(max-width: 799px)").matches && localStorage.getItem("cms.right-pane") === null) {
    localStorage.setItem("cms.right-pane", "none");
  }

  function plain(value) {
    return value && typeof value.toJS === "function" ? value.toJS() : value;
  }

  var Findings = createClass({
    getInitialState: function () { return { findings: null, offline: false }; },
    componentDidMount: function () { this.schedule(); },
    componentDidUpdate: function (previous) { if (previous.request !== this.props.request) this.schedule(); },
    componentWillUnmount: function () { clearTimeout(this.timer); this.gone = true; },
    schedule: function () {
      var self = this;
      clearTimeout(this.timer);
      this.timer = setTimeout(function () { self.ask(); }, 400);
    },
    ask: function () {
      var self = this, sent = this.props.request;
      fetch(checkUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: sent })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (answer) {
          if (!self.gone && sent === self.props.request) self.setState({ findings: answer.findings, offline: false });
        })
        .catch(function () { if (!self.gone) self.setState({ findings: null, offline: true }); });
    },
    render: function () {
      var state = this.state;
      if (state.offline) {
        return h("aside", { className: "editor-findings", "data-state": "offline" },
          h("p", {}, text.findings_offline));
      }
      if (state.findings === null) return h("aside", { className: "editor-findings", "data-state": "waiting" });
      if (!state.findings.length) {
        return h("aside", { className: "editor-findings", "data-state": "clean" },
          h("p", {}, text.no_findings));
      }
      return h("aside", { className: "editor-findings", "data-state": "found" },
        h("h2", {}, text.findings.replace("{count}", String(state.findings.length))),
        h("ul", {}, state.findings.map(function (finding, index) {
          return h("li", { key: index, className: "finding-" + finding.severity },
            h("strong", {}, finding.severity + " [" + finding.rule + "] "),
            finding.location + ": " + finding.message,
            finding.hint ? h("div", { className: "hint" }, "hint: " + finding.hint) : null);
        })));
    }
  });

  var PostPreview = createClass({
    render: function () {
      var entry = this.props.entry;
      var data = plain(entry.get("data")) || {};
      // Photos chosen in this session are saved with the post: not missing, only not on disk yet.
      var pending = (plain(entry.get("mediaFiles")) || []).filter(function (file) { return file.draft; })
        .map(function (file) { return file.path; });
      var request = JSON.stringify({ slug: entry.get("slug") || data.translation_key || "", pending: pending,
                                     i18n: plain(entry.get("i18n")) || {}, data: data });
      return h("article", { className: "post" },
        h(Findings, { request: request }),
        h("h1", {}, data.title || ""),
        data.description ? h("p", { className: "post-description" }, data.description) : null,
        this.props.widgetFor("body"));
    }
  });
  CMS.registerPreviewTemplate("posts", PostPreview);

  // Decap writes a file for every language, and one left empty would hold only the shared fields (date,
  // author...) and not build: a language whose title is empty is not saved. Decap 3.16 hands preSave
  // listeners the object it then reads the entry from, so the entry is replaced there.
  // The translation key names the files: a new post needs one; a post written before the editor has its
  // file name as its key (as the build reads it), and is saved with it written out.
  // Fields left empty are left out (Decap writes them as null, which front-matter refuses for draft).
  function filled(data) {
    return data && data.filter(function (value) { return value !== null && value !== undefined && value !== ""; });
  }
  CMS.registerEventListener({ name: "preSave", handler: function (event) {
    var entry = event.entry, translations = entry.get("i18n");
    entry = entry.set("data", filled(entry.get("data")));
    if (translations) {
      translations.forEach(function (value, locale) {
        var title = value && value.getIn(["data", "title"]);
        if (!title || !String(title).trim()) entry = entry.deleteIn(["i18n", locale]);
        else entry = entry.setIn(["i18n", locale, "data"], filled(value.get("data")));
      });
    }
    if (!String(entry.getIn(["data", "translation_key"]) || "").trim()) {
      if (entry.get("newRecord") || !entry.get("slug")) throw new Error(keyMissing);
      entry = entry.setIn(["data", "translation_key"], entry.get("slug"));
      (entry.get("i18n") || { forEach: function () {} }).forEach(function (value, locale) {
        entry = entry.setIn(["i18n", locale, "data", "translation_key"], entry.get("slug"));
      });
    }
    event.entry = entry;
    return undefined;
  } });
})();
