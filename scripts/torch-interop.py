#!/usr/bin/python3
# Chainrule <-> PyTorch model files. Run with Debian's python3-torch under the system Python (no pip needed):
#   apt-get update && apt-get install -y python3-torch
#   /usr/bin/python3 scripts/torch-interop.py generate          # rewrites test/fixtures/torch-mlp*.{safetensors,json}
#                                                               # (seeded; then formats the JSON with the repo's biome)
#   /usr/bin/python3 scripts/torch-interop.py verify MODEL.safetensors CASE.json [MODEL CASE ...]   # Chainrule's files
"""Writes the PyTorch-made fixtures that test/io/torch-interop.test.ts loads into Chainrule, and checks that a
file written by Chainrule's save() loads into the matching torch.nn.Sequential with load_state_dict(strict=True)
and gives the logits Chainrule computed.

The safetensors format is read and written here directly (struct + json), so the script needs torch only.
The header's __metadata__ holds {"format": "pt", "architecture": JSON}; the architecture describes the
Sequential in torch's own terms:
  {"type": "Sequential", "layers": [{"type": "Linear", "in_features": 20, "out_features": 16, "bias": true},
                                    {"type": "ReLU"}, ...]}
Layer types: Linear, ReLU, Sigmoid, Tanh, GELU (approximate "none" | "tanh"), Flatten, Dropout (p).
"""

import json
import os
import struct
import subprocess
import sys

import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "test", "fixtures")
# A logit matches when |chainrule - torch| <= ATOL + RTOL * |torch| (float32 sums in another order).
ATOL = 1e-6
RTOL = 1e-6

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int32: "I32", torch.bool: "BOOL"}
FROM_CODE = {code: dtype for dtype, code in DTYPES.items()}


def write_safetensors(path, tensors, metadata):
    """Tensors in name order, 8-byte aligned header padded with spaces, as the format describes."""
    header = {"__metadata__": metadata}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        data = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        chunks.append(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in chunks:
            f.write(data)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n :]
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=FROM_CODE[entry["dtype"]])
        tensors[name] = flat.reshape(entry["shape"])
    return tensors, metadata


def architecture_of(model):
    """The architecture entry for a torch.nn.Sequential of the layer types above."""
    layers = []
    for layer in model:
        kind = type(layer).__name__
        if isinstance(layer, nn.Linear):
            layers.append(
                {"type": kind, "in_features": layer.in_features, "out_features": layer.out_features,
                 "bias": layer.bias is not None}
            )
        elif isinstance(layer, (nn.ReLU, nn.Sigmoid, nn.Tanh)):
            layers.append({"type": kind})
        elif isinstance(layer, nn.GELU):
            layers.append({"type": kind, "approximate": layer.approximate})
        elif isinstance(layer, nn.Flatten) and (layer.start_dim, layer.end_dim) == (1, -1):
            layers.append({"type": kind})
        elif isinstance(layer, nn.Dropout):
            layers.append({"type": kind, "p": layer.p})
        else:
            raise ValueError(f"{layer!r} has no Chainrule counterpart")
    return {"type": "Sequential", "layers": layers}


def from_architecture(arch):
    """The torch.nn.Sequential an architecture entry describes (weights untrained: load a state dict)."""
    if arch.get("type") != "Sequential":
        raise ValueError(f"architecture type {arch.get('type')!r} is not Sequential")
    layers = []
    for spec in arch["layers"]:
        kind = spec["type"]
        if kind == "Linear":
            layers.append(nn.Linear(spec["in_features"], spec["out_features"], bias=spec["bias"]))
        elif kind in ("ReLU", "Sigmoid", "Tanh", "Flatten"):
            layers.append(getattr(nn, kind)())
        elif kind == "GELU":
            layers.append(nn.GELU(approximate=spec.get("approximate", "none")))
        elif kind == "Dropout":
            layers.append(nn.Dropout(spec.get("p", 0.5)))
        else:
            raise ValueError(f"unknown layer type {kind!r}")
    return nn.Sequential(*layers)


def as_json(t):
    # float32 values widened to float64 print exactly; Math.fround in JavaScript restores the float32.
    return {"shape": list(t.shape), "values": t.reshape(-1).double().tolist()}


