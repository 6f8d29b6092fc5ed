/* Findings of `clinicpress check` inside the previewed page (added by `clinicpress serve` only).
   Marks each flagged phrase where the page shows it, explains it on hover and on keyboard focus,
   and lists the page's findings in a collapsible panel above the page. Text is only ever set with
   textContent: messages quote the post and are never markup.
   The server calls this function with the page's findings in the same script element, which carries
   the response's nonce: nothing in the page is looked up for them, so a post can neither forge nor hide them. */
(function (data) {
  "use strict";
  var findings = data.findings;
  // Where each field of a post is shown; a site's own templates may lack them (the panel still lists all).
  var REGIONS = { title: "article h1, main h1", body: ".post-body", faq: ".faq details" };
  // Not read by the rules either: code, the footnotes (cited sources), autolinked addresses.
  var SKIPPED = "script, style, code, pre, textarea, .footnote";
  // Controls that take focus themselves: a mark inside one gets no tab stop of its own.
  var HOSTS = "a[href], button, summary, label, select, textarea, input, [tabindex]:not([tabindex^='-'])";
  var SEVERITY_ORDER = ["error", "warning", "info"];

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  /* The text readers see in a region, lower-cased and with runs of white space as one space, and for
     each of its characters the text node and offset it comes from (null: an image's alt text). */
  function readText(roots) {
    var chars = [], places = [], space = true;
    function add(text, node) {
      for (var i = 0; i < text.length; i++) {
        if (/\s/.test(text[i])) {
          if (!space) { chars.push(" "); places.push(node && [node, i]); space = true; }
          continue;
        }
        var lower = text[i].toLowerCase();
        for (var j = 0; j < lower.length; j++) { chars.push(lower[j]); places.push(node && [node, i]); }
        space = false;
      }
    }
    roots.forEach(function (root) {
      var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT, {
        acceptNode: function (node) {
          var inside = node.nodeType === 1 ? node : node.parentElement;
          if (inside && inside.closest(SKIPPED)) { return NodeFilter.FILTER_REJECT; }
          if (node.nodeType === 1 && node.tagName === "A" && node.textContent === node.getAttribute("href")) {
            return NodeFilter.FILTER_REJECT;
          }
          return NodeFilter.FILTER_ACCEPT;
        }
      });
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.nodeType === 3) { add(node.nodeValue, node); }
        else if (node.tagName === "IMG") { add(" " + (node.getAttribute("alt") || "") + " ", null); }
        else if (node.tagName === "BR") { add(" ", null); }
      }
      add(" ", null);
    });
    return { text: chars.join(""), places: places };
  }

  function normalize(text) { return text.trim().split(/\s+/).join(" ").toLowerCase(); }

  /* The pieces of text nodes (node, start, end) that hold the n-th occurrence of words, or null. */
  function locate(read, words, occurrence) {
    if (!words) { return null; }
    var at = -1;
    for (var seen = 0, from = 0; seen <= occurrence; seen++) {
      at = read.text.indexOf(words, from);
      if (at < 0) { return null; }
      from = at + words.length;
    }
    var pieces = [];
    for (var k = at; k < at + words.length; k++) {
      var place = read.places[k];
      if (place === null) {
        if (read.text[k] === " ") { continue; }
        return null;  // in an image description: listed in the panel only
      }
      var last = pieces[pieces.length - 1];
      if (last && last.node === place[0]) { last.end = place[1] + 1; }
      else { pieces.push({ node: place[0], start: place[1], end: place[1] + 1 }); }
    }
    return pieces.length ? pieces : null;
  }

  var reads = {};
  function regionText(field) {
    if (!(field in reads)) {
      var roots = REGIONS[field] ? Array.prototype.slice.call(document.querySelectorAll(REGIONS[field])) : [];
      if (field === "title") { roots = roots.slice(0, 1); }
      reads[field] = roots.length ? readText(roots) : null;
    }
    return reads[field];
  }

  // Group findings whose words overlap: one mark explains all of them.
  var groups = [];
  findings.forEach(function (finding, index) {
    var excerpt = finding.excerpt, read = excerpt && regionText(excerpt.field);
    var pieces = read && locate(read, normalize(excerpt.text), excerpt.occurrence);
    if (!pieces) { return; }
    var group = groups.find(function (other) {
      return other.pieces.some(function (a) {
        return pieces.some(function (b) { return a.node === b.node && a.start < b.end && b.start < a.end; });
      });
    });
    if (group) { group.ids.push(index); } else { groups.push({ pieces: pieces, ids: [index] }); }
  });

  // Wrap each text node's pieces from its end backwards, so that earlier offsets in it stay valid.
  var nodes = new Map(), all = [];
  groups.forEach(function (group, number) {
    group.marks = [];
    group.pieces.forEach(function (piece, index) {
      piece.group = number;
      piece.index = index;
      if (!nodes.has(piece.node)) { nodes.set(piece.node, nodes.size); }
      all.push(piece);
    });
  });
  all.sort(function (a, b) { return nodes.get(a.node) - nodes.get(b.node) || b.start - a.start; });
  all.forEach(function (piece) {
    var group = groups[piece.group];
    var worst = SEVERITY_ORDER.find(function (level) {
      return group.ids.some(function (id) { return findings[id].severity === level; });
    }) || "info";
    var range = document.createRange();
    range.setStart(piece.node, piece.start);
    range.setEnd(piece.node, piece.end);
    var mark = element("mark", "clinicpress-finding clinicpress-" + worst);
    mark.dataset.clinicpressIds = group.ids.join(" ");
    range.surroundContents(mark);
    group.marks[piece.index] = mark;
  });

  var described = {};  // finding index -> its first mark and the element that takes focus for it
  groups.forEach(function (group) {
    var first = group.marks[0];
    var host = first.parentElement.closest(HOSTS);  // a mark inside a link or a question: the host takes focus
    var target = host || first;
    if (!host) { first.tabIndex = 0; }
    var ids = (target === first ? [] : (target.dataset.clinicpressIds || "").split(" ").filter(Boolean)).concat(group.ids);
    target.dataset.clinicpressIds = ids.join(" ");
    target.classList.add("clinicpress-finding-target");
    var before = target.getAttribute("aria-describedby");
    target.setAttribute("aria-describedby", (before ? before + " " : "") +
      group.ids.map(function (id) { return "clinicpress-finding-" + id; }).join(" "));
    group.ids.forEach(function (id) { described[id] = { target: target, mark: first }; });
  });

  function counted(counts) {  // {error: 2, warning: 1} -> "2 errors, 1 warning"
    var parts = [];
    [["error", "error", "errors"], ["warning", "warning", "warnings"], ["info", "info", "info"]].forEach(function (kind) {
      var n = counts[kind[0]] || 0;
      if (n) { parts.push(n + " " + (n === 1 ? kind[1] : kind[2])); }
    });
    return parts.join(", ");
  }

  function describe(finding, into, headingTag) {
    var head = element(headingTag, "clinicpress-finding-head");
    head.appendChild(element("span", "clinicpress-badge clinicpress-" + finding.severity, finding.severity));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(element("span", "clinicpress-rule", finding.rule || "check"));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(element("span", "clinicpress-location", finding.location));
    into.appendChild(head);
    into.appendChild(element("p", "clinicpress-message", finding.message));
    if (finding.hint) { into.appendChild(element("p", "clinicpress-hint", "Hint: " + finding.hint)); }
    if (finding.reference) { into.appendChild(element("p", "clinicpress-reference", "Reference: " + finding.reference)); }
  }

  // The panel, above the page so that it never covers the content.
  var panel = element("aside");
  panel.id = "clinicpress-findings";
  panel.lang = "en";
  panel.setAttribute("aria-label", "Findings of clinicpress check");
  var details = element("details");
  var remembered = null;
  try { remembered = sessionStorage.getItem("clinicpress-findings-open"); } catch (e) { /* storage off */ }
  details.open = remembered !== "closed";
  function remember() {
    try { sessionStorage.setItem("clinicpress-findings-open", details.open ? "open" : "closed"); } catch (e) { /* off */ }
  }
  details.addEventListener("toggle", remember);
  // The toggle event comes a moment after the click: a reload right after it (a live reload) would forget.
  window.addEventListener("pagehide", remember);
  details.appendChild(element("summary", "", "Check found " + counted(data.page) + " on this page"));
  var list = element("ol", "clinicpress-list");
  findings.forEach(function (finding, index) {
    var item = element("li", "clinicpress-item clinicpress-" + finding.severity);
    item.id = "clinicpress-finding-" + index;
    describe(finding, item, "p");
    var shown = described[index];
    if (shown) {
      var button = element("button", "clinicpress-show", "Show in the page");
      button.type = "button";
      button.addEventListener("click", function () {
        var closed = shown.mark.closest("details:not([open])");
        if (closed) { closed.open = true; }
        shown.target.scrollIntoView({ block: "center" });
        shown.target.focus();
      });
      item.firstChild.appendChild(button);
    } else if (finding.excerpt) {
      item.appendChild(element("p", "clinicpress-where", "Not shown as text on this page (" +
        finding.excerpt.field.replace("_", " ") + ")."));
    }
    list.appendChild(item);
  });
  details.appendChild(list);
  if (data.more) {
    details.appendChild(element("p", "clinicpress-site", "And " + data.more + " more in this post."));
  }
  var total = counted(data.site);
  if (total) {
    details.appendChild(element("p", "clinicpress-site",
      "The whole site: " + total + ". Run clinicpress check to list them all; it fails on errors before publishing."));
  }
  panel.appendChild(details);

  // One tooltip, shown next to the focused or hovered mark; Escape hides it.
  var tip = element("div", "clinicpress-tip");
  tip.id = "clinicpress-tip";
  tip.setAttribute("role", "tooltip");
  tip.hidden = true;
  panel.appendChild(tip);
  var header = document.querySelector("body > header");
  if (header) { header.before(panel); } else { document.body.prepend(panel); }

  var current = null, hideTimer = 0;
  function place() {
    if (!current) { return; }
    var box = current.getBoundingClientRect();
    var width = Math.min(420, document.documentElement.clientWidth - 16);
    tip.style.width = width + "px";
    tip.style.left = Math.max(8, Math.min(box.left, document.documentElement.clientWidth - width - 8)) + "px";
    var below = box.bottom + 8, height = tip.offsetHeight;
    tip.style.top = (below + height > window.innerHeight && box.top - height - 8 > 0 ? box.top - height - 8 : below) + "px";
  }
  function show(target) {
    clearTimeout(hideTimer);
    if (current === target && !tip.hidden) { return; }
    current = target;
    tip.textContent = "";
    tip.className = "clinicpress-tip";
    target.dataset.clinicpressIds.split(" ").forEach(function (id) {
      var section = element("div", "clinicpress-tip-item clinicpress-" + findings[id].severity);
      describe(findings[id], section, "p");
      tip.appendChild(section);
    });
    tip.hidden = false;
    place();
  }
  function hide() { tip.hidden = true; current = null; }
  function targetOf(node) {  // what shows a tooltip: a mark, or the link or question that holds one
    return node && node.closest ? node.closest("mark.clinicpress-finding, .clinicpress-finding-target") : null;
  }
  document.addEventListener("focusin", function (event) {
    var target = targetOf(event.target);
    if (target) { show(target); } else if (!tip.contains(event.target)) { hide(); }
  });
  document.addEventListener("focusout", function (event) {
    if (targetOf(event.target) && !targetOf(event.relatedTarget)) { hide(); }
  });
  document.addEventListener("mouseover", function (event) {
    var target = targetOf(event.target);
    if (target) { show(target); } else if (tip.contains(event.target)) { clearTimeout(hideTimer); }
  });
  document.addEventListener("mouseout", function (event) {
    if ((targetOf(event.target) || tip.contains(event.target)) && current && current !== document.activeElement) {
      clearTimeout(hideTimer);
      hideTimer = setTimeout(hide, 300);  // time to move the pointer onto the tooltip
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !tip.hidden) { hide(); }
  });
  window.addEventListener("scroll", place, { passive: true });
  window.addEventListener("resize", place);
})
