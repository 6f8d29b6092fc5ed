/* ClinicPress site search, on /<lang>/search/ only. The form works as a plain GET form (?q=...), so a
   search can be linked and the header's search box needs no script. Nothing is loaded until there is
   a query: then Pagefind's index (/pagefind/), and for a Korean query the rule file that strips
   particles and endings (search-rules.json), as the index holds each noun apart from its particles.
   The index holds Hangul as conjoining jamo (NFD), which Pagefind splits into small chunks: queries are
   looked up in that form and results shown composed again. After each Korean word it holds the words
   found inside it, marked with U+2063 (an invisible separator): excerpts are built from the words as
   written, the marked ones left out, and start after the title and the tags (a result shows them apart). */
(function () {
  "use strict";

  var MARK = "\u2063";
  var HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/;
  var SEGMENT = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]+|[^\s\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]+/g;
  var SYLLABLES = /[\uac00-\ud7a3]+/g;
  var SHOWN = 5;  // results shown at a time: each needs its record downloaded
  var EXCERPT_WORDS = 24;  // words in an excerpt

  var form = document.querySelector("[data-search]");
  if (!form) {
    return;
  }
  var input = form.querySelector("input[name=q]");
  var status = document.querySelector("[data-search-status]");
  var list = document.querySelector("[data-search-results]");
  var tagsHint = document.querySelector("[data-search-tags]");
  var moreButton = document.querySelector("[data-search-more]");  // its paragraph: hidden while all are shown
  var shownResults = null;
  var messages = JSON.parse(form.getAttribute("data-search-messages"));
  var lang = document.documentElement.lang;
  var pagefind = null;
  var rules = null;
  var latest = 0;
  var timer = null;

  function jamo(text) {
    return text.replace(SYLLABLES, function (run) { return run.normalize("NFD"); });
  }

  function composed(text) {
    return (text || "").normalize("NFC");
  }

  function wordCount(texts) {
    return texts.join(" ").split(/\s+/).filter(Boolean).length;
  }

  function say(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) {
      return values && key in values ? values[key] : all;
    });
  }

  function counted(forms, count, values) {
    var kind = "other";
    try {
      kind = new Intl.PluralRules(lang).select(count);
    } catch (e) { /* an unknown language: "other" */ }
    return say(forms[kind] || forms.other, values);
  }

  function load() {
    if (!pagefind) {
      pagefind = import(form.getAttribute("data-search-bundle") + "pagefind.js").then(function (module) {
        return module.options({ baseUrl: "/" }).then(function () { return module; });
      });
    }
    return pagefind;
  }

  function loadRules(query) {
    if (!HANGUL.test(query)) {
      return Promise.resolve(null);
    }
    if (!rules) {
      rules = fetch(form.getAttribute("data-search-rules")).then(function (response) {
        return response.ok ? response.json() : null;
      }).catch(function () {
        return null;  // without the rules, Korean words are looked for as typed
      });
    }
    return rules;
  }

  // A Korean word without the particle or ending at its end: 필러를 -> 필러, 부작용이 -> 부작용. Words of
  // other scripts are left to Pagefind (which stems English). A word that mixes scripts is split: HA필러 -> HA 필러.
  function longestFirst(list) {
    return list.slice().sort(function (a, b) { return b[0].length - a[0].length; });
  }

  function normalise(query, found) {
    var rules = found ? found.hangul : { replacements: [], suffixes: [], min_stem: 1 };
    // Endings merged into the stem are written back (녹여요 -> 녹이); else particles and endings are cut.
    var changes = longestFirst(rules.replacements).concat(longestFirst(rules.suffixes.map(function (suffix) {
      return [suffix, ""];
    })));
    var words = [];
    query.normalize("NFC").toLowerCase().split(/\s+/).forEach(function (word) {
      (word.match(SEGMENT) || []).forEach(function (part) {
        if (HANGUL.test(part)) {
          for (var i = 0; i < changes.length; i++) {
            var ending = changes[i][0];
            if (part.length - ending.length >= rules.min_stem && part.slice(-ending.length) === ending) {
              part = part.slice(0, -ending.length) + changes[i][1];
              break;
            }
          }
        }
        words.push(part);
      });
    });
    return words.join(" ");
  }

  // The search as normalised. A word cut down to one syllable may have lost a syllable of its own (눈가 ->
  // 눈, 주의 -> 주): then the search as written is added, so a post that holds the very form typed ranks higher.
  function find(api, query, normalised) {
    var searches = [api.search(jamo(normalised))];
    var typed = query.normalize("NFC").toLowerCase().trim();
    var short = normalised.split(" ").some(function (word) { return word.length === 1 && HANGUL.test(word); });
    if (short && typed !== normalised) {
      searches.push(api.search(jamo(typed)));
    }
    return Promise.all(searches).then(function (found) {
      var byId = {};
      var merged = [];
      found.forEach(function (search) {
        (search && search.results || []).forEach(function (result) {
          if (byId[result.id]) {
            byId[result.id].score += result.score;
          } else {
            byId[result.id] = { id: result.id, score: result.score, result: result };
            merged.push(byId[result.id]);
          }
        });
      });
      merged.sort(function (a, b) { return b.score - a.score; });
      return merged.map(function (item) { return item.result; });
    });
  }

  // The words as written (marked words left out) after the first `skip` of them, around the densest
  // stretch of matches, matches marked.
  function excerpt(content, locations, skip) {
    var words = content.split(/[\r\n\s]+/g);
    var shown = [];
    var owner = [];
    for (var i = 0; i < words.length; i++) {
      if (words[i].charAt(0) === MARK) {
        owner.push(shown.length - 1 - skip);
      } else {
        owner.push(shown.length - skip);
        shown.push(composed(words[i]));
      }
    }
    shown = shown.slice(skip);
    var hit = {};
    (locations || []).forEach(function (location) {
      if (owner[location] >= 0) {
        hit[owner[location]] = true;
      }
    });
    var start = 0;
    var best = -1;
    for (var s = 0; s < Math.max(1, shown.length - EXCERPT_WORDS + 1); s++) {
      var count = 0;
      for (var w = s; w < s + EXCERPT_WORDS && w < shown.length; w++) {
        count += hit[w] ? 1 : 0;
      }
      if (count > best) {
        best = count;
        start = s;
      }
    }
    start = Math.max(0, Math.min(start, shown.length - EXCERPT_WORDS));
    var paragraph = document.createElement("p");
    paragraph.className = "search-excerpt";
    if (start > 0) {
      paragraph.appendChild(document.createTextNode("… "));
    }
    for (var k = start; k < Math.min(shown.length, start + EXCERPT_WORDS); k++) {
      if (k > start) {
        paragraph.appendChild(document.createTextNode(" "));
      }
      if (hit[k]) {
        var mark = document.createElement("mark");
        mark.textContent = shown[k];
        paragraph.appendChild(mark);
      } else {
        paragraph.appendChild(document.createTextNode(shown[k]));
      }
    }
    if (start + EXCERPT_WORDS < shown.length) {
      paragraph.appendChild(document.createTextNode(" …"));
    }
    return paragraph;
  }

  function item(data) {
    var entry = document.createElement("li");
    entry.className = "search-result";
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = composed(data.meta.title) || data.url;
    heading.appendChild(link);
    entry.appendChild(heading);
    if (data.meta.date) {
      var date = document.createElement("p");
      date.className = "meta";
      date.textContent = composed(data.meta.date);
      entry.appendChild(date);
    }
    var tags = (data.filters && data.filters.tag) || [];
    var series = (data.filters && data.filters.series) || [];
    entry.appendChild(excerpt(data.content, data.locations, wordCount([data.meta.title || ""].concat(tags, series))));
    if (tags.length) {
      var tagList = document.createElement("ul");
      tagList.className = "tags";
      tagList.setAttribute("aria-label", messages.result_tags);
      tags.forEach(function (tag) {
        var one = document.createElement("li");
        one.textContent = "#" + tag;
        tagList.appendChild(one);
      });
      entry.appendChild(tagList);
    }
    return entry;
  }

  // The next SHOWN results after those on the list (each needs its record fetched); the first search
  // replaces the list, "more" adds to it and moves the focus to the first one added.
  function show(query, results, ticket, more) {
    var from = more ? list.children.length : 0;
    var batch = results.slice(from, from + SHOWN);
    return Promise.all(batch.map(function (result) { return result.data(); })).then(function (data) {
      if (ticket !== latest) {
        return;
      }
      if (!more) {
        list.textContent = "";
      }
      data.forEach(function (one) { list.appendChild(item(one)); });
      list.hidden = list.children.length === 0;
      moreButton.hidden = list.children.length >= results.length;
      if (tagsHint) {
        tagsHint.hidden = results.length !== 0;
      }
      status.textContent = results.length ? counted(messages.count, results.length, { count: results.length, query: query })
        : say(messages.none, { query: query });
      if (more && data.length) {
        list.children[from].querySelector("a").focus();
      }
      shownResults = { query: query, results: results, ticket: ticket };
      form.setAttribute("data-search-done", query);
    });
  }

  function search(query) {
    query = query.trim();
    var ticket = ++latest;
    if (!query) {
      list.textContent = "";
      list.hidden = true;
      moreButton.hidden = true;
      status.textContent = "";
      return Promise.resolve();
    }
    status.textContent = messages.loading;
    return Promise.all([load(), loadRules(query)]).then(function (loaded) {
      var normalised = normalise(query, loaded[1]);
      return find(loaded[0], query, normalised).then(function (results) {
        return ticket === latest ? show(query, results, ticket) : null;
      });
    }).catch(function () {
      if (ticket === latest) {
        status.textContent = messages.failed;
        pagefind = null;
        rules = null;
      }
    });
  }

  function remember(query) {
    var address = new URL(window.location.href);
    if (query) {
      address.searchParams.set("q", query);
    } else {
      address.searchParams.delete("q");
    }
    window.history.replaceState(null, "", address.toString());
  }

  moreButton.querySelector("button").addEventListener("click", function () {
    if (shownResults && shownResults.ticket === latest) {
      show(shownResults.query, shownResults.results, latest, true);
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    remember(input.value.trim());
    search(input.value);
  });
  input.addEventListener("input", function (event) {
    if (event.isComposing) {
      return;  // Korean being composed: wait for the syllable
    }
    clearTimeout(timer);
    timer = setTimeout(function () {
      remember(input.value.trim());
      search(input.value);
    }, 300);
  });
  input.addEventListener("compositionend", function () {
    input.dispatchEvent(new Event("input"));
  });

  window.clinicpressSearch = { normalise: normalise, loadRules: loadRules };

  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    input.value = initial;
    search(initial);
  }
})();
