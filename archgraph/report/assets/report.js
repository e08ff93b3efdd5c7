// archgraph report viewer: draws the module graph that Graphviz laid out in Python, and makes it
// interactive (search, focus a neighbourhood, collapse packages, highlight violations).
// Below the overview, any package opens as its own small layered graph, laid out here: its
// children, and the packages outside it that it imports or is imported by.
// Hand-written on purpose, no library: it only draws boxes and paths and keeps a little state.
// Every text from the analyzed code goes through textContent, never through innerHTML.
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("archgraph-data").textContent);
  var svg = document.getElementById("graph");
  var statusLine = document.getElementById("status");
  var info = document.getElementById("info");
  var crumbs = document.getElementById("crumbs");

  var nodesById = new Map();
  data.nodes.forEach(function (node) { nodesById.set(node.id, node); });
  var packagesById = new Map();
  data.packages.forEach(function (pkg) { packagesById.set(pkg.id, pkg); });
  var topDepth = Math.min.apply(null, data.packages.map(depthOf).concat([99]));

  // Every module, and every package implied by a dotted name (namespace packages included).
  var allModules = data.modules;
  var moduleSet = new Set(allModules);
  var childrenOf = new Map();  // package -> Set of direct children
  allModules.concat(data.nodes.map(function (n) { return n.id; })).forEach(function (name) {
    var parts = name.split(".");
    for (var length = 1; length < parts.length; length += 1) {
      var pkg = parts.slice(0, length).join(".");
      if (!childrenOf.has(pkg)) { childrenOf.set(pkg, new Set()); }
      childrenOf.get(pkg).add(parts.slice(0, length + 1).join("."));
    }
  });
  var importPairs = [];
  for (var index = 0; index + 1 < data.imports.length; index += 2) {
    importPairs.push([allModules[data.imports[index]], allModules[data.imports[index + 1]]]);
  }
  var violatingSteps = new Map();  // module-level "a\0b" -> Set of contracts
  data.chains.forEach(function (chain) {
    chain.steps.forEach(function (step) {
      var key = edgeKey(step[0], step[1]);
      if (!violatingSteps.has(key)) { violatingSteps.set(key, new Set()); }
      violatingSteps.get(key).add(chain.contract);
    });
  });

  var state = {
    collapsed: new Set(),  // package ids drawn as one box in the overview
    opened: null,          // null: the overview; else the package drawn on its own
    focus: null,           // a drawn node id
    radius: 1,
    highlight: null,       // {chains: [indexes], nodes: [...], edges: [...]} as chosen
    view: { x: 0, y: 0, w: Math.max(data.width, 1), h: Math.max(data.height, 1) }
  };
  var current = { edges: [], boxes: new Map(), width: data.width, height: data.height };

  function depthOf(item) { return item.id.split(".").length; }
  function within(id, pkg) { return id === pkg || id.indexOf(pkg + ".") === 0; }
  function edgeKey(source, target) { return source + "\u0000" + target; }
  function parentOf(id) { var at = id.lastIndexOf("."); return at < 0 ? null : id.slice(0, at); }
  function isPackage(id) { return childrenOf.has(id); }
  function lastPart(id) { return id.slice(id.lastIndexOf(".") + 1); }

  function make(name, attributes, parent) {
    var element = document.createElementNS(SVG_NS, name);
    Object.keys(attributes).forEach(function (key) {
      element.setAttribute(key, String(attributes[key]));
    });
    if (parent) { parent.appendChild(element); }
    return element;
  }

  function text(parent, x, y, content, className) {
    var element = make("text", { x: x, y: y, "class": className || "" }, parent);
    element.textContent = content;
    return element;
  }

  // --- the overview (Graphviz's layout) --------------------------------------------------------

  // The outermost collapsed package that contains the id, else the id itself.
  function representative(id) {
    var parts = id.split(".");
    for (var length = 1; length <= parts.length; length += 1) {
      var prefix = parts.slice(0, length).join(".");
      if (state.collapsed.has(prefix)) { return prefix; }
    }
    return id;
  }

  // The overview box a module is drawn in: its own, or its collapsed ancestor's.
  function overviewNodeOf(module) {
    var id = module;
    while (id !== null && !nodesById.has(id) && !packagesById.has(id)) { id = parentOf(id); }
    return id === null ? null : representative(id);
  }

  function hiddenPackage(pkg) {
    return representative(pkg.id) !== pkg.id;
  }

  function membersIn(pkgId) {
    var count = 0;
    data.nodes.forEach(function (node) { if (within(node.id, pkgId)) { count += node.members; } });
    return count;
  }

  function overviewBox(id) {
    var node = nodesById.get(id);
    if (node && !state.collapsed.has(id)) {
      return { x: node.x, y: node.y, w: node.w, h: node.h };
    }
    var pkg = packagesById.get(id);
    return {
      x: (pkg.left + pkg.right) / 2, y: (pkg.top + pkg.bottom) / 2,
      w: pkg.right - pkg.left, h: pkg.bottom - pkg.top
    };
  }

  function boxOf(id) {
    return state.opened === null ? overviewBox(id) : current.boxes.get(id);
  }

  // Where the segment from a box's centre towards (x, y) leaves the box.
  function border(box, x, y) {
    var dx = x - box.x, dy = y - box.y;
    if (dx === 0 && dy === 0) { return { x: box.x, y: box.y }; }
    var scale = Math.min(
      dx !== 0 ? (box.w / 2) / Math.abs(dx) : Infinity,
      dy !== 0 ? (box.h / 2) / Math.abs(dy) : Infinity
    );
    return { x: box.x + dx * scale, y: box.y + dy * scale };
  }

  // The edges as currently drawn: graphviz's own for visible ends, aggregated straight ones
  // between collapsed packages.
  function visibleEdges() {
    var drawn = new Map();
    data.edges.forEach(function (edge) {
      var source = representative(edge.s), target = representative(edge.t);
      if (source === target) { return; }
      var key = edgeKey(source, target);
      var entry = drawn.get(key);
      if (!entry) {
        entry = { s: source, t: target, imports: 0, contracts: new Set(), cycle: false,
                  path: null, lx: null, ly: null };
        drawn.set(key, entry);
      }
      entry.imports += edge.imports;
      edge.contracts.forEach(function (c) { entry.contracts.add(c); });
      entry.cycle = entry.cycle || edge.cycle;
      if (source === edge.s && target === edge.t) {
        entry.path = edge.path; entry.lx = edge.lx; entry.ly = edge.ly;
      }
    });
    return Array.from(drawn.values());
  }

  function arrowMarkers() {
    var defs = make("defs", {}, svg);
    ["import", "violation", "cycle"].forEach(function (kind) {
      var marker = make("marker", { id: "arrow-" + kind, viewBox: "0 0 10 10", refX: 9, refY: 5,
        markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, defs);
      make("path", { d: "M0,0L10,5L0,10z", "class": "arrow " + kind }, marker);
    });
  }

  function drawEdge(layer, edge, boxes) {
    var kind = edge.contracts.size ? "violation" : (edge.cycle ? "cycle" : "import");
    var classes = "edge " + kind + (edge.cycle ? " in-cycle" : "");
    var group = make("g", { "class": classes, "data-s": edge.s, "data-t": edge.t }, layer);
    var d = edge.path;
    var from = boxes(edge.s), to = boxes(edge.t);
    var middle = null;
    if (!d) {
      // A gentle bend to the left of the direction of travel: the two imports between a pair
      // part, and an edge that skips a row does not run along the ones that do not.
      var start = border(from, to.x, to.y), end = border(to, from.x, from.y);
      var dx = end.x - start.x, dy = end.y - start.y, length = Math.sqrt(dx * dx + dy * dy) || 1;
      var offset = Math.min(90, 0.18 * length);
      var cx = (start.x + end.x) / 2 + dy / length * offset, cy = (start.y + end.y) / 2 - dx / length * offset;
      d = "M" + start.x + "," + start.y + "Q" + cx + "," + cy + " " + end.x + "," + end.y;
      middle = { x: 0.25 * start.x + 0.5 * cx + 0.25 * end.x, y: 0.25 * start.y + 0.5 * cy + 0.25 * end.y };
    }
    make("path", { d: d, "marker-end": "url(#arrow-" + kind + ")" }, group);
    // Graphviz kept room for the overview's labels; the opened package's straight edges have
    // none, so there only counts (the contracts are in the edge's tooltip).
    var contracts = Array.from(edge.contracts).sort().join(", ");
    var label = edge.contracts.size && edge.path ? contracts : (edge.imports > 1 ? String(edge.imports) : "");
    if (label && edge.path && edge.lx !== null) {
      text(group, edge.lx, edge.ly + 3, label, "edge-label");
    } else if (label && middle) {
      text(group, middle.x, middle.y + 3, label, "edge-label");
    }
    make("title", {}, group).textContent = edge.s + " \u2192 " + edge.t + ": " + edge.imports + " import(s)" +
      (contracts ? "\nviolates: " + contracts : "");
  }

  function renderOverview() {
    var clusters = make("g", { "class": "clusters" }, svg);
    var edgesLayer = make("g", { "class": "edges" }, svg);
    var nodesLayer = make("g", { "class": "nodes" }, svg);
    var layerLabels = make("g", { "class": "layers" }, svg);

    data.layers.forEach(function (layer) { text(layerLabels, layer.x, layer.y, layer.label, "layer-label"); });

    data.packages.slice().sort(function (a, b) { return depthOf(a) - depthOf(b); })
      .forEach(function (pkg) {
        if (hiddenPackage(pkg)) { return; }
        var collapsed = state.collapsed.has(pkg.id);
        var group = make("g", { "class": collapsed ? "node package collapsed" : "cluster",
                                "data-id": pkg.id }, collapsed ? nodesLayer : clusters);
        if (collapsed) { group.setAttribute("data-node", pkg.id); }
        make("rect", { x: pkg.left, y: pkg.top, width: pkg.right - pkg.left,
                       height: pkg.bottom - pkg.top, rx: 6 }, group);
        var label = collapsed
          ? "\u25b8 " + pkg.id + " (" + membersIn(pkg.id) + " modules)"
          : "\u25be " + pkg.id;
        var toggle = text(group, pkg.left + 6, pkg.top + 13, label, "toggle");
        toggle.setAttribute("data-toggle", pkg.id);
        make("title", {}, toggle).textContent = (collapsed ? "expand " : "collapse ") + pkg.id;
        if (!collapsed) {  // a collapsed box opens when clicked; an expanded one by its link
          var open = text(group, pkg.left + 14 + toggle.getComputedTextLength(), pkg.top + 13,
                          "open \u25b8", "toggle open-link");
          open.setAttribute("data-open-package", pkg.id);
          make("title", {}, open).textContent = "open " + pkg.id + " on its own";
        }
      });

    current.edges = visibleEdges();
    current.width = data.width;
    current.height = data.height;
    current.edges.forEach(function (edge) { drawEdge(edgesLayer, edge, overviewBox); });

    data.nodes.forEach(function (node) {
      if (representative(node.id) !== node.id) { return; }
      var classes = ["node", node.collapsed ? "package" : "module"];
      if (node.contracts.length) { classes.push("violating"); }
      if (node.namespace) { classes.push("namespace"); }
      if (node.external) { classes.push("external"); }
      if (node.focus) { classes.push("initial-focus"); }
      var group = make("g", { "class": classes.join(" "), "data-node": node.id, "data-id": node.id }, nodesLayer);
      make("rect", { x: node.x - node.w / 2, y: node.y - node.h / 2, width: node.w, height: node.h,
                     rx: node.collapsed ? 2 : 6 }, group);
      text(group, node.x, node.y + 3.5, node.label, "label");
      make("title", {}, group).textContent = node.id + (node.layer ? "\nlayer: " + node.layer : "") +
        (node.contracts.length ? "\nviolations: " + node.contracts.join(", ") : "") +
        (node.collapsed && isPackage(node.id) ? "\nclick to open" : "");
    });
  }

  // --- one package opened (laid out here) ------------------------------------------------------

  // The box a module is drawn in when `pkg` is open: a child of pkg, or outside it the package
  // one level below what the two have in common (a sibling, an uncle...).
  function openedNodeOf(module, pkg) {
    if (module === pkg) { return pkg; }
    if (within(module, pkg)) {
      return pkg + "." + module.slice(pkg.length + 1).split(".")[0];
    }
    var a = module.split("."), b = pkg.split(".");
    var common = 0;
    while (common < a.length && common < b.length && a[common] === b[common]) { common += 1; }
    return a.slice(0, Math.min(common + 1, a.length)).join(".");
  }

  function packageGraph(pkg) {
    var nodes = new Map();
    function add(id, outside) {
      if (nodes.has(id)) { return nodes.get(id); }
      var node = { id: id, outside: outside, members: 0, contracts: new Set(),
                   pkg: isPackage(id) && id !== pkg };
      nodes.set(id, node);
      return node;
    }
    allModules.forEach(function (module) {
      if (within(module, pkg)) { add(openedNodeOf(module, pkg), false).members += 1; }
    });
    var edges = new Map();
    importPairs.forEach(function (pair) {
      var inside = within(pair[0], pkg), insideToo = within(pair[1], pkg);
      if (!inside && !insideToo) { return; }
      var s = openedNodeOf(pair[0], pkg), t = openedNodeOf(pair[1], pkg);
      if (s === t) { return; }
      add(s, !inside); add(t, !insideToo);
      var key = edgeKey(s, t);
      var edge = edges.get(key);
      if (!edge) {
        edge = { s: s, t: t, imports: 0, contracts: new Set(), cycle: false, path: null };
        edges.set(key, edge);
      }
      edge.imports += 1;
      var contracts = violatingSteps.get(edgeKey(pair[0], pair[1]));
      if (contracts) {
        contracts.forEach(function (c) {
          edge.contracts.add(c); nodes.get(s).contracts.add(c); nodes.get(t).contracts.add(c);
        });
      }
    });
    edges.forEach(function (edge) { edge.cycle = edges.has(edgeKey(edge.t, edge.s)); });
    return { nodes: Array.from(nodes.values()), edges: Array.from(edges.values()) };
  }

  function nodeLabel(node, pkg) {
    if (node.id === pkg) { return "__init__"; }
    if (node.outside) { return node.id + (node.pkg ? " \u25b8" : ""); }
    return lastPart(node.id) + (node.pkg ? " \u25b8 (" + node.members + ")" : "");
  }

  function lineUp(ids, edges) {
    var remaining = new Set(ids), front = [], back = [];
    var outW = new Map(), inW = new Map(), outs = new Map(), ins = new Map();
    ids.forEach(function (id) { outW.set(id, 0); inW.set(id, 0); outs.set(id, []); ins.set(id, []); });
    // Of two imports between a pair, the lighter one points back anyway: leaving it out of the
    // weights keeps one stray import from turning a heavy package into a "source".
    var weight = new Map();
    edges.forEach(function (e) { weight.set(edgeKey(e.s, e.t), e.imports); });
    edges.filter(function (e) {
      return !(weight.get(edgeKey(e.t, e.s)) > e.imports);
    }).forEach(function (e) {
      outW.set(e.s, outW.get(e.s) + e.imports); inW.set(e.t, inW.get(e.t) + e.imports);
      outs.get(e.s).push(e); ins.get(e.t).push(e);
    });
    function remove(id) {
      remaining.delete(id);
      outs.get(id).forEach(function (e) { inW.set(e.t, inW.get(e.t) - e.imports); });
      ins.get(id).forEach(function (e) { outW.set(e.s, outW.get(e.s) - e.imports); });
    }
    while (remaining.size) {
      var changed = true;
      while (changed) {
        changed = false;
        ids.forEach(function (id) {
          if (remaining.has(id) && outW.get(id) === 0) { back.unshift(id); remove(id); changed = true; }
        });
        ids.forEach(function (id) {
          if (remaining.has(id) && inW.get(id) === 0) { front.push(id); remove(id); changed = true; }
        });
      }
      var best = null, bestScore = -Infinity;
      ids.forEach(function (id) {
        if (remaining.has(id) && outW.get(id) - inW.get(id) > bestScore) {
          best = id; bestScore = outW.get(id) - inW.get(id);
        }
      });
      if (best !== null) { front.push(best); remove(best); }
    }
    var position = new Map();
    front.concat(back).forEach(function (id, index) { position.set(id, index); });
    return position;
  }

  // A layered layout: nodes put in a line so that few and light imports point backwards
  // (Eades, Lin and Smyth's greedy order: sinks last, sources first, else the node with the
  // most weight out), ranks by longest path along the forward imports, long ranks wrapped
  // into rows so the picture stays near the pane's shape, order within a row by the mean
  // position of the nodes above.
  function layered(nodes, edges) {
    var ids = nodes.map(function (n) { return n.id; }).sort();
    var incoming = new Map();
    ids.forEach(function (id) { incoming.set(id, []); });
    var order = lineUp(ids, edges);
    edges.forEach(function (e) {
      if (order.get(e.s) < order.get(e.t)) { incoming.get(e.t).push(e.s); }
    });
    var rank = new Map();
    function rankOf(id) {
      if (rank.has(id)) { return rank.get(id); }
      rank.set(id, 0);
      var best = 0;
      incoming.get(id).forEach(function (source) { best = Math.max(best, rankOf(source) + 1); });
      rank.set(id, best);
      return best;
    }
    ids.forEach(rankOf);
    var byRank = [];
    ids.forEach(function (id) {
      var r = rank.get(id);
      (byRank[r] = byRank[r] || []).push(id);
    });
    var perRow = Math.max(6, Math.ceil(Math.sqrt(nodes.length * 1.6)));
    var rows = [], position = new Map();
    byRank.forEach(function (members) {
      if (!members) { return; }
      members.sort(function (a, b) {
        var pa = mean(a), pb = mean(b);
        return pa - pb || (a < b ? -1 : 1);
      });
      for (var start = 0; start < members.length; start += perRow) {
        var row = members.slice(start, start + perRow);
        row.forEach(function (id, column) { position.set(id, column / Math.max(row.length, 1)); });
        rows.push(row);
      }
    });
    function mean(id) {
      var sources = incoming.get(id).filter(function (s) { return position.has(s); });
      if (!sources.length) { return 0.5; }
      return sources.reduce(function (sum, s) { return sum + position.get(s); }, 0) / sources.length;
    }
    return rows;
  }

  function renderPackage(pkg) {
    var graph = packageGraph(pkg);
    var byId = new Map();
    graph.nodes.forEach(function (node) {
      node.label = nodeLabel(node, pkg);
      node.w = Math.max(70, node.label.length * 6.6 + 18);
      node.h = 28;
      byId.set(node.id, node);
    });
    var rows = layered(graph.nodes, graph.edges);
    var gap = 16, rowPitch = 74, margin = 30;
    var widths = rows.map(function (row) {
      return row.reduce(function (sum, id) { return sum + byId.get(id).w + gap; }, -gap);
    });
    var width = Math.max.apply(null, widths.concat([200])) + 2 * margin;
    current.boxes = new Map();
    rows.forEach(function (row, rowIndex) {
      var x = (width - widths[rowIndex]) / 2;
      row.forEach(function (id) {
        var node = byId.get(id);
        node.x = x + node.w / 2;
        node.y = margin + 20 + rowIndex * rowPitch + node.h / 2;
        x += node.w + gap;
        current.boxes.set(id, { x: node.x, y: node.y, w: node.w, h: node.h });
      });
    });
    current.width = width;
    current.height = margin * 2 + 20 + rows.length * rowPitch;
    current.edges = graph.edges;

    text(svg, margin, margin, pkg + ": " + graph.nodes.filter(function (n) { return !n.outside; }).length +
      " parts, " + graph.nodes.filter(function (n) { return n.outside; }).length + " around it", "opened-title");
    var edgesLayer = make("g", { "class": "edges" }, svg);
    var nodesLayer = make("g", { "class": "nodes" }, svg);
    graph.edges.forEach(function (edge) {
      drawEdge(edgesLayer, edge, function (id) { return current.boxes.get(id); });
    });
    graph.nodes.forEach(function (node) {
      var classes = ["node", node.pkg ? "package" : "module"];
      if (node.outside) { classes.push("outside"); }
      if (node.contracts.size) { classes.push("violating"); }
      var group = make("g", { "class": classes.join(" "), "data-node": node.id, "data-id": node.id }, nodesLayer);
      make("rect", { x: node.x - node.w / 2, y: node.y - node.h / 2, width: node.w, height: node.h,
                     rx: node.pkg ? 2 : 6 }, group);
      text(group, node.x, node.y + 4, node.label, "label");
      make("title", {}, group).textContent = node.id +
        (node.pkg ? "\n" + node.members + " module(s) inside: click to open" : "") +
        (node.contracts.size ? "\nviolations: " + Array.from(node.contracts).sort().join(", ") : "");
    });
  }

  // --- drawing and view ------------------------------------------------------------------------

  function render() {
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    arrowMarkers();
    if (state.opened === null) { renderOverview(); } else { renderPackage(state.opened); }
    document.body.setAttribute("data-opened", state.opened || "");
    renderCrumbs();
    applyView();
    applyClasses();
  }

  function renderCrumbs() {
    while (crumbs.firstChild) { crumbs.removeChild(crumbs.firstChild); }
    addCrumb("overview", null, state.opened === null);
    if (state.opened === null) { return; }
    var parts = state.opened.split(".");
    for (var length = 1; length <= parts.length; length += 1) {
      crumbs.appendChild(document.createTextNode(" \u203a "));
      var id = parts.slice(0, length).join(".");
      addCrumb(length === 1 ? id : parts[length - 1], id, length === parts.length);
    }
    function addCrumb(label, pkg, here) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link crumb" + (here ? " here" : "");
      button.textContent = label;
      button.setAttribute("data-open", pkg === null ? "" : pkg);
      button.addEventListener("click", function () { openPackage(pkg); });
      crumbs.appendChild(button);
    }
  }

  // The whole drawing, centred, at most 1.5 times life size (a small package stays small).
  function fitAll() {
    var w = Math.max(current.width, svg.clientWidth / 1.5, 1);
    var h = Math.max(current.height, svg.clientHeight / 1.5, 1);
    state.view = { x: (current.width - w) / 2, y: (current.height - h) / 2, w: w, h: h };
    applyView();
  }

  // Whether the overview, fitted to the pane, draws its boxes large enough to read.
  function overviewReadable() {
    if (!data.nodes.length) { return true; }
    var scale = Math.min(svg.clientWidth / Math.max(data.width, 1), svg.clientHeight / Math.max(data.height, 1));
    var heights = data.nodes.map(function (n) { return n.h; }).sort(function (a, b) { return a - b; });
    return heights[Math.floor(heights.length / 2)] * scale >= 12;
  }

  // The one package every module is in, if there is one.
  function rootPackage() {
    var roots = new Set(allModules.map(function (m) { return m.split(".")[0]; }));
    return roots.size === 1 && isPackage(Array.from(roots)[0]) ? Array.from(roots)[0] : null;
  }

  function openPackage(pkg) {
    state.opened = pkg;
    state.focus = null;
    info.hidden = true;
    render();
    fitAll();
    statusLine.textContent = pkg === null ? "" : "opened: " + pkg;
  }

  function applyView() {
    var v = state.view;
    svg.setAttribute("viewBox", [v.x, v.y, v.w, v.h].join(" "));
  }

  // Which drawn nodes are within `radius` imports of the focus, both ways.
  function neighbourhood(focus, radius) {
    var seen = new Set([focus]);
    var frontier = [focus];
    for (var step = 0; step < radius; step += 1) {
      var next = [];
      current.edges.forEach(function (edge) {
        frontier.forEach(function (id) {
          var other = edge.s === id ? edge.t : (edge.t === id ? edge.s : null);
          if (other !== null && !seen.has(other)) { seen.add(other); next.push(other); }
        });
      });
      frontier = next;
    }
    return seen;
  }

  // The drawn nodes and edges a set of violations touches, in whichever view is shown.
  function litByHighlight() {
    var lit = { nodes: new Set(), edges: new Set() };
    var drawnEdges = new Set(current.edges.map(function (e) { return edgeKey(e.s, e.t); }));
    var chains = state.highlight.chains.map(function (i) { return data.chains[i]; });
    chains.forEach(function (chain) {
      if (state.opened === null) {
        chain.nodes.forEach(function (id) { lit.nodes.add(representative(id)); });
        chain.edges.forEach(function (pair) {
          lit.edges.add(edgeKey(representative(pair[0]), representative(pair[1])));
        });
        chain.modules.forEach(function (module) {
          var id = overviewNodeOf(module);
          if (id !== null) { lit.nodes.add(id); }
        });
        return;
      }
      var pkg = state.opened;
      var touches = function (m) { return within(m, pkg); };
      chain.steps.forEach(function (step) {
        if (!touches(step[0]) && !touches(step[1])) { return; }
        var s = openedNodeOf(step[0], pkg), t = openedNodeOf(step[1], pkg);
        lit.nodes.add(s); lit.nodes.add(t);
        if (drawnEdges.has(edgeKey(s, t))) { lit.edges.add(edgeKey(s, t)); }
      });
      chain.modules.forEach(function (module) {
        if (touches(module)) { lit.nodes.add(openedNodeOf(module, pkg)); }
      });
    });
    return lit;
  }

  function applyClasses() {
    var nodes = svg.querySelectorAll("[data-node]");
    var edges = svg.querySelectorAll("g.edge");
    var near = state.focus ? neighbourhood(state.focus, state.radius) : null;
    var lit = state.highlight ? litByHighlight() : null;
    var drawnIds = new Set(Array.from(nodes).map(function (e) { return e.getAttribute("data-node"); }));
    // Dimming everything would leave an empty-looking pane: dim only when something is lit.
    if (lit && !Array.from(lit.nodes).some(function (id) { return drawnIds.has(id); })) { lit.none = true; }
    var dimLit = !!lit && !lit.none;
    nodes.forEach(function (element) {
      var id = element.getAttribute("data-node");
      element.classList.toggle("focused", id === state.focus);
      element.classList.toggle("neighbour", !!near && near.has(id) && id !== state.focus);
      element.classList.toggle("highlight", !!lit && lit.nodes.has(id));
      element.classList.toggle("dimmed", (!!near && !near.has(id)) || (dimLit && !lit.nodes.has(id)));
    });
    edges.forEach(function (element) {
      var source = element.getAttribute("data-s"), target = element.getAttribute("data-t");
      var inFocus = !!near && (source === state.focus || target === state.focus ||
                               (near.has(source) && near.has(target)));
      var inHighlight = !!lit && lit.edges.has(edgeKey(source, target));
      element.classList.toggle("highlight", inHighlight);
      element.classList.toggle("dimmed", (!!near && !inFocus) || (dimLit && !inHighlight));
    });
    return lit;
  }

  function expandTo(id) {
    Array.from(state.collapsed).forEach(function (pkg) {
      if (within(id, pkg) && id !== pkg) { state.collapsed.delete(pkg); }
    });
  }

  function focusNode(id) {
    if (state.opened === null) {
      if (!nodesById.has(id) && !packagesById.has(id)) { return; }
      expandTo(id);
      if (!nodesById.has(id)) { state.collapsed.add(id); }  // a package: show it as one box
    } else if (!current.boxes.has(id)) {
      return;
    }
    state.focus = id;
    state.highlight = null;
    render();
    fitTo(Array.from(neighbourhood(id, state.radius)).map(boxOf));
    showInfo(id);
    markSelection(null);
    statusLine.textContent = "focus: " + id;
  }

  // Show these boxes with a margin, never zooming in further than 3x the whole graph's scale.
  function fitTo(boxes) {
    var left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
    boxes.forEach(function (box) {
      left = Math.min(left, box.x - box.w / 2); right = Math.max(right, box.x + box.w / 2);
      top = Math.min(top, box.y - box.h / 2); bottom = Math.max(bottom, box.y + box.h / 2);
    });
    var margin = 40;
    // Never larger than 1.5 times life size: a single box must not fill the pane.
    var w = Math.max(right - left + 2 * margin, current.width / 3, 200, svg.clientWidth / 1.5);
    var h = Math.max(bottom - top + 2 * margin, current.height / 3, 150, svg.clientHeight / 1.5);
    state.view = { x: (left + right) / 2 - w / 2, y: (top + bottom) / 2 - h / 2, w: w, h: h };
    applyView();
  }

  function clearSelection() {
    state.focus = null;
    state.highlight = null;
    info.hidden = true;
    markSelection(null);
    statusLine.textContent = state.opened === null ? "" : "opened: " + state.opened;
    applyClasses();
  }

  function showInfo(id) {
    while (info.firstChild) { info.removeChild(info.firstChild); }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "close";
    close.title = "close (Escape clears the focus too)";
    close.textContent = "\u00d7";
    close.addEventListener("click", function () { info.hidden = true; });
    info.appendChild(close);
    var heading = document.createElement("h3");
    heading.textContent = id;
    info.appendChild(heading);
    var node = nodesById.get(id);
    if (state.opened === null && node && node.layer) { addLine("layer: " + node.layer); }
    if (state.opened === null && node && node.contracts.length) {
      addLine("violations: " + node.contracts.join(", "));
    }
    if (isPackage(id)) {
      var open = document.createElement("button");
      open.type = "button";
      open.className = "open-package";
      open.textContent = "open " + id + " \u25b8";
      open.addEventListener("click", function () { openPackage(id); });
      info.appendChild(open);
    }
    var edges = current.edges;
    addList("imports", edges.filter(function (e) { return e.s === id; }).map(function (e) { return e.t; }));
    addList("imported by", edges.filter(function (e) { return e.t === id; }).map(function (e) { return e.s; }));
    info.hidden = false;

    function addLine(content) {
      var line = document.createElement("p");
      line.textContent = content;
      info.appendChild(line);
    }
    function addList(title, ids) {
      addLine(title + " (" + ids.length + ")");
      var list = document.createElement("ul");
      ids.sort().forEach(function (other) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link";
        button.textContent = other;
        button.addEventListener("click", function () { focusNode(other); });
        item.appendChild(button);
        list.appendChild(item);
      });
      info.appendChild(list);
    }
  }

  function highlight(chains, selected, message) {
    state.focus = null;
    info.hidden = true;
    state.highlight = { chains: chains };
    var lit = applyClasses();
    var shown = Array.from(lit.nodes).map(boxOf).filter(function (box) { return !!box; });
    if (!lit.none && shown.length) { fitTo(shown); }
    markSelection(selected);
    statusLine.textContent = message + (lit.none ? " (none drawn in this view)" : "");
  }

  function markSelection(element) {
    document.querySelectorAll(".selected").forEach(function (other) { other.classList.remove("selected"); });
    if (element) { element.classList.add("selected"); }
  }

  function highlightContract(index, row) {
    var contract = data.contracts[index];
    highlight(contract.chains, row, contract.id + ": " + contract.chains.length + " violation(s)");
    var group = Array.from(document.querySelectorAll(".contract-group")).filter(function (g) {
      return g.getAttribute("data-contract-id") === contract.id;
    })[0];
    if (group) { group.open = true; }
  }

  function highlightChain(index, item) {
    var chain = data.chains[index];
    highlight([index], item, chain.contract + ": violation " + (index + 1));
  }

  // A module drawn where the user is, else in the overview, else in its package opened.
  function reveal(id) {
    if (state.opened !== null && current.boxes.has(id)) { focusNode(id); return; }
    if (nodesById.has(id) || packagesById.has(id)) {
      if (state.opened !== null) { state.opened = null; render(); }
      focusNode(id);
      return;
    }
    var pkg = isPackage(id) ? id : parentOf(id);
    if (pkg === null) { return; }
    openPackage(pkg);
    if (current.boxes.has(id)) { focusNode(id); }  // a package's own module shows as __init__
  }

  function search(query) {
    query = query.trim();
    if (!query) { return; }
    var lower = query.toLowerCase();
    var ids = allModules.concat(Array.from(childrenOf.keys()).filter(function (p) { return !moduleSet.has(p); }));
    data.nodes.forEach(function (node) { if (!moduleSet.has(node.id)) { ids.push(node.id); } });
    ids = Array.from(new Set(ids));
    var exact = ids.filter(function (id) { return id === query; });
    var found = exact.length ? exact : ids.filter(function (id) {
      return id.toLowerCase().indexOf(lower) !== -1;
    }).sort(function (a, b) { return a.length - b.length || (a < b ? -1 : 1); });
    if (!found.length) {
      statusLine.textContent = "no module matches \u201c" + query + "\u201d";
      return;
    }
    reveal(found[0]);
    if (found.length > 1) { statusLine.textContent += " (" + found.length + " matches)"; }
  }

  // Long lists show a page at a time; without this script every item shows.
  function paginate(container) {
    var size = parseInt(container.getAttribute("data-page-size"), 10) || 20;
    var items = Array.from(container.children);
    if (items.length <= size) { return; }
    // Hidden items do not count in a list's numbering: number each one for what it is.
    items.forEach(function (item, i) { if (item.tagName === "LI") { item.value = i + 1; } });
    var pager = document.createElement("div");
    pager.className = "pager";
    var previous = document.createElement("button");
    previous.type = "button";
    previous.textContent = "\u2039 previous";
    var where = document.createElement("span");
    var next = document.createElement("button");
    next.type = "button";
    next.textContent = "next \u203a";
    pager.appendChild(previous); pager.appendChild(where); pager.appendChild(next);
    container.parentNode.insertBefore(pager, container.nextSibling);
    var page = 0, pages = Math.ceil(items.length / size);
    function show() {
      items.forEach(function (item, i) { item.hidden = Math.floor(i / size) !== page; });
      where.textContent = " " + (page * size + 1) + "\u2013" + Math.min(items.length, (page + 1) * size) +
        " of " + items.length + " ";
      previous.disabled = page === 0;
      next.disabled = page === pages - 1;
    }
    previous.addEventListener("click", function () { page = Math.max(0, page - 1); show(); });
    next.addEventListener("click", function () { page = Math.min(pages - 1, page + 1); show(); });
    show();
  }

  // --- events ---------------------------------------------------------------------------------
  var names = document.getElementById("module-names");
  allModules.forEach(function (id) {
    var option = document.createElement("option");
    option.value = id;
    names.appendChild(option);
  });

  var searchBox = document.getElementById("search");
  // "change" also fires when the box loses focus: searching the same text again then would undo
  // whatever the click that took the focus away does (open a package, follow a crumb).
  var searched = null;
  searchBox.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); searched = searchBox.value; search(searchBox.value); }
  });
  searchBox.addEventListener("change", function () {
    if (searchBox.value !== searched) { searched = searchBox.value; search(searchBox.value); }
  });

  document.getElementById("radius").addEventListener("change", function (event) {
    state.radius = parseInt(event.target.value, 10) || 1;
    applyClasses();
  });
  document.getElementById("fit").addEventListener("click", fitAll);
  document.getElementById("clear").addEventListener("click", clearSelection);
  document.getElementById("collapse-all").addEventListener("click", function () {
    var level = data.packages.filter(function (p) { return depthOf(p) === topDepth + 1; });
    if (!level.length) { level = data.packages.filter(function (p) { return depthOf(p) === topDepth; }); }
    level.forEach(function (p) { state.collapsed.add(p.id); });
    state.focus = null;
    state.opened = null;
    render();
  });
  document.getElementById("expand-all").addEventListener("click", function () {
    state.collapsed.clear();
    render();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { clearSelection(); }
  });

  document.querySelectorAll("[data-contract]").forEach(function (row) {
    var index = parseInt(row.getAttribute("data-contract"), 10);
    row.addEventListener("click", function () { highlightContract(index, row); });
    row.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { highlightContract(index, row); }
    });
  });
  document.querySelectorAll("[data-chain]").forEach(function (item) {
    var index = parseInt(item.getAttribute("data-chain"), 10);
    item.addEventListener("click", function () { highlightChain(index, item); });
    item.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { highlightChain(index, item); }
    });
  });
  document.querySelectorAll("[data-page-size]").forEach(paginate);

  // Pan by dragging, zoom with the wheel; a click without drag selects or clears.
  var drag = null;
  svg.addEventListener("pointerdown", function (event) {
    drag = { x: event.clientX, y: event.clientY, moved: false };
  });
  svg.addEventListener("pointermove", function (event) {
    if (!drag || !event.buttons) { return; }
    var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; }
    if (drag.moved) {
      var scale = state.view.w / Math.max(svg.clientWidth, 1);
      state.view.x -= dx * scale;
      state.view.y -= dy * scale;
      drag.x = event.clientX;
      drag.y = event.clientY;
      applyView();
    }
  });
  svg.addEventListener("click", function (event) {
    var moved = drag && drag.moved;
    drag = null;
    if (moved) { return; }
    var opener = event.target.closest("[data-open-package]");
    if (opener) { openPackage(opener.getAttribute("data-open-package")); return; }
    var toggle = event.target.closest("[data-toggle]");
    if (toggle) {
      var pkg = toggle.getAttribute("data-toggle");
      if (state.collapsed.has(pkg)) { state.collapsed.delete(pkg); } else { state.collapsed.add(pkg); }
      if (state.focus && representative(state.focus) !== state.focus) { state.focus = null; }
      render();
      return;
    }
    var node = event.target.closest("[data-node]");
    if (!node) { clearSelection(); return; }
    var id = node.getAttribute("data-node");
    if (node.classList.contains("package") && isPackage(id)) { openPackage(id); return; }
    if (node.classList.contains("outside")) {
      if (isPackage(id)) { openPackage(id); } else { reveal(id); }
      return;
    }
    focusNode(id);
  });
  svg.addEventListener("wheel", function (event) {
    event.preventDefault();
    var factor = event.deltaY > 0 ? 1.15 : 1 / 1.15;
    var bounds = svg.getBoundingClientRect();
    var v = state.view;
    var px = v.x + (event.clientX - bounds.left) / Math.max(bounds.width, 1) * v.w;
    var py = v.y + (event.clientY - bounds.top) / Math.max(bounds.height, 1) * v.h;
    state.view = { x: px - (px - v.x) * factor, y: py - (py - v.y) * factor, w: v.w * factor, h: v.h * factor };
    applyView();
  }, { passive: false });

  // A big project's overview fitted to the pane is too small to read: start from its root
  // package opened instead (the overview is one click away, in the path above the graph).
  var start = overviewReadable() ? null : rootPackage();
  if (start === null) { render(); } else { openPackage(start); }
  document.body.setAttribute("data-ready", "true");
}());
