#!/usr/bin/env python3
# Writes test/fixtures/torch-reference.json: PyTorch's float64 values, VJPs and Hessian-vector products for every
# op family, with the inputs, so test/ops/torch-reference.test.ts checks Chainrule against them without Python.
# Run with Debian's PyTorch (apt-get install python3-torch) under the system Python: /usr/bin/python3 scripts/torch-reference.py
"""
Each case names a program (`op`) and its arguments (`args`); the test file has the same program table in
Chainrule. For a program y = f(x₁, …, xₖ), a random cotangent u and random directions vᵢ, the fixture holds
y, the VJPs gᵢ = ∂⟨u, y⟩/∂xᵢ and the HVPs ∂⟨g, v⟩/∂xᵢ (the Hessian of ⟨u, y⟩ times v), for the float inputs.
Inputs keep away from kinks and ties, where derivatives are conventions (docs/gradient-conventions.md).
"""

import json
import math
import os
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
GEN = torch.Generator().manual_seed(20240612)


def sample(kind, shape):
    """An input tensor of `shape` drawn by `kind`; ("const", values) gives fixed values."""
    if isinstance(kind, tuple) and kind[0] == "const":
        return torch.tensor(kind[1], dtype=torch.float64).reshape(shape)
    if isinstance(kind, tuple) and kind[0] == "int":
        return torch.randint(0, kind[1], shape, generator=GEN, dtype=torch.int64)
    if kind == "bool":
        return torch.rand(shape, generator=GEN) < 0.5
    z = torch.randn(shape, generator=GEN)
    if kind == "randn":
        return z
    if kind == "away":  # |x| >= 0.2: clear of kinks at 0
        return torch.sign(z) * (0.2 + z.abs())
    if kind == "pos":  # [0.5, 2]: log, sqrt, pow bases
        return 0.5 + 1.5 * torch.rand(shape, generator=GEN)
    if kind == "unit":  # (-0.9, 0.9): log1p
        return 1.8 * torch.rand(shape, generator=GEN) - 0.9
    if kind == "wide":  # [-40, 40]: the stable forms of softplus, sigmoid, softmax
        return 80 * torch.rand(shape, generator=GEN) - 40
    if kind == "lo":
        return -1 + 0.7 * torch.rand(shape, generator=GEN)
    if kind == "hi":
        return 0.3 + 0.7 * torch.rand(shape, generator=GEN)
    raise ValueError(kind)


UNARY = {
    "neg": torch.neg,
    "exp": torch.exp,
    "log": torch.log,
    "log1p": torch.log1p,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "sign": torch.sign,
    "sin": torch.sin,
    "cos": torch.cos,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "softplus": F.softplus,
    "erf": torch.erf,
}
BINARY = {
    "add": torch.add,
    "sub": torch.sub,
    "mul": torch.mul,
    "div": torch.div,
    "pow": torch.pow,
    "maximum": torch.maximum,
    "minimum": torch.minimum,
}


