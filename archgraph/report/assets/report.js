// archgraph report viewer: draws the module graph that Graphviz laid out in Python, and makes it
// interactive (search, focus a neighbourhood, collapse packages, highlight violations).
// Hand-written on purpose, no library: it only draws boxes and paths and keeps a little state.
// Every text from the analyzed code goes through textContent, never through innerHTML.
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("archgraph-data").textContent);
  var svg = document.getElementById("graph");
  var statusLine = document.getElementById("status");
  var info = document.getElementById("info");

  var nodesById = new Map();
  data.nodes.forEach(function (node) { nodesById.set(node.id, node); });
  var packagesById = new Map();
  data.packages.forEach(function (pkg) { packagesById.set(pkg.id, pkg); });
  var topDepth = Math.min.apply(null, data.packages.map(depthOf).concat([99]));

  var state = {
    collapsed: new Set(),  // package ids drawn as one box
    focus: null,           // a drawn node id
    radius: 1,
    highlight: null,       // {nodes: Set, edges: Set} in module-level view ids
    view: { x: 0, y: 0, w: Math.max(data.width, 1), h: Math.max(data.height, 1) }
  };

  function depthOf(item) { return item.id.split(".").length; }
  function within(id, pkg) { return id === pkg || id.indexOf(pkg + ".") === 0; }
  function edgeKey(source, target) { return source + "\u0000" + target; }

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

  // The outermost collapsed package that contains the id, else the id itself.
  function representative(id) {
    var parts = id.split(".");
    for (var length = 1; length <= parts.length; length += 1) {
      var prefix = parts.slice(0, length).join(".");
      if (state.collapsed.has(prefix)) { return prefix; }
    }
    return id;
  }

  function hiddenPackage(pkg) {
    return representative(pkg.id) !== pkg.id;
  }

  function membersIn(pkgId) {
    var count = 0;
    data.nodes.forEach(function (node) { if (within(node.id, pkgId)) { count += node.members; } });
    return count;
  }

  function boxOf(id) {
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
                  original: [], path: null, lx: null, ly: null };
        drawn.set(key, entry);
      }
      entry.imports += edge.imports;
      edge.contracts.forEach(function (c) { entry.contracts.add(c); });
      entry.cycle = entry.cycle || edge.cycle;
      entry.original.push(edgeKey(edge.s, edge.t));
      if (source === edge.s && target === edge.t) {
        entry.path = edge.path; entry.lx = edge.lx; entry.ly = edge.ly;
      }
    });
    return Array.from(drawn.values());
  }

  function render() {
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    var defs = make("defs", {}, svg);
    ["import", "violation", "cycle"].forEach(function (kind) {
      var marker = make("marker", { id: "arrow-" + kind, viewBox: "0 0 10 10", refX: 9, refY: 5,
        markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, defs);
      make("path", { d: "M0,0L10,5L0,10z", "class": "arrow " + kind }, marker);
    });
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
      });

    visibleEdges().forEach(function (edge) {
      var kind = edge.contracts.size ? "violation" : (edge.cycle ? "cycle" : "import");
      var classes = "edge " + kind + (edge.cycle ? " in-cycle" : "");
      var group = make("g", { "class": classes, "data-s": edge.s, "data-t": edge.t }, edgesLayer);
      var d = edge.path;
      if (!d) {
        var from = boxOf(edge.s), to = boxOf(edge.t);
        var start = border(from, to.x, to.y), end = border(to, from.x, from.y);
        d = "M" + start.x + "," + start.y + "L" + end.x + "," + end.y;
      }
      make("path", { d: d, "marker-end": "url(#arrow-" + kind + ")" }, group);
      var label = edge.contracts.size ? Array.from(edge.contracts).sort().join(", ")
        : (edge.imports > 1 ? String(edge.imports) : "");
      if (label && edge.path && edge.lx !== null) {
        text(group, edge.lx, edge.ly + 3, label, "edge-label");
      }
      make("title", {}, group).textContent = edge.s + " \u2192 " + edge.t + ": " + edge.imports + " import(s)";
    });

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
        (node.contracts.length ? "\nviolations: " + node.contracts.join(", ") : "");
    });
    applyView();
    applyClasses();
  }

  function applyView() {
    var v = state.view;
    svg.setAttribute("viewBox", [v.x, v.y, v.w, v.h].join(" "));
  }

  // Which drawn nodes are within `radius` imports of the focus, both ways.
  function neighbourhood(focus, radius) {
    var edges = visibleEdges();
    var seen = new Set([focus]);
    var frontier = [focus];
    for (var step = 0; step < radius; step += 1) {
      var next = [];
      edges.forEach(function (edge) {
        frontier.forEach(function (id) {
          var other = edge.s === id ? edge.t : (edge.t === id ? edge.s : null);
          if (other !== null && !seen.has(other)) { seen.add(other); next.push(other); }
        });
      });
      frontier = next;
    }
    return seen;
  }

  function applyClasses() {
    var nodes = svg.querySelectorAll("[data-node]");
    var edges = svg.querySelectorAll("g.edge");
    var near = state.focus ? neighbourhood(state.focus, state.radius) : null;
    var lit = null;
    if (state.highlight) {
      lit = { nodes: new Set(), edges: new Set() };
      state.highlight.nodes.forEach(function (id) { lit.nodes.add(representative(id)); });
      state.highlight.edges.forEach(function (pair) {
        lit.edges.add(edgeKey(representative(pair[0]), representative(pair[1])));
      });
    }
    nodes.forEach(function (element) {
      var id = element.getAttribute("data-node");
      element.classList.toggle("focused", id === state.focus);
      element.classList.toggle("neighbour", !!near && near.has(id) && id !== state.focus);
      element.classList.toggle("highlight", !!lit && lit.nodes.has(id));
      element.classList.toggle("dimmed", (!!near && !near.has(id)) || (!!lit && !lit.nodes.has(id)));
    });
    edges.forEach(function (element) {
      var source = element.getAttribute("data-s"), target = element.getAttribute("data-t");
      var inFocus = !!near && (source === state.focus || target === state.focus ||
                               (near.has(source) && near.has(target)));
      var inHighlight = !!lit && lit.edges.has(edgeKey(source, target));
      element.classList.toggle("highlight", inHighlight);
      element.classList.toggle("dimmed", (!!near && !inFocus) || (!!lit && !inHighlight));
    });
  }

  function expandTo(id) {
    Array.from(state.collapsed).forEach(function (pkg) {
      if (within(id, pkg) && id !== pkg) { state.collapsed.delete(pkg); }
    });
  }

  function focusNode(id) {
    if (!nodesById.has(id) && !packagesById.has(id)) { return; }
    expandTo(id);
    if (!nodesById.has(id)) { state.collapsed.add(id); }  // a package: show it as one box
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
    var w = Math.max(right - left + 2 * margin, data.width / 3, 200);
    var h = Math.max(bottom - top + 2 * margin, data.height / 3, 150);
    state.view = { x: (left + right) / 2 - w / 2, y: (top + bottom) / 2 - h / 2, w: w, h: h };
    applyView();
  }

  function clearSelection() {
    state.focus = null;
    state.highlight = null;
    info.hidden = true;
    markSelection(null);
    statusLine.textContent = "";
    applyClasses();
  }

  function showInfo(id) {
    while (info.firstChild) { info.removeChild(info.firstChild); }
    var heading = document.createElement("h3");
    heading.textContent = id;
    info.appendChild(heading);
    var node = nodesById.get(id);
    if (node && node.layer) { addLine("layer: " + node.layer); }
    if (node && node.contracts.length) { addLine("violations: " + node.contracts.join(", ")); }
    var edges = visibleEdges();
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

  function highlight(nodes, edges, selected, message) {
    state.focus = null;
    info.hidden = true;
    state.highlight = { nodes: new Set(nodes), edges: edges };
    applyClasses();
    markSelection(selected);
    statusLine.textContent = message;
  }

  function markSelection(element) {
    document.querySelectorAll(".selected").forEach(function (other) { other.classList.remove("selected"); });
    if (element) { element.classList.add("selected"); }
  }

  function highlightContract(index, row) {
    var contract = data.contracts[index];
    var nodes = [], edges = [];
    contract.chains.forEach(function (chainIndex) {
      var chain = data.chains[chainIndex];
      nodes = nodes.concat(chain.nodes);
      edges = edges.concat(chain.edges);
    });
    highlight(nodes, edges, row, contract.id + ": " + contract.chains.length + " violation(s)");
  }

  function highlightChain(index, item) {
    var chain = data.chains[index];
    highlight(chain.nodes, chain.edges, item, chain.contract + ": violation " + (index + 1));
  }

  function search(query) {
    query = query.trim();
    if (!query) { return; }
    var lower = query.toLowerCase();
    var ids = Array.from(nodesById.keys()).concat(Array.from(packagesById.keys()));
    var exact = ids.filter(function (id) { return id === query; });
    var found = exact.length ? exact : ids.filter(function (id) {
      return id.toLowerCase().indexOf(lower) !== -1;
    }).sort(function (a, b) { return a.length - b.length || (a < b ? -1 : 1); });
    if (!found.length) {
      statusLine.textContent = "no module matches \u201c" + query + "\u201d";
      return;
    }
    focusNode(found[0]);
    if (found.length > 1) { statusLine.textContent += " (" + found.length + " matches)"; }
  }

  // --- events ---------------------------------------------------------------------------------
  var names = document.getElementById("module-names");
  Array.from(nodesById.keys()).sort().forEach(function (id) {
    var option = document.createElement("option");
    option.value = id;
    names.appendChild(option);
  });

  var searchBox = document.getElementById("search");
  searchBox.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); search(searchBox.value); }
  });
  searchBox.addEventListener("change", function () { search(searchBox.value); });

  document.getElementById("radius").addEventListener("change", function (event) {
    state.radius = parseInt(event.target.value, 10) || 1;
    applyClasses();
  });
  document.getElementById("fit").addEventListener("click", function () {
    state.view = { x: 0, y: 0, w: Math.max(data.width, 1), h: Math.max(data.height, 1) };
    applyView();
  });
  document.getElementById("clear").addEventListener("click", clearSelection);
  document.getElementById("collapse-all").addEventListener("click", function () {
    var level = data.packages.filter(function (p) { return depthOf(p) === topDepth + 1; });
    if (!level.length) { level = data.packages.filter(function (p) { return depthOf(p) === topDepth; }); }
    level.forEach(function (p) { state.collapsed.add(p.id); });
    state.focus = null;
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
    var toggle = event.target.closest("[data-toggle]");
    if (toggle) {
      var pkg = toggle.getAttribute("data-toggle");
      if (state.collapsed.has(pkg)) { state.collapsed.delete(pkg); } else { state.collapsed.add(pkg); }
      if (state.focus && representative(state.focus) !== state.focus) { state.focus = null; }
      render();
      return;
    }
    var node = event.target.closest("[data-node]");
    if (node) { focusNode(node.getAttribute("data-node")); } else { clearSelection(); }
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

  render();
  document.body.setAttribute("data-ready", "true");
}());