FIXTURE_MODELS = {
    # name: (model, input shape)
    "torch-mlp": (lambda: nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 3)), [8, 20]),
    "torch-mlp-deep": (
        lambda: nn.Sequential(nn.Linear(20, 16), nn.Tanh(), nn.Linear(16, 12), nn.Sigmoid(), nn.Linear(12, 3)),
        [8, 20],
    ),
    "torch-mlp-mixed": (
        lambda: nn.Sequential(
            nn.Flatten(), nn.Linear(20, 16, bias=False), nn.GELU(), nn.Dropout(0.25),
            nn.Linear(16, 8, bias=False), nn.GELU(approximate="tanh"), nn.Linear(8, 3, bias=False),
        ),
        [8, 4, 5],
    ),
}


def generate(out=FIXTURES):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    for name, (make, input_shape) in FIXTURE_MODELS.items():
        model = make().eval()
        x = torch.randn(input_shape, dtype=torch.float32)
        with torch.no_grad():
            logits = model(x)
        metadata = {"format": "pt", "architecture": json.dumps(architecture_of(model), separators=(",", ":"))}
        write_safetensors(os.path.join(out, f"{name}.safetensors"), model.state_dict(), metadata)
        case = {
            "writer": f"scripts/torch-interop.py generate, torch {torch.__version__}",
            "model": f"{name}.safetensors",
            "inputs": as_json(x),
            "logits": as_json(logits),
        }
        with open(os.path.join(out, f"{name}.json"), "w") as f:
            json.dump(case, f, separators=(",", ":"))
            f.write("\n")
        print(f"wrote {os.path.relpath(os.path.join(out, name), ROOT)}.safetensors and .json")
    # The repository's linter formats JSON under test/; format the new files its way so `npm run lint` passes.
    biome = os.path.join(ROOT, "node_modules", ".bin", "biome")
    if os.path.exists(biome):
        subprocess.run([biome, "format", "--write", *(os.path.join(out, f"{n}.json") for n in FIXTURE_MODELS)],
                       check=True, capture_output=True)
    else:
        print("node_modules/.bin/biome not found: run `npx biome format --write test/fixtures` before committing")


def verify(model_path, case_path):
    """Loads a Chainrule-written file into torch with strict=True and compares logits; exit 1 on any mismatch."""
    tensors, metadata = read_safetensors(model_path)
    if metadata.get("format") != "pt" or "architecture" not in metadata:
        sys.exit(f"verify: {model_path}: __metadata__ needs format \"pt\" and an architecture, has {sorted(metadata)}")
    model = from_architecture(json.loads(metadata["architecture"])).eval()
    own = model.state_dict()
    for name, t in tensors.items():
        if name in own and (t.dtype != own[name].dtype or t.shape != own[name].shape):
            sys.exit(f"verify: {name} is {t.dtype} {list(t.shape)}, torch has {own[name].dtype} {list(own[name].shape)}")
    model.load_state_dict(tensors, strict=True)  # raises on a missing or unexpected name
    with open(case_path) as f:
        case = json.load(f)
    x = torch.tensor(case["inputs"]["values"], dtype=torch.float32).reshape(case["inputs"]["shape"])
    expected = torch.tensor(case["logits"]["values"], dtype=torch.float32).reshape(case["logits"]["shape"])
    with torch.no_grad():
        logits = model(x)
    if logits.shape != expected.shape:
        sys.exit(f"verify: logits are {list(logits.shape)} in torch, {list(expected.shape)} in {case_path}")
    worst = (logits - expected).abs().max().item()
    if not torch.all((logits - expected).abs() <= ATOL + RTOL * expected.abs()):
        sys.exit(f"verify: logits differ by up to {worst:.3g} (allowed {ATOL} + {RTOL}*|logit|)")
    print(f"ok: {os.path.basename(model_path)} loads into torch {torch.__version__} with strict=True; "
          f"{len(own)} tensors; max |logit difference| {worst:.3g}")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["generate"] and len(args) <= 2:
        generate(*args[1:])
    elif args[:1] == ["verify"] and len(args) >= 3 and len(args) % 2 == 1:
        for model_path, case_path in zip(args[1::2], args[2::2]):
            verify(model_path, case_path)
    else:
        sys.exit(__doc__ + "\nusage: torch-interop.py generate [OUT_DIR] | verify MODEL.safetensors CASE.json [...]")
