// Drawing graphs: DOT (golden file for the chapter's model), Mermaid, SVG through Graphviz/WebAssembly,
// clusters and collapsing per module, escaping of user-written names, and the size limit.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { collapseModules, toDot, toMermaid, toPng, toSvg, trace } from "../../src/graph/index.js";
import * as cr from "../../src/index.js";
import { chapterModel } from "./chapter-model.js";

const golden = fileURLToPath(new URL("./golden/chapter.dot", import.meta.url));
const nodeLines = (dot: string, shape: string) =>
  dot.split("\n").filter((l) => l.includes(`[shape=${shape},`)).length;
const edgeLines = (dot: string) => dot.split("\n").filter((l) => l.includes(" -> ")).length;

function mlp(bias = true) {
  const net = new cr.nn.Sequential(
    new cr.nn.Linear(4, 3, { bias }),
    new cr.nn.ReLU(),
    new cr.nn.Linear(3, 2, { bias }),
  );
  const x = cr.randn([5, 4], { generator: new cr.Generator(3) }).named("x");
  return { net, out: net.forward(x).sum().named("J") };
}

describe("graph.toDot", () => {
  // Keep this test first: node ids come from tensor ids, so it must run before other tensors are made.
  test("the chapter's forward graph matches the golden DOT (UPDATE_GOLDEN=1 rewrites it)", () => {
    const dot = toDot(chapterModel().J, { detail: "ops" });
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, dot);
    assert.equal(dot, readFileSync(golden, "utf8"));
    assert.equal(nodeLines(dot, "box"), 18);
    assert.equal(nodeLines(dot, "circle"), 12);
    assert.equal(edgeLines(dot), 32);
  });

  test("backward and side by side: boxes, circles, dashed saved-value edges, two clusters", () => {
    const b = toDot(chapterModel().J, { backward: true, detail: "ops" });
    assert.deepEqual([nodeLines(b, "box"), nodeLines(b, "circle"), edgeLines(b)], [29, 15, 49]);
    assert.match(b, /label="∂J\/∂W1\\n\[3×4\]"/);
    assert.match(b, /label="matmul'"/);
    assert.equal(b.split("\n").filter((l) => l.includes("style=dashed")).length, 12);
    const both = toDot(chapterModel().J, { backward: "both", detail: "ops" });
    // 18 forward variables + the 20 gradient variables (the 9 saved ones are shared).
    assert.deepEqual([nodeLines(both, "box"), nodeLines(both, "circle"), edgeLines(both)], [38, 27, 81]);
    assert.match(both, /subgraph "cluster_forward"/);
    assert.match(both, /subgraph "cluster_backward"/);
  });

  test("a backward operator's tooltip is the derivative its rule carries", () => {
    const b = toDot(chapterModel().J, { backward: true, detail: "ops" });
    assert.match(b, /label="relu'".*tooltip="x ← g ⊙ \[x > 0\]"/);
    assert.match(b, /label="matmul'".*tooltip="a ← g · bᵀ; b ← aᵀ · g"/);
    assert.match(b, /label="mul'".*tooltip="a ← g ⊙ b; b ← g ⊙ a"/);
  });

  test("clusters per module, titled '0: Linear'; collapse: 'modules' makes each one node", () => {
    const { net, out } = mlp();
    const dot = toDot(out, { names: net, clusters: true, detail: "ops" });
    for (const title of ["0: Linear", "1: ReLU", "2: Linear"])
      assert.ok(dot.includes(`label="${title}"`), title);
    assert.match(dot, /label="0.weight\\n\[3×4\]"/);
    const g = collapseModules(trace(out, { names: net, detail: "ops" }));
    // Linear = matmul + add; its matmul output is internal. Left: x, 4 parameters, 3 module outputs, J.
    assert.deepEqual(
      g.operators.map((o) => o.op),
      ["0: Linear", "1: ReLU", "2: Linear", "sum"],
    );
    assert.equal(g.variables.length, 9);
    // Edges: each Linear 3 in (x or h, weight, bias) + 1 out, ReLU 1 + 1, sum 1 + 1.
    assert.equal(g.edges.length, 4 + 2 + 4 + 2);
  });

  test("second-order operators (phase backward) are drawn differently", () => {
    const { J, W1 } = chapterModel();
    J.backward({ createGraph: true });
    const dot = toDot(W1.grad!, { detail: "ops" });
    assert.equal(dot.split("\n").filter((l) => l.includes('fillcolor="#fee2e2"')).length, 8);
  });
});

describe("graph size limit", () => {
  test("more than maxNodes is refused with the count and how to collapse", () => {
    const { net, out } = mlp();
    assert.throws(
      () => toDot(out, { names: net, maxNodes: 10, detail: "ops" }),
      (e: Error) =>
        e instanceof cr.ChainruleError &&
        e.message.includes("17 nodes") &&
        e.message.includes('collapse: "modules"') &&
        e.message.includes("maxNodes"),
    );
    assert.ok(
      toDot(out, { names: net, maxNodes: 13, collapse: "modules", detail: "ops" }).includes("0: Linear"),
    );
  });
});

describe("escaping user-written names", () => {
  const evil = '</text><script>alert("x")</script>\\ \n"end';
  const model = () => {
    const a = cr.tensor([1, 2], { requiresGrad: true }).named(evil);
    return a.mul(a).sum().named('J "quoted"');
  };

  test("DOT escapes quotes, backslashes and newlines", () => {
    const dot = toDot(model(), { detail: "ops" });
    assert.ok(dot.includes('label="</text><script>alert(\\"x\\")</script>\\\\ \\n\\"end\\n[2]"'));
    assert.ok(dot.includes('label="J \\"quoted\\"\\nscalar"'));
  });

  test("Mermaid uses #entity; codes", () => {
    const m = toMermaid(model(), { detail: "ops" });
    assert.ok(!m.includes("<script"));
    assert.ok(m.includes("#60;/text#62;#60;script#62;alert#40;#34;x#34;#41;"));
    assert.match(m, /\(\("mul"\)\)/);
  });

  test("SVG shows the name as text and has no <script> element", async () => {
    const svg = await toSvg(model(), { detail: "ops" });
    assert.ok(!/<script/i.test(svg));
    assert.ok(svg.includes("&lt;/text&gt;&lt;script&gt;"));
  });
});

describe("graph.toSvg / toPng", () => {
  test("SVG has <polygon> boxes and <ellipse> circles; PNG bytes start with the signature", async () => {
    const { J } = chapterModel();
    const svg = await toSvg(J, { backward: "both", detail: "ops" });
    assert.ok(svg.includes("<polygon"));
    assert.ok(svg.includes("<ellipse"));
    assert.ok(svg.includes("∂J/∂W1"));
    const png = await toPng(J, { detail: "ops" });
    assert.deepEqual([...png.slice(1, 4)], [0x50, 0x4e, 0x47]);
  });
});