def dims(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def reduce(xs, a):
    x, fn, axis, keep = xs[0], a["fn"], a.get("axis"), a.get("keepdims", False)
    if fn == "logsumexp":
        return torch.logsumexp(x, dim=dims(axis) if axis is not None else tuple(range(x.dim())), keepdim=keep)
    if fn in ("max", "min"):
        f = torch.amax if fn == "max" else torch.amin
        return f(x, dim=dims(axis) if axis is not None else tuple(range(x.dim())), keepdim=keep)
    if fn == "argmax":
        return torch.argmax(x, dim=axis, keepdim=keep)
    f = {"sum": torch.sum, "mean": torch.mean}[fn]
    return f(x, dim=dims(axis), keepdim=keep) if axis is not None else f(x)


def variance(xs, a):
    x, axis = xs[0], a.get("axis")
    f = torch.std if a["fn"] == "std" else torch.var
    dim = dims(axis) if axis is not None else None
    return f(x, dim=dim, correction=a.get("correction", 1), keepdim=a.get("keepdims", False))


def move(xs, a):
    """A movement or indexing op; its result is squared so that the HVP runs through the op's VJP."""
    x, fn = xs[0], a["fn"]
    if fn == "reshape":
        y = x.reshape(a["shape"])
    elif fn == "transpose":
        y = x.transpose(*a["axes"]) if "axes" in a else x.transpose(-2, -1)
    elif fn == "permute":
        y = x.permute(*a["perm"])
    elif fn == "T":
        y = x.permute(*reversed(range(x.dim())))
    elif fn == "expand":
        y = x.expand(*a["shape"])
    elif fn == "slice":
        y = x[tuple(s if isinstance(s, int) else slice(*s) for s in a["specs"])]
    elif fn == "flip":  # slice with a negative step, which torch spells flip
        y = x.flip(a["axis"])
    elif fn == "index":
        y = torch.index_select(x, a["axis"], torch.tensor(a["indices"]))
    elif fn == "gather":
        y = torch.gather(x, a["axis"], xs[1])
    elif fn == "scatterAdd":
        y = torch.zeros(a["shape"]).scatter_add(a["axis"], xs[1], x)
    elif fn == "concat":
        y = torch.cat(xs, dim=a["axis"])
    elif fn == "stack":
        y = torch.stack(xs, dim=a["axis"])
    elif fn == "splitStack":
        y = torch.stack(torch.tensor_split(x, a["sections"], dim=a["axis"]), dim=0)
    elif fn == "pad":
        flat = [w for pair in reversed(a["widths"]) for w in pair]
        y = F.pad(x, flat, value=a.get("value", 0.0))
    elif fn == "flatten":
        y = torch.flatten(x, a["start"], a["end"])
    elif fn == "squeeze":
        y = x.squeeze(a["axis"])
    elif fn == "unsqueeze":
        y = x.unsqueeze(a["axis"])
    else:
        raise ValueError(fn)
    return y * y


def mlp(xs, a):
    x, w1, w2, labels = xs
    o = torch.relu(x @ w1.T) @ w2.T
    return F.cross_entropy(o, labels) + a["lambda"] / 2 * ((w1 * w1).sum() + (w2 * w2).sum())


PROGRAMS = {
    "unary": lambda xs, a: UNARY[a["fn"]](xs[0]),
    "pow": lambda xs, a: torch.pow(xs[0], a["exponent"]),
    "leakyRelu": lambda xs, a: F.leaky_relu(xs[0], a["slope"]),
    "gelu": lambda xs, a: F.gelu(xs[0], approximate=a["approximate"]),
    "clamp": lambda xs, a: torch.clamp(xs[0], a.get("min"), a.get("max")),
    "binary": lambda xs, a: BINARY[a["fn"]](xs[0], xs[1]),
    "where": lambda xs, a: torch.where(xs[0], xs[1], xs[2]),
    "clampTensor": lambda xs, a: torch.clamp(xs[0], xs[1], xs[2]),
    "reduce": reduce,
    "variance": variance,
    "stdFlat": lambda xs, a: xs[0].expand(*a["shape"]).std(dim=a["axis"]),
    "move": move,
    "matmul": lambda xs, a: torch.matmul(xs[0], xs[1]),
    "dot": lambda xs, a: torch.dot(xs[0], xs[1]),
    "outer": lambda xs, a: torch.outer(xs[0], xs[1]),
    "linear": lambda xs, a: F.linear(*xs),
    "softmax": lambda xs, a: (torch.log_softmax if a["log"] else torch.softmax)(xs[0], dim=a["axis"]),
    "crossEntropy": lambda xs, a: F.cross_entropy(xs[0], xs[1], reduction=a["reduction"]),
    "mse": lambda xs, a: F.mse_loss(xs[0], xs[1], reduction=a["reduction"]),
    "mlp": mlp,
}


def case(family, op, args, *inputs):
    return {"family": family, "op": op, "args": args, "inputs": inputs}


def cases():
    out = []
    unary_kind = {"log": "pos", "sqrt": "pos", "log1p": "unit", "abs": "away", "relu": "away", "sign": "away"}
    for fn in UNARY:
        out.append(case("elementwise unary", "unary", {"fn": fn}, (unary_kind.get(fn, "randn"), [3, 4])))
    for exponent in (3, 0.5, -1.5, 2):
        out.append(case("elementwise unary", "pow", {"exponent": exponent}, ("pos", [2, 3])))
    shapes = [([3, 4], [3, 4]), ([3, 4], [4]), ([2, 1, 3], [4, 1]), ([], [3])]
    for fn in BINARY:
        for sa, sb in shapes:
            ka, kb = ("pos", "randn") if fn == "pow" else ("randn", "away" if fn == "div" else "randn")
            out.append(case("binary and broadcast", "binary", {"fn": fn}, (ka, sa), (kb, sb)))
    out.append(case("binary and broadcast", "where", {}, ("bool", [3, 4]), ("randn", [3, 4]), ("randn", [4])))
    out.append(case("binary and broadcast", "clampTensor", {}, ("randn", [3, 4]), ("lo", [4]), ("hi", [3, 1])))
    for fn in ("sum", "mean", "max", "min", "logsumexp"):
        out.append(case("reductions", "reduce", {"fn": fn}, ("randn", [3, 4])))
        out.append(case("reductions", "reduce", {"fn": fn, "axis": 1}, ("randn", [3, 4])))
        out.append(case("reductions", "reduce", {"fn": fn, "axis": [0, 2], "keepdims": True}, ("randn", [2, 3, 4])))
    out.append(case("reductions", "reduce", {"fn": "sum", "axis": -1, "keepdims": True}, ("randn", [3, 4])))
    out.append(case("reductions", "reduce", {"fn": "max", "axis": 0, "keepdims": True}, ("randn", [3, 4])))
    out.append(case("reductions", "reduce", {"fn": "logsumexp", "axis": 1}, ("wide", [3, 5])))
    out.append(case("reductions", "reduce", {"fn": "argmax", "axis": 1}, ("randn", [3, 4])))
    for fn in ("var", "std"):
        out.append(case("reductions", "variance", {"fn": fn}, ("randn", [3, 4])))
        out.append(case("reductions", "variance", {"fn": fn, "axis": 1}, ("randn", [3, 4])))
        out.append(case("reductions", "variance", {"fn": fn, "axis": 0, "correction": 0}, ("randn", [3, 4])))
        args = {"fn": fn, "axis": [0, 2], "keepdims": True, "correction": 0}
        out.append(case("reductions", "variance", args, ("randn", [2, 3, 4])))
    out.append(case("reductions", "stdFlat", {"shape": [2, 3], "axis": 1}, (("const", [1.0, 2.0]), [2, 1])))
    moves = [
        ({"fn": "reshape", "shape": [2, 6]}, [3, 4]),
        ({"fn": "reshape", "shape": [-1]}, [3, 4]),
        ({"fn": "transpose"}, [3, 4]),
        ({"fn": "transpose", "axes": [0, 2]}, [2, 3, 4]),
        ({"fn": "permute", "perm": [2, 0, 1]}, [2, 3, 4]),
        ({"fn": "T"}, [2, 3, 4]),
        ({"fn": "expand", "shape": [2, 3, 4]}, [3, 1]),
        ({"fn": "slice", "specs": [[1, 3], [None, None, 2]]}, [4, 5]),
        ({"fn": "slice", "specs": [2, [1, None]]}, [4, 5]),
        ({"fn": "flip", "axis": [0]}, [4, 3]),
        ({"fn": "index", "indices": [2, 0, 2], "axis": 0}, [4, 3]),
        ({"fn": "index", "indices": [3, 1], "axis": 1}, [2, 4]),
        ({"fn": "splitStack", "sections": 2, "axis": 1}, [3, 4]),
        ({"fn": "pad", "widths": [[1, 0], [0, 2]]}, [2, 3]),
        ({"fn": "pad", "widths": [[0, 1], [2, 1]], "value": 1.5}, [2, 3]),
        ({"fn": "flatten", "start": 1, "end": 2}, [2, 3, 4]),
        ({"fn": "squeeze", "axis": 1}, [3, 1, 2]),
        ({"fn": "unsqueeze", "axis": 1}, [3, 2]),
    ]
    for args, shape in moves:
        out.append(case("movement and indexing", "move", args, ("randn", shape)))
    out.append(case("movement and indexing", "move", {"fn": "gather", "axis": 1}, ("randn", [3, 4]), (("int", 4), [3, 2])))
    args = {"fn": "scatterAdd", "axis": 1, "shape": [2, 4]}
    out.append(case("movement and indexing", "move", args, ("randn", [2, 3]), (("int", 4), [2, 3])))
    out.append(case("movement and indexing", "move", {"fn": "concat", "axis": 0}, ("randn", [2, 3]), ("randn", [1, 3])))
    out.append(case("movement and indexing", "move", {"fn": "stack", "axis": 1}, ("randn", [3]), ("randn", [3])))
    for sa, sb in [([3, 4], [4, 2]), ([4], [4, 2]), ([3, 4], [4]), ([4], [4]), ([2, 3, 4], [4, 5]), ([2, 1, 3, 4], [3, 4, 2])]:
        out.append(case("matmul", "matmul", {}, ("randn", sa), ("randn", sb)))
    out.append(case("matmul", "dot", {}, ("randn", [5]), ("randn", [5])))
    out.append(case("matmul", "outer", {}, ("randn", [3]), ("randn", [4])))
    out.append(case("matmul", "linear", {}, ("randn", [3, 4]), ("randn", [2, 4]), ("randn", [2])))
    for axis, log in [(-1, False), (0, False), (-1, True), (0, True)]:
        out.append(case("softmax and losses", "softmax", {"axis": axis, "log": log}, ("randn", [3, 4])))
    out.append(case("softmax and losses", "softmax", {"axis": -1, "log": True}, ("wide", [3, 5])))
    for reduction in ("mean", "sum", "none"):
        out.append(case("softmax and losses", "crossEntropy", {"reduction": reduction}, ("randn", [4, 5]), (("int", 5), [4])))
        out.append(case("softmax and losses", "mse", {"reduction": reduction}, ("randn", [3, 4]), ("randn", [3, 4])))
    out.append(case("softmax and losses", "crossEntropy", {"reduction": "mean"}, ("wide", [4, 5]), (("int", 5), [4])))
    out.append(case("softmax and losses", "mlp", {"lambda": 0.01}, ("randn", [5, 4]), ("randn", [6, 4]), ("randn", [3, 6]), (("int", 3), [5])))
    for approximate in ("none", "tanh"):
        out.append(case("activations", "gelu", {"approximate": approximate}, ("randn", [3, 4])))
        out.append(case("activations", "gelu", {"approximate": approximate}, ("wide", [2, 5])))
    out.append(case("activations", "unary", {"fn": "softplus"}, ("wide", [2, 5])))
    out.append(case("activations", "unary", {"fn": "sigmoid"}, ("wide", [2, 5])))
    out.append(case("activations", "leakyRelu", {"slope": 0.2}, ("away", [3, 4])))
    out.append(case("activations", "clamp", {"min": -0.5, "max": 0.5}, ("randn", [3, 4])))
    out.append(case("activations", "clamp", {"min": 0.1}, ("randn", [3, 4])))
    return out


def flat(t):
    return [v if math.isfinite(v) else str(v) for v in t.detach().clone().contiguous().reshape(-1).tolist()]


def encode(t):
    dtype = "bool" if t.dtype == torch.bool else "int32" if not t.is_floating_point() else "float64"
    values = [int(v) for v in t.reshape(-1).tolist()] if dtype != "float64" else flat(t)
    return {"dtype": dtype, "shape": list(t.shape), "values": values}


def run(c):
    xs = [sample(kind, shape) for kind, shape in c["inputs"]]
    for x in xs:
        if x.is_floating_point():
            x.requires_grad_(True)
    floats = [x for x in xs if x.is_floating_point()]
    y = PROGRAMS[c["op"]](xs, c["args"])
    result = {k: c[k] for k in ("family", "op", "args")}
    result["inputs"] = [encode(x.detach()) for x in xs]
    result["output"] = encode(y.detach())
    if not y.is_floating_point():
        return result
    u = torch.randn(y.shape, generator=GEN)
    grads = torch.autograd.grad((y * u).sum(), floats, create_graph=True, allow_unused=True)
    grads = [torch.zeros_like(x) if g is None else g for x, g in zip(floats, grads)]
    vs = [torch.randn(x.shape, generator=GEN) for x in floats]
    live = [(g, v) for g, v in zip(grads, vs) if g.requires_grad]
    hv = [None] * len(floats)
    if live:
        h = sum((g * v).sum() for g, v in live)
        hv = torch.autograd.grad(h, floats, allow_unused=True)
    hv = [torch.zeros_like(x) if h is None else h for x, h in zip(floats, hv)]
    result["cotangent"] = flat(u)
    result["grads"] = [flat(g) for g in grads]
    result["directions"] = [flat(v) for v in vs]
    result["hvps"] = [flat(h) for h in hv]
    return result


def main():
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    path = os.path.join(root, "test", "fixtures", "torch-reference.json")
    data = {
        "generator": "scripts/torch-reference.py",
        "torch": torch.__version__,
        "dtype": "float64",
        "cases": [run(c) for c in cases()],
    }
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print(f"{path}: {len(data['cases'])} cases, {os.path.getsize(path)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
